"""Loopback ports for targets: pick a free one, and tell whether a given process listens on one."""

from __future__ import annotations

import ipaddress
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


def socket_inodes(pid: int) -> set[str]:
    """The inodes of pid's sockets (Linux /proc); empty when pid is gone or not readable."""
    out: set[str] = set()
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return out
    for fd in fds:
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            out.add(link[8:-1])
    return out


def listening_sockets() -> list[tuple[str, int, str]]:
    """(address, port, socket inode) of every TCP socket listening on this machine (Linux /proc/net/tcp
    and tcp6); addresses as 127.0.0.1, 0.0.0.0, ::1, ::."""
    out = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] != "0A":  # 0A: LISTEN
                continue
            hex_addr, hex_port = fields[1].rsplit(":", 1)
            raw = bytes.fromhex(hex_addr)
            # /proc prints the address as 32-bit words in host (little-endian) order
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            out.append((str(ipaddress.ip_address(words)), int(hex_port, 16), fields[9]))
    return out


def process_listens(pid: int, port: int) -> bool:
    """True when process pid has a TCP socket listening on port (Linux /proc).

    Checking the owner, rather than connecting to the port, never steals a
    connection from whoever really serves it, and never mistakes another
    process that took the port for the one we started.
    """
    inodes = {inode for _, p, inode in listening_sockets() if p == port}
    return bool(inodes & socket_inodes(pid))
