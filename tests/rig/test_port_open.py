"""A board's network port opened before any work: the run's link gets that connection, and what its
server sent on it."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rig.link import Link
from rig.port_open import close_ahead
from rig.targets.board import BoardTarget

#: What the device behind the server says as it boots, on its first client's connection only.
BOOT = b"boot: stridelab firmware up\n"


class _Server:
    """A TCP server on loopback: on its first client it sends BOOT (a device booted by that connection, as QEMU's
    -serial tcp:...,server=on,wait=on does); every connection is kept open, and says nothing else."""

    def __init__(self, first_words: bytes) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        self.first_words = first_words
        self.conns: list[socket.socket] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            if not self.conns:
                conn.sendall(self.first_words)
            self.conns.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self.conns:
            conn.close()


@pytest.fixture
def booting_server() -> Iterator[_Server]:
    server = _Server(BOOT)
    try:
        yield server
    finally:
        close_ahead()
        server.close()


def _received(link: Link, size: int, bound_s: float = 10.0) -> None:
    """Pump the link until size bytes came, for at most bound_s."""
    deadline = time.monotonic() + bound_s
    while link.rx_bytes < size and time.monotonic() < deadline:
        link.pump(0.05)


def test_the_boot_messages_of_a_server_that_boots_on_its_first_client_reach_the_run(booting_server: _Server,
                                                                                     tmp_path: Path) -> None:
    """The check of a socket:// port connected and closed at once: a server that boots its device on its first
    client (QEMU with wait=on) sent the boot messages to that check, and the run's link never saw them. The
    check's connection is now the one the link takes."""
    url = f"socket://127.0.0.1:{booting_server.port}"
    BoardTarget(port=url, profile="host").require()
    with Link(url, tmp_path) as link:
        _received(link, len(BOOT))
    assert (tmp_path / "rx.bin").read_bytes() == BOOT
    assert len(booting_server.conns) == 1, "one connection: the check's, taken by the link"


def test_a_port_its_check_opened_is_given_once(booting_server: _Server, tmp_path: Path) -> None:
    """A second link to the same URL (the next scenario of rig run) connects anew."""
    url = f"socket://127.0.0.1:{booting_server.port}"
    BoardTarget(port=url, profile="host").require()
    with Link(url, tmp_path / "a") as first:
        _received(first, len(BOOT))
    with Link(url, tmp_path / "b"):
        pass
    assert (tmp_path / "a" / "rx.bin").read_bytes() == BOOT
    assert (tmp_path / "b" / "rx.bin").read_bytes() == b""
