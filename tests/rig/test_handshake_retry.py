"""The handshake survives a target that is not listening yet: the rig asks for HELLO again until
answered, and when nothing answers the error says what was sent and what came."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from frame_spec import MsgType, StreamDecoder, encode
from rig.errors import LinkTimeout
from rig.link import Link
from rig.session import ReplaySession, Timeouts

HELLO = {"protocol": 1, "fw_major": 1, "fw_minor": 0, "fw_patch": 0, "max_batch": 16, "rx_buffer_bytes": 1024,
         "board": "deaf-at-first"}


def _firmware(srv: socket.socket, ignore: int, seen: list[int]) -> None:
    """Plays a firmware whose receiver is off for the first `ignore` frames: it drops them."""
    conn, _ = srv.accept()
    dec = StreamDecoder()
    seq = 0
    with conn:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            for item in dec.feed(data):
                if not hasattr(item, "type") or item.type is not MsgType.CMD:
                    continue
                seen.append(item.seq)
                if len(seen) <= ignore:
                    continue
                conn.sendall(encode(MsgType.HELLO, HELLO, seq) + encode(MsgType.ACK, {"acked_seq": item.seq,
                                                                                      "status": 0}, seq + 1))
                seq += 2


def _serve(ignore: int) -> tuple[socket.socket, list[int], threading.Thread]:
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    seen: list[int] = []
    th = threading.Thread(target=_firmware, args=(srv, ignore, seen), daemon=True)
    th.start()
    return srv, seen, th


def test_hello_is_asked_again_until_answered(tmp_path: Path) -> None:
    srv, seen, _ = _serve(ignore=3)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        hello = ReplaySession(link, Timeouts(hello_s=10)).handshake()
    assert hello["board"] == "deaf-at-first"
    assert len(seen) == 4  # three CMD HELLO dropped, the fourth answered


def test_no_answer_says_what_was_sent_and_what_came(tmp_path: Path) -> None:
    srv, seen, _ = _serve(ignore=1000)
    with srv, Link(f"socket://127.0.0.1:{srv.getsockname()[1]}", tmp_path) as link:
        with pytest.raises(LinkTimeout) as err:
            ReplaySession(link, Timeouts(hello_s=1.6)).handshake()
    text = str(err.value)
    assert "sent CMD HELLO" in text and "time(s)" in text and "received: HELLO no, ACKs of seq none" in text
    assert "0 bytes received" in text and len(seen) >= 3
