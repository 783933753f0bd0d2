"""rig.tail: the end of a large capture or log, read without the rest."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from rig.errors import LinkTimeout
from rig.link import Link
from rig.session import ReplaySession, Timeouts
from rig.tail import tail_bytes


@pytest.mark.parametrize("size, limit", [(0, 10), (5, 10), (10, 10), (100_000, 4096)])
def test_tail_bytes_is_the_end_of_the_file(tmp_path: Path, size: int, limit: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    (tmp_path / "f").write_bytes(data)
    assert tail_bytes(tmp_path / "f", limit) == data[-limit:]


def test_a_port_that_floods_is_described_from_the_end_of_its_capture(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A device that sent a flood and no HELLO: the handshake's 'what the port sent' read the whole
    rx.bin to look at its last 4 kB (a socket:// flood of 0xff 0xfb 0x2c, 896 MB in the 5 s of the
    handshake, took rig replay to 931 MB of memory). Only the end is read now."""
    whole = Path.read_bytes

    def never_rx(path: Path) -> bytes:
        assert path.name != "rx.bin", "the capture was read whole"
        return whole(path)

    monkeypatch.setattr(Path, "read_bytes", never_rx)
    server = socket.create_server(("127.0.0.1", 0))
    try:
        link = Link(f"socket://127.0.0.1:{server.getsockname()[1]}", tmp_path)
        conn, _ = server.accept()
        with link, conn:
            conn.sendall(b"\xff\xfb\x2c" * 100_000)
            with pytest.raises(LinkTimeout, match=r"what the port sent: 4096 bytes came back that are no frame"):
                ReplaySession(link, Timeouts(hello_s=0.3)).handshake()
    finally:
        server.close()
