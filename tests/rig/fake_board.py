"""A board that misbehaves on purpose (test utility): a firmware played on a loopback TCP port.

It answers as the firmware does (HELLO, ACK of every frame in the run's session, a SUMMARY for END)
unless the test's hooks say otherwise: `on_frame(board, msg)` sees every frame the rig sends first
and returns True when it handled it itself; `summary` holds the SUMMARY it sends."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

from frame_spec import Message, MsgType, StreamDecoder, encode

HELLO: dict[str, Any] = {"protocol": 2, "fw_major": 1, "fw_minor": 0, "fw_patch": 0, "max_batch": 32,
                         "rx_buffer_bytes": 2048, "board": "host"}


def summary_of(duration_s: float, **fields: Any) -> dict[str, Any]:
    """A SUMMARY of a run of standing still for duration_s, with fields replaced."""
    out = {"strides": 0, "distance_m": 0.0, "duration_s": duration_s, "avg_pace_s_per_km": float("nan"),
           "avg_cadence_spm": float("nan"), "still_s": duration_s, "walk_s": 0.0, "run_s": 0.0, "stairs_s": 0.0,
           "dropped_samples": 0}
    out.update(fields)
    return out


class FakeBoard:
    """Serves one connection on 127.0.0.1 (url: socket://...) from a thread; close() ends it."""

    def __init__(self, summary: dict[str, Any] | None = None,
                 on_frame: Callable[[FakeBoard, Message], bool] | None = None) -> None:
        self.summary = summary if summary is not None else summary_of(3.0)
        self.on_frame = on_frame
        self.session = 0
        self.seq = 0
        self.received: list[Message] = []
        self._srv = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self._srv.getsockname()[1]}"
        self._conn: socket.socket | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def send(self, msg_type: MsgType, payload: dict[str, Any]) -> None:
        """Send one frame to the rig (nothing once the rig has gone)."""
        assert self._conn is not None
        try:
            self._conn.sendall(encode(msg_type, payload, self.seq))
        except OSError:
            return
        self.seq = (self.seq + 1) & 0xFFFF

    def ack(self, msg: Message) -> None:
        """Acknowledge a frame of the rig in the session of the last CONFIG."""
        self.send(MsgType.ACK, {"acked_seq": msg.seq, "status": 0, "session": self.session})

    def _answer(self, msg: Message) -> None:
        if msg.type is MsgType.CONFIG:
            self.session = msg.payload["session"]
        if self.on_frame is not None and self.on_frame(self, msg):
            return
        if msg.type is MsgType.CMD and msg.payload["op"] == "HELLO":
            self.send(MsgType.HELLO, HELLO)
        elif msg.type is MsgType.CMD and msg.payload["op"] == "END":
            self.send(MsgType.SUMMARY, self.summary)
        self.ack(msg)

    def _serve(self) -> None:
        try:
            conn, _ = self._srv.accept()
        except OSError:
            return
        self._conn = conn
        self.send(MsgType.HELLO, HELLO)
        decoder = StreamDecoder()
        with conn:
            while not self._stop.is_set():
                try:
                    data = conn.recv(65536)
                except OSError:
                    return
                if not data:
                    return
                for item in decoder.feed(data):
                    if isinstance(item, Message):
                        self.received.append(item)
                        self._answer(item)

    def close(self) -> None:
        """Stop serving and close the sockets."""
        self._stop.set()
        self._srv.close()
        if self._conn is not None:
            try:
                self._conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._thread.join(5.0)

    def __enter__(self) -> FakeBoard:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
