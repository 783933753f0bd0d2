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


def test_a_flood_of_garbage_is_counted_not_kept_in_memory(tmp_path: Path) -> None:
    """A device sending 0x01 0x00 over and over (a frame error every 2 bytes) had the link keep every
    FrameError, about a kilobyte each: 416 kB of it took the rig to 480 MB, tens of MB would exhaust
    the memory, and the run's link problems printed a line per frame. The first 100 are kept, every
    one is counted, and the valid frame after the flood still comes. frames.jsonl, 33 times the
    size of rx.bin in such a flood (101 MB for 3 MB received), lists the first 1000 one by one and
    counts the rest in a line before the next frame."""
    from rig.link import KEPT_FRAME_ERRORS, LOGGED_FRAME_ERRORS
    from rig.records import SHOWN_FRAME_ERRORS, RunResult

    flood = b"\x01\x00" * 5000
    frame = encode(MsgType.LOG, {"level": 1, "text": "after"}, 0)
    server = socket.create_server(("127.0.0.1", 0))
    try:
        link = Link(f"socket://127.0.0.1:{server.getsockname()[1]}", tmp_path)
        conn, _ = server.accept()
        with link, conn:
            conn.sendall(flood + frame)
            msg = link.receive(10.0)
            assert msg is not None and msg.payload["text"] == "after"
            assert link.frame_error_count == 5000 and len(link.frame_errors) == KEPT_FRAME_ERRORS
            assert link.last_frame_error is not None and link.last_frame_error.reason.startswith("frame too short")
            errors = tuple(str(e) for e in link.frame_errors)
        assert (tmp_path / "rx.bin").read_bytes() == flood + frame
        lines = [json.loads(line) for line in (tmp_path / "frames.jsonl").read_text().splitlines()]
        # the first LOGGED_FRAME_ERRORS one by one, the rest counted in one line before the next frame
        assert len(lines) == LOGGED_FRAME_ERRORS + 2 and all("raw" in line for line in lines[:LOGGED_FRAME_ERRORS])
        assert lines[-2]["errors_not_listed"] == 5000 - LOGGED_FRAME_ERRORS and lines[-1]["type"] == "LOG"
        assert lines[-2]["last_error"].startswith("frame too short")
    finally:
        server.close()
    problems = RunResult([], None, {}, 0, 1.0, frame_errors=errors, frame_error_count=5000).link_problems()
    assert len(problems) == SHOWN_FRAME_ERRORS + 1
    assert problems[-1].startswith(f"{5000 - SHOWN_FRAME_ERRORS} more corrupt frame(s) from the firmware, 5000 in all")


def test_closing_a_link_a_firmware_floods_reads_on_a_bounded_amount(tmp_path: Path) -> None:
    """A firmware flooding a socket:// link with valid frames when the run ended (a LOG of 96 bytes over and over)
    had close() keep what was waiting for 64 reads of up to 64 kB: 3.4 MB decoded and logged to frames.jsonl, 6 s
    past the end of the wait that had ended the run. It now reads on at most CLOSE_DRAIN_BYTES (and a read's worth)."""
    import threading

    from rig.link import CLOSE_DRAIN_BYTES

    frame = encode(MsgType.LOG, {"level": 3, "text": "x" * 90}, 0)
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def flood(conn: socket.socket) -> None:
        with conn:
            while not stop.is_set():
                try:
                    conn.sendall(frame * 64)
                except OSError:
                    return

    try:
        link = Link(f"socket://127.0.0.1:{server.getsockname()[1]}", tmp_path)
        conn, _ = server.accept()
        flooder = threading.Thread(target=flood, args=(conn,), daemon=True)
        flooder.start()
        assert link.receive(10.0) is not None
        before = link.rx_bytes
        link.close()
        stop.set()
        flooder.join(10.0)
    finally:
        server.close()
    assert link.rx_bytes - before <= CLOSE_DRAIN_BYTES + 2 * 65536
    assert (tmp_path / "rx.bin").stat().st_size == link.rx_bytes  # every byte read is in the capture
