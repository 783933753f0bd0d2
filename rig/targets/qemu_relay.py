"""The bulk link of the qemu target: a loopback relay between the rig's socket and QEMU's USART2.

Bytes from the rig are appended to a file the firmware reads with semihosting, then one
doorbell byte goes to USART2 to wake the core; bytes from the firmware's output FIFO (when
it writes its answers there) and from USART2 go back to the rig unchanged. When the rig
closes its side, LINK_CLOSED goes to USART2 so the firmware ends the emulation. See
rig.targets.qemu for why.
"""

from __future__ import annotations

import select
import selectors
import socket
import os
import threading
import time
from pathlib import Path
from typing import IO

from rig.errors import CaptureError

#: Byte that wakes the firmware after new bytes were appended to the bulk input file.
DOORBELL = b"\x00"
#: Byte that tells the firmware the rig closed the link.
LINK_CLOSED = b"\x04"


class BulkRelay:
    """The `socket://` endpoint of bulk mode.

    Bytes from the rig are appended to the bulk input file, then one doorbell
    byte goes to USART2; bytes from the output FIFO tx_fifo (if given) and from
    USART2 go back to the rig unchanged. The firmware writes to USART2 there
    only from its fault handler, after everything else: what the FIFO holds is
    passed on before any byte from USART2, so the order is the firmware's. When
    the rig closes its side, LINK_CLOSED goes to USART2 and the relay keeps
    forwarding until QEMU closes (the firmware ends the emulation).
    """

    def __init__(self, qemu_port: int, rx_file: Path, accept_timeout_s: float, tx_fifo: Path | None = None) -> None:
        self.qemu_port = qemu_port
        self.rx_file = rx_file
        self.accept_timeout_s = accept_timeout_s
        self.error: str | None = None
        #: The bytes for the firmware could not be written to rx_file (a full file system): the link ended there.
        self.capture_error: CaptureError | None = None
        self.tx_fifo = tx_fifo
        # Open for reading before the core starts (it waits for the relay): the firmware's open
        # for writing then returns at once instead of waiting for a reader.
        self._fifo_fd = os.open(tx_fifo, os.O_RDONLY | os.O_NONBLOCK) if tx_fifo is not None else None
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.setblocking(False)
        self.port = int(self._server.getsockname()[1])
        self._stop = threading.Event()
        #: Set once the rig has connected: before that QEMU holds its core (wait=on), so no firmware runs.
        self.connected = threading.Event()
        self._accepted = False
        # held while a connection is taken off the backlog and marked accepted, so rig_came never
        # sees the moment between the two (backlog empty, not yet marked) as "nobody came"
        self._accept_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"qemu-bulk-relay-{self.port}", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            client = self._accept()
        except OSError as exc:
            if not self._stop.is_set():
                self.error = f"nobody connected to the link within {self.accept_timeout_s:g} s ({exc})"
            return
        finally:
            self._server.close()
        if client is None:
            return
        if self._stop.is_set():
            client.close()
            return
        self.connected.set()
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

    def _accept(self) -> socket.socket | None:
        """The rig's connection, taken under the accept lock; None when stopped first. Raises
        TimeoutError when nobody connects within accept_timeout_s."""
        deadline = time.monotonic() + self.accept_timeout_s
        while not self._stop.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")
            try:
                ready, _, _ = select.select([self._server], [], [], min(left, 0.1))
            except ValueError:  # closed by close() between the stop check and here
                return None
            if not ready:
                continue
            with self._accept_lock:
                try:
                    client, _ = self._server.accept()
                except BlockingIOError:
                    continue
                self._accepted = True
                return client
        return None

    def _read_fifo(self) -> bytes | None:
        """What the output FIFO holds now (b"" if nothing); None once it has ended (QEMU closed it)."""
        assert self._fifo_fd is not None
        out = b""
        while True:
            try:
                data = os.read(self._fifo_fd, 65536)
            except BlockingIOError:
                return out
            if not data:
                return out or None
            out += data

    def _pump(self, client: socket.socket, qemu: socket.socket, rx: IO[bytes]) -> None:
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ)
        sel.register(qemu, selectors.EVENT_READ)
        fifo_fd = self._fifo_fd
        fifo_open = fifo_fd is not None
        if fifo_fd is not None:
            sel.register(fifo_fd, selectors.EVENT_READ)
        # QEMU's USART model drops a byte that arrives before the firmware enabled the USART, and
        # the core starts only when the relay connects: a LINK_CLOSED sent at once would be lost and
        # the firmware would run on until it is killed. The firmware's first byte out (its boot
        # HELLO) shows the USART is up; until then what is owed to USART2 waits here.
        usart_up = False
        owed = b""

        def to_rig(data: bytes) -> None:
            nonlocal usart_up, owed
            if not usart_up:
                usart_up = True
                if owed:
                    qemu.sendall(owed)
                self._unlink_fifo()
            try:
                client.sendall(data)
            except OSError:
                pass  # the rig has gone; keep draining until QEMU ends

        def from_fifo() -> None:
            nonlocal fifo_open
            if not fifo_open or fifo_fd is None:
                return
            data = self._read_fifo()
            if data is None:
                fifo_open = False
                sel.unregister(fifo_fd)
            elif data:
                to_rig(data)

        try:
            while not self._stop.is_set():
                for key, _ in sel.select(timeout=0.1):
                    if fifo_fd is not None and key.fileobj == fifo_fd:
                        from_fifo()
                    elif key.fileobj is client:
                        data = client.recv(65536)
                        if data:
                            try:
                                rx.write(data)  # unbuffered: in the file before the doorbell rings
                            except OSError as exc:  # a full file system: the rig is told why its link ends
                                self.capture_error = CaptureError.writing(self.rx_file, exc)
                                raise
                            bell = DOORBELL
                        else:
                            sel.unregister(client)
                            bell = LINK_CLOSED
                        if usart_up:
                            qemu.sendall(bell)
                        elif bell not in owed:
                            owed += bell
                    else:
                        data = qemu.recv(65536)
                        from_fifo()  # written before these bytes: passed on first
                        if not data:
                            return  # QEMU ended: the rig sees the end of its link
                        to_rig(data)
        finally:
            sel.close()

    def rig_came(self, timeout_s: float) -> bool:
        """Whether the rig connected (or its connection waits to be accepted); waits up to timeout_s
        for the relay to reach QEMU in that case. False when nobody ever connected."""
        with self._accept_lock:
            if not self.connected.is_set() and not self._accepted:
                try:
                    pending, _, _ = select.select([self._server], [], [], 0)
                except (OSError, ValueError):
                    pending = []
                if not pending:
                    return False
        return self.connected.wait(timeout_s)

    def close(self, timeout_s: float = 2.0) -> None:
        """Stop relaying (waits at most timeout_s for the thread)."""
        self._stop.set()
        try:
            # shutdown wakes an accept() blocked in the relay thread; close alone does not on Linux
            self._server.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self._server.close()
        except OSError:
            pass
        self._thread.join(timeout_s)
        if self._fifo_fd is not None and not self._thread.is_alive():
            os.close(self._fifo_fd)
            self._fifo_fd = None
        self._unlink_fifo()

    def _unlink_fifo(self) -> None:
        """Remove the output FIFO's name; the pipe lives on between the ends already open.

        A FIFO left in the run directory would hang whatever later opens it to read (an archiver, a
        copy). The firmware opens its end during its start-up, before its first byte: once that byte
        has come (through the FIFO or USART2) nothing needs the name any more, so even a rig killed
        with SIGKILL afterwards leaves none behind.
        """
        if self.tx_fifo is not None:
            try:
                self.tx_fifo.unlink(missing_ok=True)
            except OSError:
                pass  # a directory made read-only meanwhile: close() tries again
