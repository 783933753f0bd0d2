"""A USB-serial port that vanishes and comes back, made of real ptys (test utility).

`Replug` serves the native firmware's pty through a pty of its own, named by a symlink as udev names a
USB-serial device (/dev/serial/by-id/...). After the firmware has sent `unplug_after` bytes it unplugs:
it holds the firmware's further bytes back, lets the rig's side go quiet, closes its pty (the rig's reads
fail as on a vanished ttyACM), removes the symlink, and after `gap_s` opens a new pty under the same
name and forwards again. Every byte it forwards each way is kept, to compare with the rig's capture.
"""

from __future__ import annotations

import fcntl
import os
import select
import struct
import termios
import threading
import time
import tty
from pathlib import Path


def _raw_pty() -> tuple[int, int]:
    master, slave = os.openpty()
    tty.setraw(slave, termios.TCSANOW)
    return master, slave


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte to a non-blocking fd: a full pty buffer only delays us."""
    view = memoryview(data)
    while view:
        try:
            view = view[os.write(fd, view):]
        except BlockingIOError:
            time.sleep(0.001)


class Replug:
    """Forward between `firmware_pty` and a pty named `link`; unplug once, mid-run."""

    def __init__(self, firmware_pty: str, link: Path, unplug_after: int, gap_s: float = 0.5,
                 come_back: bool = True) -> None:
        self.link = link
        self.unplug_after = unplug_after
        self.gap_s = gap_s
        self.come_back = come_back
        self.to_rig = bytearray()
        self.to_firmware = bytearray()
        self.unplugged_at: int | None = None
        self._fw = os.open(firmware_pty, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self._fw, termios.TCSANOW)
        self._plug()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _plug(self) -> None:
        self._master, self._slave = _raw_pty()
        os.set_blocking(self._master, False)
        tmp = self.link.with_suffix(".new")
        os.symlink(os.ttyname(self._slave), tmp)
        os.replace(tmp, self.link)

    def _unplug(self) -> None:
        # The rig only writes after an ACK: with the firmware's bytes held back it goes quiet once it has
        # read every byte already forwarded (none left in its side's input) and answered them.
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 0.3:
            unread = struct.unpack("i", fcntl.ioctl(self._slave, termios.FIONREAD, b"\0" * 4))[0]
            if self._forward_rig() or unread:
                quiet_since = time.monotonic()
            time.sleep(0.005)
        self.link.unlink()
        os.close(self._master)
        os.close(self._slave)
        self._master = self._slave = -1
        self.unplugged_at = len(self.to_rig)

    def _forward_rig(self) -> bool:
        try:
            data = os.read(self._master, 4096)
        except (BlockingIOError, OSError):
            return False
        self.to_firmware += data
        _write_all(self._fw, data)
        return bool(data)

    def _run(self) -> None:
        plugged = True
        while not self._stop.is_set():
            if plugged and self.unplugged_at is None and len(self.to_rig) >= self.unplug_after:
                self._unplug()
                plugged = False
                time.sleep(self.gap_s)
                if not self.come_back:
                    return
                self._plug()
                plugged = True
            ready, _, _ = select.select([self._fw, self._master], [], [], 0.05)
            if self._master in ready:
                self._forward_rig()
            if self._fw in ready:
                try:
                    data = os.read(self._fw, 4096)
                except (BlockingIOError, OSError):
                    continue
                self.to_rig += data
                _write_all(self._master, data)

    def close(self) -> None:
        """Stop forwarding; close every descriptor."""
        self._stop.set()
        self._thread.join(5)
        for fd in (self._fw, self._master, self._slave):
            if fd >= 0:
                os.close(fd)
        self._fw = self._master = self._slave = -1
        self.link.unlink(missing_ok=True)
