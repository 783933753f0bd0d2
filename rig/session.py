"""One replay run over a link: HELLO, CONFIG, sample batches with acknowledgements, END, SUMMARY."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from frame_spec import Message, MsgType, encode
from frame_spec.messages import MAX_BATCH_SAMPLES, Mode, Op
from rig.errors import LinkError, LinkTimeout
from rig.inject import RawStream
from rig.link import Link
from rig.records import RunResult, Stride, Summary, tc_measured

US_WRAP = 1 << 32


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for the firmware, s."""

    hello_s: float = 5.0
    ack_s: float = 5.0
    summary_s: float = 10.0


class _Clock:
    """Unwraps the firmware's 32-bit microsecond times and maps them onto the recording."""

    def __init__(self, raw: RawStream) -> None:
        self._raw = raw
        self._offset = 0
        self._last = 0

    def t_s(self, us: int) -> float:
        if us + self._offset < self._last - US_WRAP // 2:
            self._offset += US_WRAP
        self._last = us + self._offset
        return float(self._raw.index_to_t_s(self._last * self._raw.odr_mhz / 1e9))


def stride_from_payload(p: dict[str, Any], clock: _Clock) -> Stride:
    """A STRIDE payload as a Stride record (times on the recording's timeline).

    An unmeasured TC never reaches the clock: its time field is meaningless and
    would disturb the unwrapping of the 32-bit microsecond times."""
    tc_s = clock.t_s(p["tc_us"]) if tc_measured(p) else None
    return Stride.from_values(p["stride_no"], clock.t_s(p["ic_us"]), tc_s, p)


#: Most SAMPLE_BATCH frames in flight, however large the firmware's receive buffer.
MAX_WINDOW = 8


def batch_wire_bytes(samples: int) -> int:
    """Bytes on the wire of a SAMPLE_BATCH of `samples` samples, at worst (no zero byte for COBS to save)."""
    worst = {name: 0x0101 for name in ("ax", "ay", "az", "gx", "gy", "gz")}
    return len(encode(MsgType.SAMPLE_BATCH, {"first_index": 0x01010101, "samples": [worst] * samples}, 0x0101))


def flow_from_hello(hello: dict[str, Any]) -> tuple[int, int]:
    """(samples per SAMPLE_BATCH, batches in flight) that the firmware's HELLO allows:
    batches no longer than its max_batch, and never more bytes unacknowledged than
    its receive buffer holds. Raises LinkError if not even one batch fits."""
    batch = min(int(hello["max_batch"]), MAX_BATCH_SAMPLES)
    rx_bytes = int(hello["rx_buffer_bytes"])
    if batch < 1 or rx_bytes < batch_wire_bytes(1):
        raise LinkError(f"the firmware's HELLO allows no SAMPLE_BATCH (max_batch {hello['max_batch']}, "
                        f"rx_buffer_bytes {rx_bytes}): check its FRAME_MAX_BATCH_SAMPLES and FW_RX_RING_BYTES")
    while batch > 1 and batch_wire_bytes(batch) > rx_bytes:
        batch -= 1
    return batch, min(MAX_WINDOW, rx_bytes // batch_wire_bytes(batch))


class ReplaySession:
    """Drives one replay of a RawStream through a Link and collects the answers.

    Batch size and the number of batches in flight come from the firmware's HELLO
    (see flow_from_hello) unless `window` fixes the latter."""

    def __init__(self, link: Link, timeouts: Timeouts = Timeouts(), window: int | None = None) -> None:
        self.link = link
        self.timeouts = timeouts
        self.window = window
        self.batch_samples = MAX_BATCH_SAMPLES
        self.hello: dict[str, Any] | None = None
        self._strides: list[Stride] = []
        self._summary: Summary | None = None
        self._acks: dict[int, int] = {}
        self._clock: _Clock | None = None
        self._configured = False  # STRIDE and SUMMARY count only after this run's CONFIG is acknowledged
        self.stale_frames = 0
        self._restarts_before = 0

    def _handle(self, msg: Message) -> None:
        if msg.type is MsgType.HELLO:
            self.hello = msg.payload
        elif msg.type is MsgType.ACK:
            self._acks[msg.payload["acked_seq"]] = msg.payload["status"]
        elif msg.type in (MsgType.STRIDE, MsgType.SUMMARY) and not self._configured:
            # Left over from before this run (still in the port's buffer when it was
            # opened): kept in the capture, never counted as this run's answer.
            self.stale_frames += 1
        elif msg.type is MsgType.STRIDE and self._clock is not None:
            self._strides.append(stride_from_payload(msg.payload, self._clock))
        elif msg.type is MsgType.SUMMARY:
            self._summary = Summary.from_payload(msg.payload)

    def _wait(self, done: Any, timeout_s: float, expected: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not done():
            left = deadline - time.monotonic()
            msg = self.link.receive(left) if left > 0 else None
            if msg is None:
                pending = self.link.pending_bytes
                bad = self.link.frame_errors
                raise LinkTimeout(
                    f"the firmware on {self.link.url} did not send {expected} within {timeout_s:g} s "
                    f"({self.link.rx_bytes} bytes received in all"
                    + (f", an unfinished frame: {pending[:32].hex(' ')}" if pending else "")
                    + (f"; {len(bad)} corrupt frame(s) dropped, the last: {bad[-1]}" if bad else "")
                    + ")",
                    self.link.capture,
                )
            self._handle(msg)

    def _ack(self, seq: int, what: str) -> None:
        status = self._acks.pop(seq)
        if status != 0:
            raise LinkError(f"the firmware refused {what} (seq {seq}): errno {-status}", self.link.capture)

    def handshake(self) -> dict[str, Any]:
        """Wait for HELLO, asking for it if the boot HELLO does not come at once
        (a board that booted before the port was open sent it to nobody)."""
        first = min(0.1, self.timeouts.hello_s)
        try:
            self._wait(lambda: self.hello is not None, first, "HELLO")
        except LinkTimeout:
            seq = self.link.send(MsgType.CMD, {"op": Op.HELLO.name})
            self._wait(lambda: self.hello is not None and seq in self._acks, self.timeouts.hello_s, "HELLO")
            self._acks.pop(seq)
        assert self.hello is not None
        self.batch_samples, window = flow_from_hello(self.hello)
        self.window = self.window or window
        return self.hello

    def configure(self, raw: RawStream, mode: Mode = Mode.REPLAY) -> None:
        """Send CONFIG and wait for its acknowledgement."""
        cfg = {"odr_mhz": raw.odr_mhz, "accel_fs_g": raw.accel_fs_g, "gyro_fs_dps": raw.gyro_fs_dps, "mode": mode.name}
        seq = self.link.send(MsgType.CONFIG, cfg)
        self._wait(lambda: seq in self._acks, self.timeouts.ack_s, f"ACK of CONFIG {cfg}")
        self._ack(seq, f"CONFIG {cfg}")
        self._configured = True
        self._restarts_before = self.link.restarts

    def stream(self, raw: RawStream) -> None:
        """Send every sample in SAMPLE_BATCH frames, at most `window` unacknowledged."""
        window = self.window or 1
        inflight: list[int] = []
        n = len(raw.index)
        start = 0
        while start < n:
            # A batch holds consecutive indices only: a gap starts a new batch.
            stop = min(start + self.batch_samples, n)
            gap = np.nonzero(np.diff(raw.index[start:stop].astype(np.int64)) != 1)[0]
            if len(gap):
                stop = start + int(gap[0]) + 1
            rows = raw.counts[start:stop]
            samples = [dict(zip(("ax", "ay", "az", "gx", "gy", "gz"), map(int, r))) for r in rows]
            inflight.append(self.link.send(MsgType.SAMPLE_BATCH, {"first_index": int(raw.index[start]), "samples": samples}))
            start = stop
            while len(inflight) >= window or (start >= n and inflight):
                seq = inflight[0]
                self._wait(lambda seq=seq: seq in self._acks, self.timeouts.ack_s, f"ACK of SAMPLE_BATCH seq {seq}")
                self._ack(inflight.pop(0), "a SAMPLE_BATCH")

    def finish(self) -> None:
        """Send END and wait for the SUMMARY."""
        seq = self.link.send(MsgType.CMD, {"op": Op.END.name})
        self._wait(lambda: self._summary is not None and seq in self._acks, self.timeouts.summary_s, "SUMMARY")
        self._ack(seq, "END")

    def run(self, raw: RawStream) -> RunResult:
        """Handshake, configure, stream, finish: one whole replay."""
        t0 = time.monotonic()
        self._clock = _Clock(raw)
        hello = self.handshake()
        self.configure(raw)
        self.stream(raw)
        self.finish()
        return self._result(raw, hello, t0)

    def run_live(self, raw: RawStream, run_s: float) -> RunResult:
        """A sensor-fed run: handshake, CONFIG in LIVE mode, then collect frames until
        the firmware's SUMMARY, which it sends when its sensor stream ends (within run_s)."""
        t0 = time.monotonic()
        self._clock = _Clock(raw)
        hello = self.handshake()
        self.configure(raw, Mode.LIVE)
        self._wait(lambda: self._summary is not None, run_s + self.timeouts.summary_s,
                   "SUMMARY at the end of its sensor stream")
        return self._result(raw, hello, t0)

    def _result(self, raw: RawStream, hello: dict[str, Any], t0: float) -> RunResult:
        return RunResult(
            strides=self._strides,
            summary=self._summary,
            hello=hello,
            samples_sent=len(raw.index),
            wall_s=time.monotonic() - t0,
            frame_errors=tuple(str(e) for e in self.link.frame_errors),
            seq_gaps=self.link.seq_gaps,
            logs=tuple(self.link.logs),
            stale_frames=self.stale_frames,
            restarts=self.link.restarts - self._restarts_before,
        )
