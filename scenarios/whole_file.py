"""Files written whole or not at all.

A recording or a plot cut short (Ctrl-C, a signal, a full disk) would otherwise stay behind as a
shorter run or half an image under its own name. Each is written to a hidden part file beside its
path and put in place by one rename; cut short, the path keeps what it held before. A path that is
a device or a FIFO is written through, never replaced.
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import time
from collections.abc import Callable
from pathlib import Path

#: How long an output FIFO may wait for a process to read it, s (as an input pipe for its first bytes).
READER_WAIT_S = 5.0


def open_fifo_for_writing(path: Path, wait_s: float = READER_WAIT_S) -> int | None:
    """A blocking write descriptor of the FIFO at path once a process reads it; None when path is no
    FIFO. Opened plainly, a FIFO nobody reads held the command for ever (rig record --out FIFO, --json
    FIFO after a whole replay). OSError (ENXIO) naming the wait when no reader comes within wait_s."""
    try:
        if not stat.S_ISFIFO(os.stat(path).st_mode):
            return None
    except OSError:
        return None
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
            break
        except OSError as exc:
            if exc.errno != errno.ENXIO:
                raise
            if time.monotonic() >= deadline:
                raise OSError(errno.ENXIO, f"no process read the FIFO within {wait_s:g} s: start its reader "
                              "first") from None
            time.sleep(0.05)
    fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
    return fd


def write_whole(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(p) with a part file p beside path, then rename p onto path (through a symlink,
    onto the file it names); a device or FIFO at path is handed to write itself. The part file is
    removed whatever happens; write's exceptions pass through."""
    path = Path(path)
    if path.exists() and not path.is_file():
        fd = open_fifo_for_writing(path)
        if fd is None:
            write(path)
            return
        try:  # written through this process's own end, held open so the reader sees no early end
            write(Path(f"/proc/self/fd/{fd}"))
        finally:
            os.close(fd)
        return
    real = Path(os.path.realpath(path))
    part = real.with_name(f".{real.name}.part-{os.getpid()}")
    try:
        write(part)
        os.replace(part, real)
    finally:
        part.unlink(missing_ok=True)
