"""One replay run over a link: HELLO, CONFIG, sample batches with acknowledgements, END, SUMMARY."""

from __future__ import annotations

import queue
import secrets
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
from construct import ConstructError

from frame_spec import Message, MsgType, encode
from frame_spec.messages import MAX_BATCH_SAMPLES, PROTOCOL_VERSION, Mode, Op
from rig.app_view import RscSample
from rig.boards import describe_answer
from rig.errors import FirmwareRestarted, LinkError, LinkTimeout, RigError
from rig.inject import RawStream
from rig.link import Link
from rig.progress import ProgressClock, WallClock
from rig.progress_line import ProgressCallback
from rig.records import RunResult, Stride, Summary, Tally, tc_measured
from rig.stride_times import FirmwareClock, Placed, place_stride, time_doubts
from rig.tail import tail_bytes


@dataclass(frozen=True)
class Timeouts:
    """How long to wait for the firmware, s."""

    hello_s: float = 5.0
    ack_s: float = 5.0
    summary_s: float = 10.0


#: Times CONFIG and END are sent again when their answer does not come (a lossy link).
RESENDS = 2
#: How long to wait for an answer to CMD HELLO before asking again, s.
HELLO_RETRY_S = 0.5

#: Most SAMPLE_BATCH frames in flight, however large the firmware's receive buffer (a firmware
#: announcing a large one, as the native build does, lets both sides wake up less often).
MAX_WINDOW = 64


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


def batch_bounds(index: np.ndarray, batch_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """(first, one past the last) position in `index` of each SAMPLE_BATCH: at most batch_samples
    samples of consecutive indices each (a gap in the indices starts a new batch)."""
    n = len(index)
    if n == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # runs of consecutive indices, each cut into batches of batch_samples from its start
    run_starts = np.concatenate(([0], np.flatnonzero(np.diff(index.astype(np.int64)) != 1) + 1))
    run_stops = np.append(run_starts[1:], n)
    per_run = -(-(run_stops - run_starts) // batch_samples)
    starts = np.repeat(run_starts, per_run) + batch_samples * (
        np.arange(per_run.sum()) - np.repeat(np.cumsum(per_run) - per_run, per_run))
    stops = np.minimum(starts + batch_samples, np.repeat(run_stops, per_run))
    return starts, stops


def check_protocol(hello: dict[str, Any], url: str, capture: Any = None) -> None:
    """Raise LinkError when a HELLO announces another protocol than this rig's (PROTOCOL_VERSION).

    Every frame's envelope carries the version too, but a firmware of another protocol may keep the
    envelope and change what a message means (CONFIG's session, ACK's fields): its answers would be
    read as this protocol's, and judged wrongly."""
    protocol = hello.get("protocol")
    if protocol == PROTOCOL_VERSION:
        return
    fw = f"{hello.get('fw_major')}.{hello.get('fw_minor')}.{hello.get('fw_patch')}"
    raise LinkError(f"the firmware on {url} announced protocol {protocol} in its HELLO (board {hello.get('board')!r}, "
                    f"firmware {fw}); this rig speaks protocol {PROTOCOL_VERSION}: run the firmware built from this "
                    "tree (make -C firmware_c host arm), or the rig of that firmware's version", capture)


class ReplaySession:
    """Drives one replay of a RawStream through a Link and collects the answers.

    Batch size and the number of batches in flight come from the firmware's HELLO
    (see flow_from_hello) unless `window` fixes the latter."""

    def __init__(self, link: Link, timeouts: Timeouts = Timeouts(), window: int | None = None,
                 clock: ProgressClock | None = None, lossy: bool = False,
                 progress: ProgressCallback | None = None,
                 hello_check: Callable[[dict[str, Any]], None] | None = None) -> None:
        self.link = link
        #: Called as samples go out: (samples sent, samples in all, Hz) (rig.progress_line shows it).
        self.progress = progress
        #: Raises when the HELLO is not the firmware this run expects (a board's profile).
        self.hello_check = hello_check
        #: Carry on over a lossy link: infer lost batches from later ACKs, send CONFIG and END again
        #: (RESENDS times) when their answer does not come. Off, a lost frame ends the run in a timeout.
        self.resends_allowed = RESENDS if lossy else 0
        self.lossy = lossy
        self.timeouts = timeouts
        #: What a wait is charged with: the target's own progress (see rig.progress), else wall time.
        self.clock = clock or WallClock()
        self.window = window
        self.batch_samples = MAX_BATCH_SAMPLES
        self.hello: dict[str, Any] | None = None
        self._summary: Summary | None = None
        self._acks: dict[int, int] = {}
        self._ack_sessions: dict[int, int] = {}
        self._clock: FirmwareClock | None = None
        self._configured = False  # STRIDE and SUMMARY count only after this run's CONFIG is acknowledged
        self.stale_frames = 0
        self._restarts_before = 0
        #: This run's session nonce: CONFIG carries it, and only ACKs that echo it answer this run.
        self.session_id = secrets.randbelow(0xFFFFFFFF) + 1
        self.stale_acks = 0
        #: ACKs of this session for a seq the rig never sent: why each was ignored.
        self.unsent_acks = Tally()
        # (stride_no, link seq, repeat, stride as placed on the recording, payload) of each STRIDE, as they came
        self._arrival: list[tuple[int, int, bool, Placed, dict[str, Any]]] = []
        self.renumbered: list[str] = []
        self.doubts: list[str] = []
        self.repeated_strides = 0
        self.lost_batches: list[str] = []
        #: Samples in those batches.
        self.samples_lost = 0
        self.resends: list[str] = []
        #: The RSC Measurements of this run, in order; frames whose value is no RSC Measurement.
        self.rsc: list[RscSample] = []
        self.rsc_errors = Tally()
        #: Called with every frame handled (the BLE peripheral follows the run through it).
        self.observers: list[Callable[[Message], None]] = []
        #: Frames other threads ask to send (the BLE peripheral's SC Control Point writes): sent from
        #: this session's thread whenever it waits, so the link has one writer.
        self.outbox: queue.Queue[tuple[MsgType, dict[str, Any]]] = queue.Queue()
        self._gatt_values: list[dict[str, Any]] = []
        #: When set (time.monotonic() of the first sample), stream() sends samples in real time.
        self.pace_t0: float | None = None
        #: Samples of this run the firmware acknowledged so far.
        self.samples_acked = 0
        self._boot_hello = ""
        self._reopens_before = 0

    def _restarted(self, evidence: str) -> None:
        """The firmware rebooted mid-run: its analyzer lost this run, so the run ends here, saying so."""
        raise FirmwareRestarted(
            f"the firmware on {self.link.url} restarted mid-run: {self._boot_hello}, and {evidence}. A reset (the "
            "RESET button, a flasher, a watchdog) or a brown-out; the strides of this run are lost: run it again",
            self.link.capture)

    def _handle(self, msg: Message) -> None:
        for observe in self.observers:
            observe(msg)
        if msg.type is MsgType.HELLO:
            if self._configured and msg.seq == 0 and not msg.repeat:
                self._boot_hello = (f"a boot HELLO (seq 0) came after this run's CONFIG, {self.samples_acked} samples "
                                    f"into the run, at byte {self.link.rx_bytes} of the capture")
                if len(self.link.reopens) > self._reopens_before:
                    self._restarted("the port vanished and came back")
            self.hello = msg.payload
        elif msg.type is MsgType.ACK:
            # Until this run's CONFIG is acknowledged the firmware answers in whichever session it is
            # in (the handshake's CMD HELLO); the CONFIG's own ACK and every later one echo this run's.
            if msg.payload["session"] == self.session_id and not self.link.has_sent(msg.payload["acked_seq"]):
                # An answer to nothing: taken, it would answer the frame of that seq once it is sent
                self.unsent_acks.add(
                    f"link seq {msg.seq}: an ACK of seq {msg.payload['acked_seq']} (status {msg.payload['status']}), "
                    f"which the rig never sent (it has sent seq 0..{self.link.frames_sent - 1}); ignored: a "
                    "firmware that acknowledges what it did not receive, or a corrupt acked_seq")
            elif msg.payload["session"] == self.session_id or not self._configured:
                self._acks[msg.payload["acked_seq"]] = msg.payload["status"]
                self._ack_sessions[msg.payload["acked_seq"]] = msg.payload["session"]
            else:
                self.stale_acks += 1
                if self._boot_hello and msg.payload["session"] == 0:
                    self._restarted("its ACKs now carry no session (0): it lost this run's CONFIG")
        elif msg.type in (MsgType.STRIDE, MsgType.SUMMARY) and not self._configured:
            # Left over from before this run (still in the port's buffer when it was
            # opened): kept in the capture, never counted as this run's answer.
            self.stale_frames += 1
        elif msg.type is MsgType.STRIDE and self._clock is not None:
            self._add_stride(msg, self._clock)
        elif msg.type is MsgType.SUMMARY:
            self._summary = Summary.from_payload(msg.payload)
        elif msg.type is MsgType.RSC_MEASUREMENT and self._configured and self._clock is not None:
            self._add_rsc(msg, self._clock)
        elif msg.type is MsgType.GATT_VALUE:
            self._gatt_values.append(msg.payload)

    def _add_rsc(self, msg: Message, clock: FirmwareClock) -> None:
        value = bytes.fromhex(msg.payload["value"])
        if msg.repeat and self.rsc and self.rsc[-1].value == value.hex():
            return  # the link repeated the frame just before
        t_s, outside = clock.place(msg.payload["t_us"])
        if outside is not None:  # a time that cannot be: no measurement the phone could be shown then
            self.rsc_errors.add(f"link seq {msg.seq}: t_us {outside}")
            return
        try:
            self.rsc.append(RscSample.from_value(t_s, value))
        except ConstructError as exc:
            self.rsc_errors.add(f"link seq {msg.seq}: value {value.hex(' ') or 'empty'} is malformed "
                                   f"({str(exc).splitlines()[0]})")

    def _add_stride(self, msg: Message, clock: FirmwareClock) -> None:
        """Keep a STRIDE as it came; _resolve_strides sorts them out at the end of the run."""
        placed = place_stride(msg.payload, clock, tc_measured(msg.payload))
        self._arrival.append((int(msg.payload["stride_no"]), msg.seq, msg.repeat, placed, msg.payload))

    def _resolve_strides(self) -> tuple[list[Stride], list[int]]:
        """Each stride once, in the firmware's order, from the STRIDE frames as they came.

        A repeated frame with the same content is kept once. A stride_no seen before with other
        values is a contradiction (the first is kept, marked in doubt), unless the numbers go back
        below the two strides before it, in a frame that is no repeat, and the next stride confirms
        the new count by following it: the firmware's analyzer was reset, its strides are kept as a
        new series (a lossy link may have lost the first of them). A stride whose number follows neither the stride
        before it nor precedes the one after it (in arrival order) is out of sequence, marked in
        doubt; strides lost on the link leave a hole in the numbers, which the strides after the
        hole still confirm."""
        series: list[dict[int, Stride]] = [{}]
        placed: dict[tuple[int, int], Placed] = {}  # (series, stride_no): the stride kept, as placed
        doubtful: set[tuple[int, int]] = set()  # (series, stride_no)
        kept_order: list[tuple[int, int, int]] = []  # (series, stride_no, link seq) as they came
        arrival = self._arrival
        for i, (no, seq, repeat, here, payload) in enumerate(arrival):
            stride = here.stride
            cur = series[-1]
            in_cur = [n for k, n, _ in kept_order[-2:] if k == len(series) - 1]
            before_last, last_no = ([-1, -1] + in_cur)[-2:]
            # Back below the two strides before it: a new count (a number only below the last one
            # is that one out of sequence).
            going_back = no < last_no and no <= before_last
            if no in cur or (going_back and not repeat):
                nxt = arrival[i + 1][0] if i + 1 < len(arrival) else None
                if no in cur and repeat and self._same_stride(cur[no], payload):
                    self.repeated_strides += 1
                    continue
                if going_back and not repeat and nxt == no + 1:
                    self.renumbered.append(f"the firmware's stride numbers restarted at {no} after stride_no "
                                           f"{kept_order[-1][1]} (link seq {seq}): its analyzer was reset")
                    series.append({})
                    cur = series[-1]
                elif no in cur:
                    doubtful.add((len(series) - 1, no))
                    self.doubts.append(f"stride_no {no} arrived twice with different values (link seq {seq}); "
                                       "the first is kept")
                    continue
            cur[no] = stride
            placed[(len(series) - 1, no)] = here
            kept_order.append((len(series) - 1, no, seq))
        for i, (k, no, seq) in enumerate(kept_order):
            before = kept_order[i - 1][1] if i > 0 and kept_order[i - 1][0] == k else -1
            after = kept_order[i + 1][1] if i + 1 < len(kept_order) and kept_order[i + 1][0] == k else None
            if no == before + 1 or (after is not None and after == no + 1):
                continue
            doubtful.add((k, no))
            self.doubts.append(f"stride_no {no} (link seq {seq}) is out of sequence: it came after {before}"
                               + (f" and before {after}" if after is not None else ""))
        for k, numbered in enumerate(series):
            nos = sorted(numbered)
            for pos, why in time_doubts([placed[(k, no)] for no in nos]):
                doubtful.add((k, nos[pos]))
                self.doubts.append(why)
        keyed = [((k, no), stride) for k, numbered in enumerate(series) for no, stride in sorted(numbered.items())]
        return [stride for _, stride in keyed], [i for i, (key, _) in enumerate(keyed) if key in doubtful]

    @staticmethod
    def _same_stride(kept: Stride, payload: dict[str, Any]) -> bool:
        again = Stride.from_values(payload["stride_no"], kept.ic_s, kept.tc_s, payload)
        return all(again[k] == kept[k] for k in again if k not in ("ic_s", "tc_s"))

    def _wait(self, done: Any, timeout_s: float, expected: str) -> None:
        """Handle frames until done(); LinkTimeout once the wait has been charged timeout_s (self.clock)."""
        clock = self.clock
        clock.start()
        while not done():
            while not self.outbox.empty():
                self.link.send(*self.outbox.get_nowait())
            left = timeout_s - clock.charged()
            msg = self.link.receive(min(left, 0.1)) if left > 0 else None
            if msg is None and left > 0:
                continue
            if msg is None and self._boot_hello:
                self._restarted(f"then it did not send {expected} within {timeout_s:g} s")
            if msg is None:
                how = "" if isinstance(clock, WallClock) else f" ({clock.describe()})"
                raise LinkTimeout(f"the firmware on {self.link.url} did not send {expected} within {timeout_s:g} s{how} "
                                  f"({self._received()})", self.link.capture)
            self._handle(msg)

    def _received(self) -> str:
        """What the link received in all, for a timeout message: bytes, an unfinished frame, corrupt frames."""
        pending = self.link.pending_bytes
        bad, last_bad = self.link.frame_error_count, self.link.last_frame_error
        return (f"{self.link.rx_bytes} bytes received in all"
                + (f", an unfinished frame: {pending[:32].hex(' ')}" if pending else "")
                + (f"; {bad} corrupt frame(s) dropped, the last: {last_bad}" if bad else ""))

    def wait_for(self, done: Callable[[], bool], timeout_s: float, expected: str) -> None:
        """Handle frames (and send the outbox) until done(); LinkTimeout naming `expected` after timeout_s."""
        self._wait(done, timeout_s, expected)

    def _gatt(self, msg_type: MsgType, payload: dict[str, Any], what: str) -> bytes:
        """Send a GATT_READ or GATT_WRITE and return the value the firmware answers it with."""
        seq = self.link.send(msg_type, payload)
        uuid = payload["uuid"]
        got = lambda: seq in self._acks and (self._acks[seq] != 0 or any(v["uuid"] == uuid for v in self._gatt_values))  # noqa: E731
        self._wait(got, self.timeouts.ack_s, f"GATT_VALUE answering {what}")
        self._ack(seq, what)
        value = next(v for v in self._gatt_values if v["uuid"] == uuid)
        self._gatt_values.remove(value)
        return bytes.fromhex(value["value"])

    def gatt_read(self, uuid: int) -> bytes:
        """The value of the firmware's characteristic `uuid` (LinkError if it refuses the read)."""
        return self._gatt(MsgType.GATT_READ, {"uuid": uuid}, f"GATT_READ of 0x{uuid:04x}")

    def gatt_write(self, uuid: int, value: bytes) -> bytes:
        """Write the firmware's characteristic `uuid`; the value it indicates in answer (the SC Control
        Point's response). LinkError if it refuses the write."""
        return self._gatt(MsgType.GATT_WRITE, {"uuid": uuid, "value": value.hex()}, f"GATT_WRITE of 0x{uuid:04x}")

    def take_gatt_values(self) -> list[dict[str, Any]]:
        """GATT_VALUE payloads that arrived unasked-for by gatt_read/gatt_write (answers to the outbox)."""
        values, self._gatt_values = self._gatt_values, []
        return values

    def take(self, msg: Message) -> None:
        """Handle a frame received outside this session's own waits (HELLO, ACK, STRIDE, SUMMARY)."""
        self._handle(msg)

    def acked(self, seq: int) -> bool:
        """Whether this session's ACK of seq has come."""
        return self._acked(seq)

    def _acked(self, seq: int) -> bool:
        """Whether this session's ACK of seq has come."""
        return seq in self._acks and self._ack_sessions[seq] == self.session_id

    def _ack(self, seq: int, what: str) -> None:
        self._ack_sessions.pop(seq, None)
        status = self._acks.pop(seq)
        if status != 0:
            raise LinkError(f"the firmware refused {what} (seq {seq}): errno {-status}", self.link.capture)

    def handshake(self) -> dict[str, Any]:
        """Wait for HELLO, asking for it if the boot HELLO does not come at once
        (a board that booted before the port was open sent it to nobody), and asking
        again until it is answered within hello_s: a target may not listen yet (an
        emulated UART drops what arrives before the firmware enables its receiver)."""
        first = min(0.1, self.timeouts.hello_s)
        t0 = time.monotonic()
        try:
            self._wait(lambda: self.hello is not None, first, "HELLO")
        except LinkTimeout:
            # Ask again every HELLO_RETRY_S until answered: hello_s in all (times RESENDS + 1 on a lossy link),
            # charged as every wait is (self.clock: an emulated target's own progress), never the wall clock
            total_s = self.timeouts.hello_s * (self.resends_allowed + 1)
            charged_s = 0.0
            cpu_s, idle_s = self.clock.cpu_charged_s, self.clock.wall_charged_s  # over every try
            sent: list[int] = []
            while True:
                sent.append(self.link.send(MsgType.CMD, {"op": Op.HELLO.name}))
                try:
                    self._wait(lambda: self.hello is not None and (self.lossy or any(s in self._acks for s in sent)),
                               min(HELLO_RETRY_S, max(total_s - charged_s, 0.0)), "HELLO")
                    break
                except LinkTimeout:
                    charged_s += max(self.clock.charged(), 1e-3)  # what this attempt was charged
                    cpu_s += self.clock.cpu_charged_s
                    idle_s += self.clock.wall_charged_s
                    if charged_s < total_s:
                        continue
                    raise LinkTimeout(self._no_hello(total_s, sent, cpu_s, idle_s, time.monotonic() - t0),
                                      self.link.capture) from None
            for s in sent:
                self._acks.pop(s, None)
                self._ack_sessions.pop(s, None)
        assert self.hello is not None
        if self.hello_check is not None:
            try:
                self.hello_check(self.hello)
            except LinkError:
                raise
            except RigError as exc:  # another board's HELLO: named without the capture that holds it
                raise LinkError(str(exc), self.link.capture) from None
        check_protocol(self.hello, self.link.url, self.link.capture)
        self.batch_samples, window = flow_from_hello(self.hello)
        self.window = self.window or window
        return self.hello

    def _no_hello(self, total_s: float, sent: list[int], cpu_s: float, idle_s: float, wall_s: float) -> str:
        """Why the handshake gave up: every try and what they were charged in all (not the last one's)."""
        progress = ("" if isinstance(self.clock, WallClock) else
                    f", {cpu_s:.1f} s of the target's CPU time while it ran and {idle_s:.1f} s while it waited")
        return (f"the firmware on {self.link.url} did not send HELLO within {total_s:g} s: {len(sent) + 1} tries (its "
                f"boot HELLO awaited, then CMD HELLO {len(sent)} time(s), each given up to {HELLO_RETRY_S:g} s), "
                f"charged {cpu_s + idle_s:.1f} s of the target's progress in all{progress}, over {wall_s:.1f} s of wall "
                f"time ({self._received()}); sent CMD HELLO {len(sent)} time(s) (seq {sent[0]}..{sent[-1]}); "
                f"received: HELLO {'yes' if self.hello else 'no'}, ACKs of seq {sorted(self._acks) or 'none'}"
                + ("" if self.hello else f"\n  what the port sent: {self._describe_answer()}"))

    def _describe_answer(self) -> str:
        try:
            data = tail_bytes(self.link.capture, 4096)
        except OSError:
            data = b""
        return describe_answer(data, self.link.frame_errors)

    def configure(self, raw: RawStream, mode: Mode = Mode.REPLAY) -> None:
        """Send CONFIG and wait for its acknowledgement."""
        cfg = {"odr_mhz": raw.odr_mhz, "accel_fs_g": raw.accel_fs_g, "gyro_fs_dps": raw.gyro_fs_dps, "mode": mode.name}
        cfg["session"] = self.session_id
        sent: list[int] = []
        for attempt in range(1, self.resends_allowed + 2):
            # A CONFIG lost on the way (or its ACK) is sent again: it only restarts an analyzer
            # that has no samples yet.
            seq = self.link.send(MsgType.CONFIG, cfg)
            sent.append(seq)
            try:
                self._wait(lambda seq=seq: self._acked(seq), self.timeouts.ack_s, f"ACK of CONFIG {cfg}")
                break
            except LinkTimeout as exc:
                if attempt > self.resends_allowed:
                    raise self._every_try(exc, "CONFIG", sent, self.timeouts.ack_s) from None
                self.resends.append(f"CONFIG (seq {seq}) had no ACK: sent again")
        self._ack(seq, f"CONFIG {cfg}")
        self._configured = True
        for other in [s for s, sess in self._ack_sessions.items() if sess != self.session_id]:
            self.stale_acks += 1  # answered in an earlier session: never this run's
            del self._acks[other], self._ack_sessions[other]
        self._restarts_before = self.link.restarts
        self._reopens_before = len(self.link.reopens)

    def stream(self, raw: RawStream) -> None:
        """Send every sample in SAMPLE_BATCH frames, at most `window` unacknowledged.

        Once a quarter of the window (at least one batch) is free, the batches that fill it
        again leave in one write (Link.together): with a large window the firmware and the
        rig wake once per group of batches, not once per batch. Paced replays send one batch
        at a time, each when its first sample would have been measured."""
        window = self.window or 1
        refill = 1 if self.pace_t0 is not None else max(1, window // 4)
        starts, stops = batch_bounds(raw.index, self.batch_samples)
        first_index = raw.index[starts].tolist()
        last_index = raw.index[stops - 1].tolist()
        starts_l, stops_l = starts.tolist(), stops.tolist()
        n, nb = len(raw.index), len(starts_l)
        inflight: deque[int] = deque()
        batches: dict[int, int] = {}  # seq -> batch number
        b = 0
        while b < nb or inflight:
            room = window - len(inflight)
            if b < nb and room >= min(refill, nb - b):
                group = 1 if self.pace_t0 is not None else room
                if self.pace_t0 is not None:
                    # real time: a batch leaves when its first sample would have been measured
                    time.sleep(max(0.0, self.pace_t0 + float(raw.t_s[starts_l[b]] - raw.t_s[0]) - time.monotonic()))
                end = min(nb, b + group)
                with self.link.together():
                    for k in range(b, end):
                        seq = self.link.send_samples(first_index[k], raw.counts[starts_l[k]:stops_l[k]])
                        inflight.append(seq)
                        batches[seq] = k
                b = end
                if self.progress is not None:
                    self.progress(stops_l[b - 1], n, raw.odr_mhz / 1000.0)
                continue
            seq = inflight[0]
            # The firmware answers frames in order: an ACK of a later batch means this one
            # (or its ACK) was lost on the link. The run goes on and reports it.
            try:
                self._wait(lambda seq=seq: self._acked(seq) or (self.lossy and any(self._acked(s) for s in inflight)),
                           self.timeouts.ack_s, f"ACK of SAMPLE_BATCH seq {seq}")
            except LinkTimeout:
                if b < nb or not self.lossy:
                    raise
                # the last batches: END comes next, and its answer tells whether the firmware lives

            k = batches.pop(inflight.popleft())
            if self._acked(seq):
                self._ack(seq, "a SAMPLE_BATCH")
                self.samples_acked += last_index[k] - first_index[k] + 1
            else:
                self.lost_batches.append(f"SAMPLE_BATCH seq {seq} (samples {first_index[k]}..{last_index[k]}) "
                                         "or its ACK was lost on the link")
                self.samples_lost += stops_l[k] - starts_l[k]

    def _every_try(self, exc: LinkTimeout, what: str, sent: list[int], each_s: float) -> LinkTimeout:
        """The last try's timeout, saying how many times `what` was sent (its message named the last
        try's wait alone); exc itself when it was sent once."""
        if len(sent) < 2:
            return exc
        said = str(exc).split("\n  every byte")[0]
        return LinkTimeout(f"{said}; sent {what} {len(sent)} times (seq {sent[0]}..{sent[-1]}), each given up to "
                           f"{each_s:g} s", self.link.capture)

    def finish(self) -> None:
        """Send END and wait for the SUMMARY (END again if neither it nor its ACK comes: a lost
        END, or a lost SUMMARY, which the firmware sends again for a second END)."""
        sent: list[int] = []
        for attempt in range(1, self.resends_allowed + 2):
            seq = self.link.send(MsgType.CMD, {"op": Op.END.name})
            sent.append(seq)
            try:
                # a SUMMARY that came corrupt (an infinite figure) is the firmware's answer: no other comes
                self._wait(lambda seq=seq: (self._summary is not None and self._acked(seq))
                           or self.link.corrupt_summary is not None, self.timeouts.summary_s, "SUMMARY")
                break
            except LinkTimeout as exc:
                if self._summary is not None and self.lossy:
                    return  # only the ACK of END was lost: the SUMMARY answers for it
                if attempt > self.resends_allowed and self._summary is not None:
                    # the SUMMARY came: what did not is the ACK (a message saying no SUMMARY came sends
                    # whoever reads it looking for the wrong fault)
                    said = str(exc).split("\n  every byte")[0]
                    raise LinkTimeout(said.replace("did not send SUMMARY", f"sent its SUMMARY but no ACK of END "
                                                   f"(seq {seq})", 1), self.link.capture) from None
                if attempt > self.resends_allowed:
                    raise self._every_try(exc, "END", sent, self.timeouts.summary_s) from None
                self.resends.append(f"END (seq {seq}) had no SUMMARY: sent again")
        if self._summary is None:
            return  # its SUMMARY came corrupt: the run's corrupt report (RunResult.corrupt_summary)
        self._ack(seq, "END")

    def run(self, raw: RawStream, before_stream: Callable[[ReplaySession], None] | None = None) -> RunResult:
        """Handshake, configure, stream, finish: one whole replay. before_stream(self), if given, runs
        once the firmware is configured and before the first sample (the BLE peripheral starts there)."""
        t0 = time.monotonic()
        self._clock = FirmwareClock(raw)
        hello = self.handshake()
        self.configure(raw)
        if before_stream is not None:
            before_stream(self)
        self.stream(raw)
        self.finish()
        n = len(raw.index)
        # what the analyzer must count as dropped when every sample sent reaches it
        gaps = int(raw.index[-1]) - int(raw.index[0]) + 1 - n if n else 0
        span_s = (int(raw.index[-1]) - int(raw.index[0]) + 1) * 1000.0 / raw.odr_mhz if n else 0.0
        return self._result(raw, hello, t0, index_gaps=gaps, span_s=span_s)

    def run_live(self, raw: RawStream, run_s: float) -> RunResult:
        """A sensor-fed run: handshake, CONFIG in LIVE mode, then collect frames until
        the firmware's SUMMARY, which it sends when its sensor stream ends (within run_s)."""
        t0 = time.monotonic()
        self._clock = FirmwareClock(raw)
        hello = self.handshake()
        self.configure(raw, Mode.LIVE)
        self._wait(lambda: self._summary is not None or self.link.corrupt_summary is not None,
                   run_s + self.timeouts.summary_s,
                   "SUMMARY at the end of its sensor stream")
        return self._result(raw, hello, t0)

    def _corrupt_summary(self) -> str | None:
        """The SUMMARY frame that came corrupt, named, for the run's corrupt report; None when none did."""
        bad = self.link.corrupt_summary
        if bad is None:
            return None
        return f"the SUMMARY frame (seq {bad.seq}) is corrupt: {bad.reason}"

    def _result(self, raw: RawStream, hello: dict[str, Any], t0: float, index_gaps: int | None = None,
                span_s: float | None = None) -> RunResult:
        strides, in_doubt = self._resolve_strides()
        return RunResult(
            strides=strides,
            summary=self._summary,
            hello=hello,
            samples_sent=len(raw.index),
            wall_s=time.monotonic() - t0,
            frame_errors=tuple(str(e) for e in self.link.frame_errors),
            frame_error_count=self.link.frame_error_count,
            corrupt_summary=(self._corrupt_summary() if self._summary is None else None),
            seq_gaps=self.link.seq_gaps,
            logs=tuple(self.link.logs),
            stale_frames=self.stale_frames,
            restarts=self.link.restarts - self._restarts_before,
            reopens=tuple(self.link.reopens),
            stale_acks=self.stale_acks,
            unsent_acks=tuple(self.unsent_acks.kept),
            unsent_ack_count=self.unsent_acks.count,
            doubts=tuple(self.doubts),
            in_doubt=tuple(in_doubt),
            repeated_strides=self.repeated_strides,
            lost_batches=tuple(self.lost_batches),
            renumbered=tuple(self.renumbered),
            resends=tuple(self.resends),
            rsc=tuple(self.rsc),
            rsc_errors=tuple(self.rsc_errors.kept),
            rsc_error_count=self.rsc_errors.count,
            index_gaps=index_gaps,
            samples_lost=self.samples_lost,
            span_s=span_s,
        )
