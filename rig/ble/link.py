"""Where the shoe's Bluetooth controller comes from: Bumble's virtual link, or a real one.

`virtual`: two Bumble controllers on one in-process LocalLink (the radio between them is
emulated, everything above it is the real stack): the shoe's host drives the first in-process,
the second is served as HCI on a loopback TCP socket for the phone, a separate process, to drive.
Any other value is a Bumble transport name for the shoe's own controller (`usb:0`: a USB
Bluetooth dongle), which a real phone or watch can then see.

The Bumble event loop runs in a thread of its own; `BleStack` starts and stops it.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from bumble.controller import Controller
from bumble.device import Device
from bumble.hci import Address
from bumble.host import Host
from bumble.link import LocalLink
from bumble.transport import open_transport
from bumble.transport.common import AsyncPipeSink, Transport
from bumble.transport.tcp_server import open_tcp_server_transport_with_socket

from rig.ble.hci_arg import open_failed_hint
from rig.errors import RigError

#: The shoe's static address on the virtual link.
SHOE_ADDRESS = "C0:57:1D:E5:00:01"
VIRTUAL = "virtual"

T = TypeVar("T")


class BleStack:
    """A Bumble event loop in its own thread, with the shoe's Device on `hci` (see the module docstring)."""

    def __init__(self, hci: str = VIRTUAL, name: str = "Stridelab shoe") -> None:
        self.hci = hci
        self.name = name
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ble", daemon=True)
        self._transports: list[Transport] = []
        self._server_socket: socket.socket | None = None
        self.device: Device | None = None
        #: The loopback port serving the phone's controller (virtual link only).
        self.phone_port: int | None = None

    def call(self, make: Callable[[], Awaitable[T]], timeout_s: float, what: str) -> T:
        """Run a coroutine on the BLE loop and wait for it (RigError naming `what` after timeout_s)."""
        future = asyncio.run_coroutine_threadsafe(self._run(make), self.loop)
        try:
            return future.result(timeout_s)
        except TimeoutError:
            future.cancel()
            raise RigError(f"ble: {what} did not complete within {timeout_s:g} s") from None

    @staticmethod
    async def _run(make: Callable[[], Awaitable[T]]) -> T:
        return await make()

    def start(self, timeout_s: float = 10.0) -> Device:
        """Start the loop and the controllers; the shoe's Device, powered on."""
        self._thread.start()
        self.device = self.call(self._start, timeout_s, f"starting the Bluetooth stack on {self.hci!r}")
        return self.device

    async def _start(self) -> Device:
        if self.hci == VIRTUAL:
            link = LocalLink()  # type: ignore[no-untyped-call]  # Bumble leaves its constructor untyped
            shoe_ctrl = Controller("shoe", link=link, public_address=SHOE_ADDRESS)
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", 0))  # loopback only
            self._server_socket = sock
            self.phone_port = int(sock.getsockname()[1])
            phone_transport = await open_tcp_server_transport_with_socket(sock)
            self._transports.append(phone_transport)
            Controller("phone", host_source=phone_transport.source, host_sink=phone_transport.sink, link=link)
            device = Device(name=self.name, address=Address(SHOE_ADDRESS),
                            host=Host(shoe_ctrl, AsyncPipeSink(shoe_ctrl)))
        else:
            try:
                transport = await open_transport(self.hci)
            except Exception as exc:  # noqa: BLE001 - Bumble raises many kinds; each is a bad --hci
                raise RigError(f"--hci {self.hci}: cannot open this Bluetooth controller ({exc}); "
                               f"{open_failed_hint(self.hci)}") from None
            self._transports.append(transport)
            device = Device.with_hci(self.name, Address(SHOE_ADDRESS), transport.source, transport.sink)
        await device.power_on()
        return device

    def stop(self, timeout_s: float = 10.0) -> None:
        """Close the transports and stop the loop (safe to call when start failed half-way)."""
        if not self._thread.is_alive():
            return

        async def close() -> None:
            for t in self._transports:
                try:
                    await t.close()
                except Exception:  # noqa: BLE001 - closing must not hide the error that led here
                    pass
            # a run cut short (Ctrl-C, SIGTERM) leaves tasks waiting, e.g. the shoe's sender: cancel them here, or
            # the interpreter reports each as destroyed while pending, with a traceback, at exit
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        try:
            self.call(close, timeout_s, "closing the Bluetooth transports")
        except RigError:
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout_s)
        if self._server_socket is not None:
            self._server_socket.close()

    def threadsafe(self, fn: Callable[..., Any], *args: Any) -> None:
        """Call fn(*args) on the BLE loop."""
        self.loop.call_soon_threadsafe(fn, *args)
