"""Opening a link keeps what the firmware sent before the port was open."""

from __future__ import annotations

import json
import math
import os
import socket
import tty
from pathlib import Path

from frame_spec import MsgType, encode
from rig.link import Link
from rig.records import STRIDE_FLOATS


def test_bytes_waiting_on_a_pty_at_open_are_captured_and_decoded(tmp_path: Path) -> None:
    """pyserial's open() flushes the tty input; the link must not lose a boot HELLO that way."""
    master, slave = os.openpty()
    tty.setraw(slave)  # as the host port sets its pty up
    try:
        frame = encode(MsgType.LOG, {"level": 1, "text": "booted"}, 0)
        os.write(master, frame)
        with Link(os.ttyname(slave), tmp_path) as link:
            msg = link.receive(2.0)
        assert msg is not None and msg.type is MsgType.LOG
        assert msg.payload["text"] == "booted"
        assert (tmp_path / "rx.bin").read_bytes() == frame
    finally:
        os.close(master)
        os.close(slave)


def test_bytes_sent_on_connect_are_captured(tmp_path: Path) -> None:
    """A socket peer that speaks first: its bytes are in the capture even when they beat open()."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        port = server.getsockname()[1]
        link = Link(f"socket://127.0.0.1:{port}", tmp_path)
        conn, _ = server.accept()
        with link, conn:
            conn.sendall(b"\x01\x02early")
            assert link.receive(0.5) is None
        assert (tmp_path / "rx.bin").read_bytes() == b"\x01\x02early"
    finally:
        server.close()


def test_closing_a_socket_link_ends_the_connection_and_the_files(tmp_path: Path) -> None:
    """close() shuts the socket down itself (not pyserial's close, which sleeps): the peer sees the end
    of the stream, the port is closed and a second close() is harmless."""
    server = socket.create_server(("127.0.0.1", 0))
    try:
        link = Link(f"socket://127.0.0.1:{server.getsockname()[1]}", tmp_path)
        conn, _ = server.accept()
        with conn:
            link.write_raw(b"\x00bye")
            port = link._port
            link.close()
            conn.settimeout(5.0)
            received = b""
            while chunk := conn.recv(64):
                received += chunk
            assert received == b"\x00bye"
            assert not port.is_open
            link.close()
        assert (tmp_path / "tx.bin").read_bytes() == b"\x00bye"
    finally:
        server.close()


def _strict_json(line: str) -> object:
    def refuse(token: str) -> object:
        raise ValueError(f"{token} is not JSON")
    return json.loads(line, parse_constant=refuse)


def test_frames_jsonl_is_strict_json_when_a_stride_was_not_measured(tmp_path: Path) -> None:
    """An unmeasured field is NaN on the wire; frames.jsonl writes it as null, as result.json does,
    not as the bare NaN token no JSON reader but Python's takes."""
    master, slave = os.openpty()
    tty.setraw(slave)
    payload = {"stride_no": 3, "ic_us": 1000, "tc_us": 1000, "strike": "heel", "activity": "run", "flags": 0,
               **{name: math.nan for name in STRIDE_FLOATS}}
    payload["fsa_deg"] = 12.5
    try:
        os.write(master, encode(MsgType.STRIDE, payload, 0))
        with Link(os.ttyname(slave), tmp_path) as link:
            msg = link.receive(2.0)
        assert msg is not None and math.isnan(msg.payload["gct_ms"])  # the frame itself keeps NaN
    finally:
        os.close(master)
        os.close(slave)
    (line,) = (tmp_path / "frames.jsonl").read_text().splitlines()
    entry = _strict_json(line)
    assert isinstance(entry, dict) and entry["payload"]["gct_ms"] is None and entry["payload"]["fsa_deg"] == 12.5
