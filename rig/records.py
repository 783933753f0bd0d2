"""What a run produces, as typed records: Stride, Summary, RunResult.

Every engine (the firmware over a link, the analyzer in-process through ctypes) builds
these records, and every consumer (verdicts, bench, CLI, result JSON) reads them. The
fields are those of the replay JSON contract, in its order; each record is frozen and is
also a read-only mapping of that contract (``stride["ic_s"]`` and ``stride.ic_s`` are the
same value), so a result read back from JSON and a live one are judged by the same code.

The records are checked against the two other definitions of a stride: the STRIDE and
SUMMARY frames of :mod:`frame_spec.messages` (the float fields below are read from the
frame definition, and tests/rig/test_records.py checks every name) and the analyzer's C
structs (rig.native checks its ctypes mirror against the library's debug information).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from functools import cache
from typing import Any

from construct import Float32l

from frame_spec import messages
from frame_spec.messages import FLAG_GYRO_SATURATED, FLAG_IMPACT_CLIPPED, FLAG_SAMPLES_DROPPED

#: Float fields of a stride, in the order of the STRIDE frame (read from its definition); NaN = not measured.
STRIDE_FLOATS: tuple[str, ...] = tuple(sc.name for sc in messages.Stride.subcons if sc.subcon is Float32l)
#: Flag bits of a stride and the boolean field each becomes.
STRIDE_FLAGS: tuple[tuple[str, int], ...] = (
    ("impact_clipped", FLAG_IMPACT_CLIPPED),
    ("gyro_saturated", FLAG_GYRO_SATURATED),
    ("samples_dropped", FLAG_SAMPLES_DROPPED),
)
#: SUMMARY frame fields renamed in the result JSON.
SUMMARY_RENAMES: dict[str, str] = {"avg_cadence_spm": "cadence_spm", "avg_pace_s_per_km": "pace_s_per_km"}


def measured(v: float | None) -> float | None:
    """None for an unmeasured (NaN) value, else the value as a Python float."""
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v)


def tc_measured(values: Mapping[str, Any]) -> bool:
    """Whether a stride's toe-off was measured (its contact time is not NaN)."""
    return measured(values["gct_ms"]) is not None


class _Record(Mapping[str, Any]):
    """A frozen dataclass that is also a read-only mapping of its fields (the JSON object)."""

    @classmethod
    @cache
    def keys_in_order(cls) -> tuple[str, ...]:
        """The field names, in the order of the JSON contract."""
        return tuple(f.name for f in fields(cls))  # type: ignore[arg-type]  # every subclass is a dataclass

    def __getitem__(self, key: str) -> Any:
        if key not in self.keys_in_order():
            raise KeyError(key)
        return getattr(self, key)

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys_in_order())

    def __len__(self) -> int:
        return len(self.keys_in_order())

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (a plain dict, keys in contract order)."""
        return {k: getattr(self, k) for k in self.keys_in_order()}


@dataclass(frozen=True, eq=False)
class Stride(_Record):
    """One detected stride. Times in s on the recording's timeline; None where not measured."""

    stride_no: int
    ic_s: float
    tc_s: float | None
    gct_ms: float | None
    flight_ms: float | None
    swing_ms: float | None
    stride_ms: float | None
    cadence_spm: float | None
    duty_factor: float | None
    fsa_deg: float | None
    pronation_deg: float | None
    peak_roll_rate_dps: float | None
    peak_impact_g: float | None
    stride_m: float | None
    speed_mps: float | None
    #: heel, mid or fore; None when the analyzer could not classify it.
    strike: str | None
    #: still, walk, run or stairs.
    activity: str
    impact_clipped: bool
    gyro_saturated: bool
    samples_dropped: bool

    @classmethod
    def from_values(cls, stride_no: int, ic_s: float, tc_s: float | None, values: Mapping[str, Any]) -> Stride:
        """A stride from an engine's values: STRIDE_FLOATS (NaN = not measured), strike and activity
        names and the flags byte. tc_s becomes None when the contact time was not measured (callers
        need not convert a meaningless TC)."""
        floats: dict[str, Any] = {key: measured(values[key]) for key in STRIDE_FLOATS}
        flags = int(values["flags"])
        strike = values["strike"]
        return cls(
            stride_no=int(stride_no), ic_s=float(ic_s), tc_s=float(tc_s) if tc_s is not None and tc_measured(values) else None,
            **floats,
            strike=None if strike in (None, "unknown") else str(strike),
            activity=str(values["activity"]),
            **{name: bool(flags & bit) for name, bit in STRIDE_FLAGS},
        )


@dataclass(frozen=True, eq=False)
class Summary(_Record):
    """The analyzer's totals at the end of a run; None where not measured."""

    strides: int
    distance_m: float | None
    duration_s: float | None
    still_s: float | None
    walk_s: float | None
    run_s: float | None
    stairs_s: float | None
    dropped_samples: int
    cadence_spm: float | None
    pace_s_per_km: float | None

    @classmethod
    def from_payload(cls, p: Mapping[str, Any]) -> Summary:
        """A summary from the SUMMARY frame's fields (frame_spec names; NaN = not measured)."""
        values = {SUMMARY_RENAMES.get(k, k): v for k, v in p.items()}
        return cls(
            strides=int(values["strides"]), dropped_samples=int(values["dropped_samples"]),
            **{k: measured(values[k]) for k in ("distance_m", "duration_s", "still_s", "walk_s", "run_s", "stairs_s",
                                                "cadence_spm", "pace_s_per_km")},
        )


#: Corrupt frames a run's link problems name one by one; the rest are counted.
SHOWN_FRAME_ERRORS = 20


def _counted(lines: Sequence[str], what: str, total: int = 0) -> list[str]:
    """The first SHOWN_FRAME_ERRORS of lines, and a line counting the rest (frames.jsonl has every frame); total:
    how many there were when only the first were kept (Tally)."""
    total = max(total, len(lines))
    if total <= SHOWN_FRAME_ERRORS:
        return list(lines)
    return [*lines[:SHOWN_FRAME_ERRORS], f"{total - SHOWN_FRAME_ERRORS} more {what}, {total} in all "
            "(frames.jsonl has every frame, rx.bin every byte)"]


@dataclass
class Tally:
    """Sentences of one kind of problem the firmware's frames show, as they come: the first SHOWN_FRAME_ERRORS
    kept, every one counted. A board flooding the link (200 ACKs of frames never sent per batch) kept a sentence
    per frame in the rig's memory for the whole run, where only the first are ever shown."""

    kept: list[str] = field(default_factory=list)
    count: int = 0

    def add(self, sentence: str) -> None:
        """Count one more, keeping its sentence while fewer than SHOWN_FRAME_ERRORS are kept."""
        self.count += 1
        if len(self.kept) < SHOWN_FRAME_ERRORS:
            self.kept.append(sentence)


@dataclass(frozen=True)
class RunResult:
    """What one run on a target produced, in the units of the replay JSON contract."""

    strides: list[Stride]
    summary: Summary | None
    hello: Mapping[str, Any]
    samples_sent: int
    wall_s: float
    #: The first frames from the firmware that did not decode, why each (rig.link keeps the first 100).
    frame_errors: Sequence[str] = field(default_factory=tuple)
    #: How many did not decode in all (0: as many as frame_errors holds).
    frame_error_count: int = 0
    seq_gaps: int = 0
    logs: Sequence[str] = field(default_factory=tuple)
    #: STRIDE/SUMMARY frames from before this run's CONFIG (in the capture, not in the result).
    stale_frames: int = 0
    #: Times the firmware booted again after this run's CONFIG: its analyzer state was lost.
    restarts: int = 0
    #: ACKs of another session (an earlier run's, left in the port): ignored.
    stale_acks: int = 0
    #: ACKs of this run's session for a seq the rig never sent (ignored): why each.
    unsent_acks: Sequence[str] = field(default_factory=tuple)
    #: How many such ACKs came, when more than unsent_acks keeps.
    unsent_ack_count: int = 0
    #: Strides whose frame was out of sequence or contradicted: why each is in doubt.
    doubts: Sequence[str] = field(default_factory=tuple)
    #: Indices in strides of those in doubt: marked "in_doubt": true in the result JSON.
    in_doubt: Sequence[int] = field(default_factory=tuple)
    #: Repeated STRIDE frames with the same content, kept once.
    repeated_strides: int = 0
    #: Where the firmware's stride numbers restarted (its analyzer reset during the run).
    renumbered: Sequence[str] = field(default_factory=tuple)
    #: Times the port vanished (a USB device re-enumerating) and was reopened, as sentences.
    reopens: Sequence[str] = field(default_factory=tuple)
    #: SAMPLE_BATCH frames never acknowledged (lost on the way, or their ACK lost).
    lost_batches: Sequence[str] = field(default_factory=tuple)
    #: CONFIG, CMD HELLO or END frames sent again because no answer came.
    resends: Sequence[str] = field(default_factory=tuple)
    #: The RSC Measurements the firmware published (the phone app's view), in order
    #: (rig.app_view.RscSample; empty from engines without the Running Speed and Cadence service).
    rsc: Sequence[Any] = field(default_factory=tuple)
    #: RSC_MEASUREMENT frames whose value was not a valid RSC Measurement: why each.
    rsc_errors: Sequence[str] = field(default_factory=tuple)
    #: How many such frames came, when more than rsc_errors keeps.
    rsc_error_count: int = 0
    #: Samples a replay's own indices skip (the recording's dropouts): what the SUMMARY's
    #: dropped_samples must be when every sample sent arrived; None where the firmware reads its
    #: own sensor (its FIFO may overrun).
    index_gaps: int | None = None
    #: Samples of SAMPLE_BATCH frames the link lost (or whose ACK it lost).
    samples_lost: int = 0
    #: Sensor time the samples a replay sent span, first to last index, on the clock CONFIG gave the
    #: firmware, s: the longest duration its SUMMARY can report; None where it reads its own sensor.
    span_s: float | None = None
    #: The SUMMARY that came but did not decode (a figure of inf), named and why: the run's report is
    #: corrupt, not missing; None when none came so.
    corrupt_summary: str | None = None

    @property
    def corrupt_frames(self) -> int:
        """Frames from the firmware that did not decode, all of them (frame_errors holds the first)."""
        return max(self.frame_error_count, len(self.frame_errors))

    @property
    def realtime_factor(self) -> float:
        """Seconds of signal analysed per wall-clock second."""
        duration_s = (self.summary.duration_s if self.summary else None) or 0.0
        return duration_s / self.wall_s if self.wall_s > 0 else 0.0

    def link_problems(self) -> list[str]:
        """Corrupt or missing frames seen on the link, as sentences (empty when clean)."""
        out = [f"corrupt frame from the firmware: {e}" for e in self.frame_errors[:SHOWN_FRAME_ERRORS]]
        if self.corrupt_frames > SHOWN_FRAME_ERRORS:
            out.append(f"{self.corrupt_frames - SHOWN_FRAME_ERRORS} more corrupt frame(s) from the firmware, "
                       f"{self.corrupt_frames} in all (frames.jsonl has every one, rx.bin every byte)")
        if self.seq_gaps:
            out.append(f"{self.seq_gaps} gap(s) in the firmware's frame sequence numbers: frames were lost")
        if self.restarts:
            out.append(f"the firmware restarted {self.restarts} time(s) during the run (a boot HELLO came after "
                       "CONFIG): a reset, a watchdog or a brown-out")
        # each kind named one by one up to SHOWN_FRAME_ERRORS, the rest counted: a board flooding ACKs of frames
        # never sent (200 per batch) made a 2 s replay print 5,200 lines, 1.5 MB, where corrupt frames are counted
        out.extend(_counted(self.renumbered, "restart(s) of the stride numbers"))
        out.extend(_counted([f"stride in doubt: {d}" for d in self.doubts], "stride doubt(s)"))
        out.extend(_counted(list(self.lost_batches), "SAMPLE_BATCH frame(s) or their ACKs lost on the link"))
        out.extend(_counted([f"ACK of a frame never sent: {e}" for e in self.unsent_acks], "ACK(s) of a frame never "
                            "sent", self.unsent_ack_count))
        out.extend(_counted([f"RSC Measurement: {e}" for e in self.rsc_errors], "RSC Measurement(s) that cannot be",
                            self.rsc_error_count))
        if (self.summary is not None and self.index_gaps is not None
                and self.summary.dropped_samples > self.index_gaps + self.samples_lost):
            missed = self.summary.dropped_samples - self.index_gaps - self.samples_lost
            out.append(f"the firmware's analyzer missed {missed} sample(s) that the rig sent and the firmware "
                       f"acknowledged: its SUMMARY counts {self.summary.dropped_samples} dropped where the recording "
                       f"skips {self.index_gaps}" + (f" and the link lost {self.samples_lost}" if self.samples_lost
                                                     else "")
                       + " (an ACK for a batch it never received, or a batch it dropped after acknowledging it)")
        if self.summary is not None and self.summary.strides != len(self.strides) and not self.renumbered:
            out.append(f"the SUMMARY counts {self.summary.strides} strides but {len(self.strides)} distinct STRIDE "
                       "frames arrived")
        return out

    def notes(self) -> list[str]:
        """What the run saw that is no failure but worth a line (empty when nothing)."""
        out = []
        if self.stale_frames:
            out.append(f"{self.stale_frames} STRIDE/SUMMARY frame(s) from before this run's CONFIG were ignored "
                       "(an earlier run's, left in the port's buffer; they are in rx.bin)")
        if self.stale_acks:
            out.append(f"{self.stale_acks} ACK(s) of an earlier session were ignored (they are in rx.bin)")
        if self.repeated_strides:
            out.append(f"{self.repeated_strides} repeated STRIDE frame(s) were kept once")
        out.extend(self.resends)
        out.extend(self.reopens)
        return out

    def to_json(self) -> dict[str, Any]:
        """The replay JSON contract: {"strides": [...], "summary": {...}}."""
        doubtful = set(self.in_doubt)
        return {"strides": [{**s.to_json(), "in_doubt": True} if i in doubtful else s.to_json()
                            for i, s in enumerate(self.strides)],
                "summary": self.summary.to_json() if self.summary is not None else None}

    def app_view_json(self) -> list[dict[str, Any]]:
        """The RSC Measurements in order (the run directory's app_view.json)."""
        return [r.to_json() for r in self.rsc]
