"""Loopback ports for targets: pick a free one, and tell whether a given process listens on one."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def free_port() -> int:
    """A loopback TCP port nobody listens on right now.

    Another process may still take it before the caller binds it: a caller that
    launches a server on it checks that its own process got it (process_listens).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def process_listens(pid: int, port: int) -> bool:
    """True when process pid has a TCP socket listening on port (Linux /proc).

    Checking the owner, rather than connecting to the port, never steals a
    connection from whoever really serves it, and never mistakes another
    process that took the port for the one we started.
    """
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False
