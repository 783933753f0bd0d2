"""A board's network port opened before any work: the run's link gets that connection, and what its
server sent on it; a server that speaks no RFC 2217 is refused before a run directory is made."""

from __future__ import annotations

import socket
import subprocess
import sys
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


@pytest.mark.parametrize("words", [b"", b"login: "])
def test_an_rfc2217_port_whose_server_speaks_no_rfc2217_is_refused_before_any_work(words: bytes,
                                                                                  tmp_path: Path) -> None:
    """rig replay --target board --port rfc2217://HOST:PORT at a server that accepts TCP but speaks no RFC 2217
    (a raw TCP port, a console) passed the check, made a run directory, then failed on pyserial's 'Remote does
    not seem to support RFC2217 or BINARY mode [we-BINARY:...]'."""
    server = _Server(words)
    try:
        rec = tmp_path / "rec.csv"
        rec.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" + "".join(f"{k / 416!r},0,0,1,0,0,0\n"
                                                                             for k in range(832)))
        url = f"rfc2217://127.0.0.1:{server.port}?timeout=1"
        proc = subprocess.run([sys.executable, "-m", "rig", "replay", str(rec), "--target", "board", "--port", url,
                               "--runs-dir", "runs"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    finally:
        server.close()
    assert proc.returncode == 2, proc.stderr
    assert f"--port {url}: cannot open the link" in proc.stderr, proc.stderr
    assert f"127.0.0.1:{server.port} accepts a connection but does not answer RFC 2217's negotiation" in proc.stderr
    assert "socket://HOST:PORT for a raw TCP port" in proc.stderr
    assert len(proc.stderr.splitlines()) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rec.csv"]
