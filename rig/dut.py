"""The test API for a team's own tests: a started firmware with its link, frames waited for by type.

    def test_contact_time(dut: Dut) -> None:
        dut.replay("steady_run")
        dut.expect("STRIDE", lambda s: s.gct_ms < 300, timeout=2)

`expect` searches the frames received since its last match (in order of arrival) for one of the
given type that the predicate accepts, reading the link as long as it must; a failure is an
`ExpectTimeout` (an AssertionError for pytest) that lists what did arrive: the decoded frames,
how many of each type, the bytes that did not decode, and the capture that holds every byte.
On an emulated target the timeout is charged with the target's own progress (rig.progress), so
a busy host never fails a working firmware. `send` builds any message of frame_spec by name.
"""

from __future__ import annotations

import inspect
import math
import os
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Union

from construct import ConstructError, Enum, Rebuild

from frame_spec import Message, MsgType, encode
from frame_spec.messages import PAYLOADS
from rig.errors import FirmwareFault, LinkTimeout, RigError
from rig.inject import to_raw
from rig.link import Link
from rig.progress import ProgressClock
from rig.records import RunResult
from rig.seed import checked_seed
from rig.session import ReplaySession, Timeouts
from rig.targets.base import Target
from scenarios.model import Recording

#: Frames listed one by one in an ExpectTimeout (the counts cover all of them).
SHOWN_FRAMES = 12
#: Unread frames the link's receive() inbox keeps while only expect() reads (history keeps all).
INBOX_KEEP = 4096


@dataclass(frozen=True)
class Frame:
    """A frame as a test sees it: `type` name, link `seq`, and each payload field as an attribute
    (`s.gct_ms`); `index` is its place among every frame the link received."""

    type: str
    seq: int
    payload: Mapping[str, Any]
    index: int

    def __getattr__(self, name: str) -> Any:
        payload = self.__dict__.get("payload", {})
        if name in payload:
            return payload[name]
        raise AttributeError(f"a {self.__dict__.get('type')} frame has no field {name!r}; "
                             f"its fields: {', '.join(payload)}")

    def __str__(self) -> str:
        return f"#{self.index} {self.type} seq {self.seq} {_brief(self.payload)}"


def _brief(payload: Mapping[str, Any], limit: int = 150) -> str:
    """A payload on one line: floats to 4 significant digits, long lists counted."""
    def fmt(v: Any) -> str:
        if isinstance(v, float):
            return "nan" if math.isnan(v) else format(v, ".4g")
        if isinstance(v, list):
            return f"[{len(v)} items]"
        return repr(v) if isinstance(v, str) else str(v)
    text = "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in payload.items()) + "}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


#: A step of expect_sequence: a type name, or (type name, predicate).
Step = Union[str, tuple[str, Callable[[Frame], bool]]]


class ExpectTimeout(LinkTimeout, AssertionError):
    """expect() or expect_sequence() found no matching frame in time; the message lists what arrived."""


def _type_name(frame_type: str | MsgType) -> str:
    """The MsgType name of frame_type; RigError listing the names for an unknown one."""
    name = frame_type.name if isinstance(frame_type, MsgType) else str(frame_type).upper()
    if name not in MsgType.__members__:
        raise RigError(f"{frame_type!r} is no message type of frame_spec; choose one of: {', '.join(MsgType.__members__)}")
    return name


def _describe(predicate: Callable[[Frame], bool] | None) -> str:
    """The predicate as its source reads (a lambda), else its name."""
    if predicate is None:
        return ""
    try:
        src = inspect.getsource(predicate).strip()
        if "lambda" in src:
            src = src[src.index("lambda"):]
            depth = 0
            for i, ch in enumerate(src):  # cut at the bracket or comma that closes the lambda
                depth += ch in "([{"
                depth -= ch in ")]}"
                if depth < 0 or (depth == 0 and ch == ","):
                    src = src[:i]
                    break
        return " matching " + (src if len(src) <= 100 else src[:97] + "...")
    except (OSError, TypeError):
        return f" matching {getattr(predicate, '__name__', repr(predicate))}"


def build_payload(msg_type: MsgType, fields: Mapping[str, Any]) -> dict[str, Any]:
    """fields checked against frame_spec's Struct of msg_type: every field given (except those
    construct computes, such as SAMPLE_BATCH's count), none unknown. RigError naming them otherwise."""
    struct = PAYLOADS[msg_type]
    needed = [sc.name for sc in struct.subcons if sc.name and not isinstance(getattr(sc, "subcon", None), Rebuild)]
    missing = [n for n in needed if n not in fields]
    unknown = [n for n in fields if n not in needed]
    if missing or unknown:
        raise RigError(f"{msg_type.name}: " + "; ".join(
            ([f"missing field(s) {', '.join(missing)}"] if missing else [])
            + ([f"unknown field(s) {', '.join(unknown)}"] if unknown else []))
            + f"; its fields are: {', '.join(needed)}")
    for sc in struct.subcons:
        if isinstance(sc.subcon, Enum) and sc.name in fields:
            names = [str(v) for v in sc.subcon.decmapping.values()]
            value = fields[sc.name]
            if str(value) not in names and value not in sc.subcon.decmapping:
                raise RigError(f"{msg_type.name} {sc.name}={value!r} is not one of {', '.join(names)}")
    return dict(fields)


def _bounded(timeout: Any, call: str) -> float:
    """timeout as seconds, when it is a finite number >= 0; RigError naming it otherwise (NaN or
    infinity would make a wait without a bound, a negative one no wait at all)."""
    try:
        value = float(timeout)
    except (TypeError, ValueError):
        value = math.nan
    if isinstance(timeout, bool) or not math.isfinite(value) or value < 0:
        raise RigError(f"dut.{call}(timeout={timeout!r}): give the seconds of the target's progress to wait, "
                       "a finite number >= 0 (every wait of the rig has a bound)")
    return value


def _recording(source: object, seed: object) -> Recording:
    """What dut.replay(source, seed) replays: a catalog scenario by name, a recording CSV by path, or a
    Recording; RigError naming the source (or a seed given with a recording, which has its samples)."""
    if isinstance(source, str):
        from scenarios.catalog import synthesize  # the catalog is only needed here
        return synthesize(source, seed=checked_seed(seed, f"dut.replay({source!r})"))
    if not isinstance(source, (os.PathLike, Recording)):
        shown = repr(source)
        raise RigError(f"dut.replay({shown[:60]}): give a catalog scenario's name (dut.replay('walk')), a "
                       "recording CSV's path (dut.replay(Path('run.csv'))) or a Recording")
    if seed is not None:
        raise RigError(f"dut.replay(..., seed={seed!r}): a seed is for a catalog scenario by name; a recording "
                       "has its samples already (leave seed out)")
    if isinstance(source, Recording):
        return source
    from scenarios.recording_csv import read_recording  # only needed for a file
    return read_recording(Path(source))


class Dut:
    """A started device under test: its target, open link and run directory, and the test API.

    Frames are read from the link only while a call waits; `received` holds every frame so far.
    """

    def __init__(self, target: Target, link: Link, run_dir: Path, clock: ProgressClock | None = None) -> None:
        self.target = target
        self.link = link
        self.run_dir = run_dir
        #: What a wait is charged with: the target's own progress (see rig.progress).
        self.clock = clock or target.progress_clock()
        #: The session nonce send() puts in a CONFIG that does not give one.
        self.session = secrets.randbelow(0xFFFFFFFF) + 1
        self._cursor = 0  # index in link.history of the first frame expect() has not passed
        self.last_replay: ReplaySession | None = None
        #: Set when the target was stopped (the test that asked for this Dut ended): why it is over.
        self.stopped: str | None = None

    def stop(self, why: str) -> None:
        """Mark this Dut over (its target stopped, its link closed): every later call says so."""
        self.stopped = why

    def _require_running(self, call: str) -> None:
        if self.stopped is not None:
            raise RigError(f"dut.{call}(): this dut is over: {self.stopped}. A dut serves the test that asked for "
                           "it while that test runs; ask for the dut fixture in the test that uses it "
                           f"(captures: {self.run_dir})")

    # -- frames ---------------------------------------------------------------
    @property
    def received(self) -> list[Frame]:
        """Every frame decoded so far, in order of arrival."""
        return [self._frame(i) for i in range(len(self.link.history))]

    def _frame(self, i: int) -> Frame:
        msg: Message = self.link.history[i]
        return Frame(msg.type.name, msg.seq, msg.payload, i)

    def _search(self, name: str, predicate: Callable[[Frame], bool] | None, start: int) -> Frame | None:
        for i in range(start, len(self.link.history)):
            if self.link.history[i].type.name == name:
                frame = self._frame(i)
                if predicate is None or predicate(frame):
                    return frame
        return None

    def _wait_for(self, name: str, predicate: Callable[[Frame], bool] | None, start: int,
                  timeout_s: float, spent_s: float = 0.0) -> tuple[Frame | None, float]:
        """(the first matching frame at or after history index start, or None; seconds charged in all)."""
        clock = self.clock
        clock.start()
        scanned = start
        while True:
            frame = self._search(name, predicate, scanned)
            if frame is not None:
                return frame, spent_s + clock.charged()
            scanned = len(self.link.history)
            left = timeout_s - spent_s - clock.charged()
            if left <= 0:
                return None, spent_s + clock.charged()
            try:
                self.link.pump(min(left, 0.1))
            except FirmwareFault:
                if name == MsgType.FAULT.name:
                    continue  # the FAULT frame is in history: the next search finds it
                raise
            self.link.trim_inbox(INBOX_KEEP)

    def expect(self, frame_type: str | MsgType, predicate: Callable[[Frame], bool] | None = None,
               timeout: float = 2.0) -> Frame:
        """The next frame of frame_type (e.g. "STRIDE") that predicate accepts, received since the last
        match; waits up to timeout seconds of the target's progress. Frames of other types, or that the
        predicate refuses, are passed over (they stay in `received`). ExpectTimeout lists what came."""
        self._require_running("expect")
        timeout = _bounded(timeout, "expect")
        name = _type_name(frame_type)
        frame, charged_s = self._wait_for(name, predicate, self._cursor, timeout)
        if frame is None:
            raise self._timeout(f"{name}{_describe(predicate)}", timeout, charged_s, self._cursor)
        self._cursor = frame.index + 1
        return frame

    def expect_sequence(self, *steps: Step, timeout: float = 5.0) -> list[Frame]:
        """Frames matching steps in this order (others may come between), each a type name or
        (type name, predicate); all within timeout seconds of the target's progress together."""
        self._require_running("expect_sequence")
        timeout = _bounded(timeout, "expect_sequence")
        if not steps:
            raise RigError("expect_sequence needs at least one step: a type name or (type name, predicate)")
        parsed: list[tuple[str, Callable[[Frame], bool] | None]] = []
        for step in steps:
            if isinstance(step, tuple) and len(step) == 2 and callable(step[1]):
                parsed.append((_type_name(step[0]), step[1]))
            elif isinstance(step, (str, MsgType)):
                parsed.append((_type_name(step), None))
            else:
                raise RigError(f"expect_sequence step {step!r}: give a type name or (type name, predicate)")
        found: list[Frame] = []
        start, spent_s = self._cursor, 0.0
        for k, (name, predicate) in enumerate(parsed):
            frame, spent_s = self._wait_for(name, predicate, start, timeout, spent_s)
            if frame is None:
                done = "; ".join(str(f) for f in found) or "none"
                raise self._timeout(f"step {k + 1} of {len(parsed)}, {name}{_describe(predicate)} "
                                    f"(steps matched before it: {done})", timeout, spent_s, self._cursor)
            found.append(frame)
            start = frame.index + 1
        self._cursor = start
        return found

    def _timeout(self, what: str, timeout_s: float, charged_s: float, since: int) -> ExpectTimeout:
        history = self.link.history
        frames = [self._frame(i) for i in range(since, len(history))]
        counts = Counter(f.type for f in frames)
        lines = [f"expected {what} within {timeout_s:g} s on {self.target.name} "
                 f"({charged_s:.1f} s charged: {self.clock.describe()})",
                 f"  received since the last match: {len(frames)} frame(s)"
                 + (": " + ", ".join(f"{n} x{c}" for n, c in counts.most_common()) if frames else "")
                 + f" ({len(history)} in all, {self.link.rx_bytes} bytes)"]
        if frames:
            shown = frames[-SHOWN_FRAMES:]
            lines.append(f"  the last {len(shown)}:" if len(frames) > len(shown) else "  they were:")
            lines += [f"    {f}" for f in shown]
        last_bad = self.link.last_frame_error
        if last_bad is not None:
            lines.append(f"  {self.link.frame_error_count} frame(s) did not decode; the last: {last_bad.reason}, "
                         f"bytes {last_bad.raw[:48].hex(' ')}")
        pending = self.link.pending_bytes
        if pending:
            lines.append(f"  {len(pending)} byte(s) of an unfinished frame: {pending[:48].hex(' ')}")
        lines.append(f"  frames decoded: {self.run_dir / 'frames.jsonl'}")
        return ExpectTimeout("\n".join(lines), self.link.capture)

    # -- sending --------------------------------------------------------------
    def send(self, frame_type: str | MsgType, **fields: Any) -> int:
        """Build the message frame_type (a name of frame_spec's MsgType) from fields and send it;
        returns its link sequence number (its ACK carries it as acked_seq). Enumerated fields take
        their names (op="STATUS"). A CONFIG without a session gets this Dut's session nonce."""
        self._require_running("send")
        msg_type = MsgType[_type_name(frame_type)]
        if msg_type is MsgType.CONFIG:
            fields.setdefault("session", self.session)
        payload = build_payload(msg_type, fields)
        try:
            frame = encode(msg_type, payload, self.link.tx_seq)
        except (ConstructError, KeyError, ValueError, TypeError) as exc:
            raise RigError(f"{msg_type.name} {_brief(payload)}: cannot build it: {str(exc).splitlines()[0]}") from None
        del frame  # built once to check it: a frame that cannot be built must not use up a sequence number
        return self.link.send(msg_type, payload)

    # -- whole replays ----------------------------------------------------------
    def replay(self, source: str | os.PathLike[str] | Recording, seed: int | None = None,
               timeouts: Timeouts | None = None) -> RunResult:
        """Replay a catalog scenario (by name), a recording CSV (a Path) or a Recording through the link
        as `rig run` does: handshake, CONFIG, every sample, END, SUMMARY. Its frames join `received`,
        where expect() finds them. seed is for a catalog scenario. Not for a target that reads its own
        emulated sensor (renode, cocotb): use run_scenario."""
        self._require_running("replay")
        if self.target.sensor_fed:
            raise RigError(f"target {self.target.name} reads its samples from its emulated sensor, fed before "
                           "it starts: replay a scenario there with the run_scenario fixture")
        rec = _recording(source, seed)
        raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
        session = ReplaySession(self.link, timeouts or Timeouts(), clock=self.clock)
        self.last_replay = session
        return session.run(raw)

