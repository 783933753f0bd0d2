"""The end of a file that may be large (a capture, a target's log), read without reading the rest."""

from __future__ import annotations

import os
from pathlib import Path


def tail_bytes(path: Path, limit: int) -> bytes:
    """The last `limit` bytes of the file at path (all of it when shorter). A device that floods
    the link, or a firmware that floods its stderr, can make the file gigabytes long: only its end
    is read. OSError as open() and read() raise it."""
    with open(path, "rb") as f:
        size = f.seek(0, os.SEEK_END)
        f.seek(max(0, size - limit))
        return f.read(limit)
