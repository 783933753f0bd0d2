"""The bulk link of the qemu target: a loopback relay between the rig's socket and QEMU's USART2.

Bytes from the rig are appended to a file the firmware reads with semihosting, then one
doorbell byte goes to USART2 to wake the core; bytes from USART2 go back to the rig
unchanged. When the rig closes its side, LINK_CLOSED goes to USART2 so the firmware ends
the emulation. See rig.targets.qemu for why.
"""

from __future__ import annotations

import selectors
import socket
import threading
from pathlib import Path
from typing import IO

#: Byte that wakes the firmware after new bytes were appended to the bulk input file.
DOORBELL = b"\x00"
#: Byte that tells the firmware the rig closed the link.
LINK_CLOSED = b"\x04"


class BulkRelay:
    """The `socket://` endpoint of bulk mode.

    Bytes from the rig are appended to the bulk input file, then one doorbell
    byte goes to USART2; bytes from USART2 go back to the rig unchanged. When
    the rig closes its side, LINK_CLOSED goes to USART2 and the relay keeps
    forwarding until QEMU closes (the firmware ends the emulation).
    """

    def __init__(self, qemu_port: int, rx_file: Path, accept_timeout_s: float) -> None:
        self.qemu_port = qemu_port
        self.rx_file = rx_file
        self.accept_timeout_s = accept_timeout_s
        self.error: str | None = None
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"qemu-bulk-relay-{self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._server.settimeout(self.accept_timeout_s)
            client, _ = self._server.accept()
        except OSError as exc:
            if not self._stop.is_set():
                self.error = f"nobody connected to the link within {self.accept_timeout_s:g} s ({exc})"
            return
        finally:
            self._server.close()
        try:
            qemu = socket.create_connection(("127.0.0.1", self.qemu_port), timeout=5.0)
        except OSError as exc:
            self.error = f"cannot connect to QEMU's USART2 on port {self.qemu_port}: {exc}"
            client.close()
            return
        with client, qemu, open(self.rx_file, "ab", buffering=0) as rx:
            for s in (client, qemu):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.setblocking(True)
            try:
                self._pump(client, qemu, rx)
            except OSError as exc:
                if not self._stop.is_set():
                    self.error = f"relay between the rig and QEMU failed: {exc}"

    def _pump(self, client: socket.socket, qemu: socket.socket, rx: IO[bytes]) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ)
        sel.register(qemu, selectors.EVENT_READ)
        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.1):
                    if key.fileobj is client:
                        data = client.recv(65536)
                        if data:
                            rx.write(data)  # unbuffered: in the file before the doorbell rings
                            qemu.sendall(DOORBELL)
                        else:
                            sel.unregister(client)
                            qemu.sendall(LINK_CLOSED)
                    else:
                        data = qemu.recv(65536)
                        if not data:
                            return  # QEMU ended: the rig sees the end of its link
                        try:
                            client.sendall(data)
                        except OSError:
                            pass  # the rig has gone; keep draining until QEMU ends
        finally:
            sel.close()

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop relaying (waits at most timeout_s for the thread)."""
        self._stop.set()
        try:
            self._server.close()
        except OSError:
            pass
        self._thread.join(timeout_s)
