"""Local serial ports: whether a path is one, whether it exists, and which processes hold it open."""

from __future__ import annotations

import errno
import glob
import math
import os
import stat
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from rig.errors import LinkError, RigError

#: Longest RFC 2217 negotiation an rfc2217://...?timeout=S URL may ask pyserial to wait for, s: its
#: wait for a silent server is pyserial's own, outside every bound of the rig.
MAX_NEGOTIATION_S = 30.0
#: What a path that is no character device is, for the refusal.
_NOT_A_PORT = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
               (stat.S_ISSOCK, "a socket"), (stat.S_ISBLK, "a block device"))
#: Where USB-serial adapters and the ST-LINK appear on Linux.
DEVICE_GLOBS = ("/dev/ttyACM*", "/dev/ttyUSB*", "/dev/serial/by-id/*")


def is_local(url: str) -> bool:
    """True for a device path (/dev/ttyACM0, a symlink to one), False for a pyserial URL (scheme://)."""
    return "://" not in url


def url_scheme(url: str) -> str:
    """The scheme of a pyserial URL in lower case, as pyserial reads it ('' for a device path): pyserial takes
    RFC2217:// and Socket:// for its own, so a check of the scheme as written let them through unchecked."""
    scheme, sep, _ = url.partition("://")
    return scheme.lower() if sep else ""


def check_network_url(url: str) -> None:
    """LinkError naming the fault when a socket:// or rfc2217:// URL (in any case) has no host or no port in
    1..65535 (pyserial's own message for these is a garbled format string); other URLs pass."""
    scheme, rest = url_scheme(url), url.partition("://")[2]
    if scheme not in ("socket", "rfc2217"):
        return
    hostport = rest.split("?", 1)[0].split("/", 1)[0]
    host, colon, port = hostport.rpartition(":")
    if not colon or not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise LinkError(f"cannot open the link {url!r}: {hostport!r} is no host:port with a port in 1..65535; "
                        f"give {scheme}://HOST:PORT (e.g. {scheme}://localhost:5000)")
    if scheme == "rfc2217":
        for value in urllib.parse.parse_qs(rest.partition("?")[2]).get("timeout", []):
            try:
                timeout_s = float(value)
            except ValueError:
                timeout_s = math.nan
            if not 0 < timeout_s <= MAX_NEGOTIATION_S:
                raise LinkError(f"cannot open the link {url!r}: timeout={value!r} is no wait for the RFC 2217 "
                                f"negotiation the rig can bound; give 0 < timeout <= {MAX_NEGOTIATION_S:g} s "
                                "(pyserial's default is 3) or leave it out")


@dataclass(frozen=True)
class Holder:
    """A process that has a port open."""

    pid: int
    command: str

    def __str__(self) -> str:
        return f"pid {self.pid} ({self.command})"


def _command(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    return " ".join(a.decode(errors="replace") for a in argv if a)[:120] or "?"


def holders(path: str, exclude: frozenset[int] = frozenset()) -> list[Holder]:
    """Processes (other than this one and those in exclude) with path open, from /proc (Linux)."""
    try:
        real = os.path.realpath(path)
    except OSError:
        return []
    found: list[Holder] = []
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in exclude or int(entry.name) == me:
            continue
        try:
            fds = list((entry / "fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(fd) == real:
                    found.append(Holder(int(entry.name), _command(int(entry.name))))
                    break
            except OSError:
                continue
    return found


def present_ports() -> list[str]:
    """Serial devices present now (ttyACM, ttyUSB, by-id names)."""
    return sorted({p for pattern in DEVICE_GLOBS for p in glob.glob(pattern)})


#: The kernel's table of terminal drivers: name, device node, major number, minor range, type (Linux).
TTY_DRIVERS = Path("/proc/tty/drivers")
#: Terminal drivers (by their type in TTY_DRIVERS) whose devices are no serial port, and what they are:
#: `--port /dev/tty` (a completion cut short) would write frames onto the user's own terminal.
_NO_SERIAL_TTY = (("system", "the system's terminal device (the controlling terminal, the console or the pty "
                             "multiplexer)"),
                  ("console", "a console (a virtual terminal)"),
                  ("pty:master", "the master side of a pseudo-terminal"))


def _tty_drivers() -> list[tuple[int, int, int, str]] | None:
    """(major, first minor, last minor, type) of every terminal driver, from TTY_DRIVERS; None where it
    cannot be read (no /proc: then no device is refused by its numbers)."""
    try:
        lines = TTY_DRIVERS.read_text().splitlines()
    except OSError:
        return None
    drivers = []
    for line in lines:
        fields = line.split()
        if len(fields) < 5:
            continue
        first, _, last = fields[-2].partition("-")
        try:
            drivers.append((int(fields[-3]), int(first), int(last or first), fields[-1]))
        except ValueError:
            continue
    return drivers or None


def no_serial_port(mode: int, rdev: int) -> str | None:
    """What a character device (its st_mode and st_rdev) is when it can be no serial port: a device of no
    terminal driver (/dev/null, /dev/zero) or of one that serves no line (/dev/tty, /dev/console); None when
    it may be one, or that cannot be told. Told by its numbers, without opening it: opening a device can do
    something (/dev/watchdog starts its countdown)."""
    if not stat.S_ISCHR(mode):
        return None
    drivers = _tty_drivers()
    if drivers is None:
        return None
    major, minor = os.major(rdev), os.minor(rdev)
    kind = next((kind for m, lo, hi, kind in drivers if m == major and lo <= minor <= hi), None)
    if kind is None:
        return "a character device but no terminal, so no serial port (every serial port is a terminal device)"
    what = next((what for prefix, what in _NO_SERIAL_TTY if kind.startswith(prefix)), None)
    return None if what is None else f"{what}, not a serial port"


def is_serial_device(path: str) -> bool:
    """Whether path is a character device that may be a serial port (see no_serial_port)."""
    try:
        st = os.stat(path)
    except OSError:
        return False
    return stat.S_ISCHR(st.st_mode) and no_serial_port(st.st_mode, st.st_rdev) is None


def _ports_line() -> str:
    present = present_ports()
    return f"Ports present now: {', '.join(present) if present else 'none'}"


def require_present(path: str) -> None:
    """Raise LinkError when a local port does not exist, or is no device a serial port can be (a
    regular file, a directory, a FIFO, a socket, a block device, a character device that is no
    terminal such as /dev/null), listing the ports that do exist."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, errno.ENOTDIR):  # a symlink loop, a directory it may not search
            raise LinkError(f"cannot open the link {path!r}: {exc.strerror}; give the board's serial device "
                            f"(/dev/ttyACM0, /dev/serial/by-id/...). {_ports_line()}") from None
        raise LinkError(
            f"cannot open the link {path!r}: no such serial port; check that the port exists: is the board plugged "
            f"in and powered (its USB cable, the ST-LINK's LED)? {_ports_line()}"
        ) from None
    mode = st.st_mode
    if stat.S_ISCHR(mode):
        # /dev/null, /dev/zero: refused here, before any work, rather than when the link opens (after the
        # run directory was made and the scenario synthesized)
        what = no_serial_port(mode, st.st_rdev)
        if what is not None:
            raise LinkError(f"cannot open the link {path!r}: it is {what}; give the board's serial device "
                            f"(/dev/ttyACM0, /dev/serial/by-id/...). {_ports_line()}")
        return
    kind = next((word for test, word in _NOT_A_PORT if test(mode)), "not a device")
    raise LinkError(f"cannot open the link {path!r}: it is {kind}, not a serial port; give the board's serial "
                    f"device (/dev/ttyACM0, /dev/serial/by-id/...) or a URL (socket://HOST:PORT). {_ports_line()}")


def not_a_terminal(path: str) -> LinkError:
    """The error for a character device that is no terminal (/dev/null, /dev/zero): no serial port."""
    return LinkError(f"cannot open the link {path!r}: it is a character device but no terminal (a serial port "
                     f"answers the terminal settings it refused); give the board's serial device (/dev/ttyACM0, "
                     f"/dev/serial/by-id/...). {_ports_line()}")


def busy_error(path: str, reason: str, exclude: frozenset[int] = frozenset()) -> RigError:
    """The error for a port another process holds: names each holder."""
    who = holders(path, exclude)
    held = "; held by " + ", ".join(map(str, who)) if who else ""
    return RigError(f"serial port {path} is busy ({reason}){held}: close that program (a terminal, "
                    "another rig run, ModemManager) or give another --port")
