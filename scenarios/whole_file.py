"""Files written whole or not at all.

A recording or a plot cut short (Ctrl-C, a signal, a full disk) would otherwise stay behind as a
shorter run or half an image under its own name. Each is written to a hidden part file beside its
path and put in place by one rename; cut short, the path keeps what it held before. A path that is
a device or a FIFO is written through, never replaced.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_whole(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(p) with a part file p beside path, then rename p onto path (through a symlink,
    onto the file it names); a device or FIFO at path is handed to write itself. The part file is
    removed whatever happens; write's exceptions pass through."""
    path = Path(path)
    if path.exists() and not path.is_file():
        write(path)
        return
    real = Path(os.path.realpath(path))
    part = real.with_name(f".{real.name}.part-{os.getpid()}")
    try:
        write(part)
        os.replace(part, real)
    finally:
        part.unlink(missing_ok=True)
