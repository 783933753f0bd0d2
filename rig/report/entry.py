"""One row of a report: a scenario run on a target, its verdict, figures, captures and the command
that runs it again. Entries are JSON files, so runs in other processes, jobs or machines merge."""

from __future__ import annotations

import dataclasses
import json
import math
import shlex
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rig.assertions import Report
from rig.evaluate import match_strides
from rig.goals import RUN_GOALS, AccuracyGoal
from rig.records import RunResult
from scenarios.model import Truth
from scenarios.whole_file import write_whole

Verdict = Literal["passed", "failed", "error"]
#: Capture files of a run directory a report links to, when they exist.
CAPTURE_FILES = ("rx.bin", "tx.bin", "frames.jsonl", "result.json", "target.log", "target.txt")


@dataclass(frozen=True)
class Figure:
    """One figure of a run against its tolerance; passed is None when it was not measured."""

    metric: str
    value: float | None
    limit: float
    better: str
    unit: str
    passed: bool | None

    def tolerance(self) -> str:
        """The tolerance as read: '>= 0.98', '<= 3 ms'."""
        return f"{'>=' if self.better == 'higher' else '<='} {self.limit:g}{(' ' + self.unit) if self.unit else ''}"

    def shown(self) -> str:
        """The value as read, '-' when not measured."""
        if self.value is None:
            return "-"
        return f"{self.value:.4g}{(' ' + self.unit) if self.unit else ''}"


@dataclass
class Entry:
    """A scenario run on a target as a report shows it (see the module docstring)."""

    scenario: str
    target: str
    seed: int | None
    verdict: Verdict
    command: str
    figures: list[Figure] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Earlier attempts of this run that failed before this one (a retried pass is not a plain pass).
    retried: list[dict[str, str]] = field(default_factory=list)
    strides_truth: int | None = None
    strides_detected: int | None = None
    realtime_factor: float | None = None
    wall_s: float | None = None
    run_dir: str | None = None
    #: Where the first stride out of tolerance is on the recording's timeline, and why.
    first_failing_s: float | None = None
    first_failing_why: str | None = None
    #: The plot, relative to the report directory.
    plot: str | None = None
    #: The pytest node id, when pytest ran it.
    nodeid: str | None = None
    #: Which process wrote it (a pytest session, a `rig run`): a second attempt in the same one is a retry.
    session: str = ""
    #: Run with the scenario's own seed; False: another seed (--seed), a row of its own beside it.
    catalog_seed: bool = True
    #: The signal (SIGINT, SIGTERM, SIGHUP) that cut the run short, when one did: an error row with no
    #: verdict of its own, its captures so far.
    cut_short: str | None = None
    #: The test (a file-name-safe form of its pytest node id) when another test of the same session ran
    #: the same scenario first: a row of its own, not a retry of the other test's.
    test: str | None = None
    #: A run that has begun and not ended yet: an error row until its end is recorded, so a process that
    #: dies meanwhile (killed, crashed) leaves the run in the report, never out of it.
    under_way: bool = False
    #: Why the run's process ended without recording its end, when that is known (a pytest-xdist worker
    #: that crashed while running it): an error row with no verdict of its own, its captures so far.
    crashed: str | None = None
    #: The run directory while the run is under way, when it lies outside the report: its captures are
    #: copied from there should its process die.
    source_dir: str | None = None

    @property
    def key(self) -> str:
        """File-name-safe identity of the row: one per scenario per target (and per seed other than its own)."""
        base = f"{self.target}--{self.scenario}"
        base = base if self.catalog_seed else f"{base}--seed{self.seed}"
        return f"{base}--{self.test}" if self.test else base

    @property
    def name(self) -> str:
        """The scenario as a row names it: with its seed when that is not the scenario's own."""
        name = self.scenario if self.catalog_seed else f"{self.scenario} (seed {self.seed})"
        return f"{name} in {self.test}" if self.test else name

    @property
    def retried_pass(self) -> bool:
        """Passed, but only after failed attempts."""
        return self.verdict == "passed" and bool(self.retried)

    def to_json(self) -> dict[str, Any]:
        """The entry as a JSON object."""
        return asdict(self)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any]) -> "Entry":
        """An entry read back from to_json(); ValueError naming the first field not of its type (an entry
        edited by hand: a wall_s of "fast", a verdict of its own, notes of null ended the pages in a traceback)."""
        if not isinstance(doc, Mapping):
            raise ValueError(f"is {type(doc).__name__}, not an object")
        known = set(cls.__dataclass_fields__)
        data = {k: v for k, v in doc.items() if k in known}
        _check_fields(cls, data, "")
        figures = data.get("figures", [])
        for i, f in enumerate(figures):
            if not isinstance(f, Mapping):
                raise ValueError(f"its figures[{i}] is {type(f).__name__}, not an object")
            _check_fields(Figure, f, f"figures[{i}].")
        data["figures"] = [Figure(**{k: v for k, v in f.items() if k in Figure.__dataclass_fields__})
                           for f in figures]
        return cls(**data)

    def write(self, path: Path) -> None:
        """Write the entry as JSON, whole or not at all: an entry cut short (a signal, a full disk, two
        pytest-xdist workers writing the same row) would make every later report of its directory fail."""
        text = json.dumps(self.to_json(), indent=1, default=_plain) + "\n"

        def write(part: Path) -> None:
            part.write_text(text)

        write_whole(path, write)


def _check_fields(cls: type, data: Mapping[str, Any], prefix: str) -> None:
    """ValueError naming the first field of data (as the dataclass cls reads it) whose value is not of its type."""
    hints = typing.get_type_hints(cls)
    for name, spec in cls.__dataclass_fields__.items():  # type: ignore[attr-defined]
        if name not in data and spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING:
            raise ValueError(f"its {prefix}{name} is missing")
    for name, value in data.items():
        if name in hints and not _of_type(value, hints[name]):
            shown = json.dumps(value, default=str)
            shown = shown if len(shown) <= 60 else f"{shown[:60]}..."
            raise ValueError(f"its {prefix}{name} is {shown}, not {_type_name(hints[name])}")


def _of_type(value: Any, hint: Any) -> bool:
    """Whether a JSON value is of the type hint (str, int, float, bool, None, Literal, a union, list[...],
    dict[str, str], a dataclass read from an object); a float is a number a float holds."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_of_type(value, a) for a in args)
    if origin is Literal:
        return value in args
    if origin is list:
        return isinstance(value, list) and all(_of_type(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(_of_type(k, args[0]) and _of_type(v, args[1]) for k, v in value.items())
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and _float_holds(value)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if dataclasses.is_dataclass(hint):
        return isinstance(value, Mapping)  # its fields are checked on their own
    return isinstance(value, hint)


def _float_holds(value: int | float) -> bool:
    """Whether float(value) is a float (a whole number of 400 digits is not: OverflowError)."""
    try:
        float(value)
    except OverflowError:
        return False
    return True


def _type_name(hint: Any) -> str:
    """A type as a reader of the JSON would say it: 'a number or null', 'one of "passed", "failed"'."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(json.dumps(a) for a in args)
    if origin is list:
        return "a list of strings" if args[0] is str else "a list of objects"
    if origin is dict:
        return "an object of strings"
    names = {type(None): "null", float: "a number", int: "a whole number", bool: "true or false", str: "a string"}
    return names.get(hint, "an object")


def _plain(value: Any) -> Any:
    return float(value) if isinstance(value, float) else str(value)


def rerun_command(scenario: str, target: str, seed: int | None, port: str | None = None) -> str:
    """The `rig run` command that runs exactly this scenario again."""
    argv = ["rig", "run", scenario, "--target", target]
    if seed is not None:
        argv += ["--seed", str(seed)]
    if port:
        argv += ["--port", port]
    return shlex.join(argv)


def figures_of(report: Report, goals: Sequence[AccuracyGoal] = RUN_GOALS) -> list[Figure]:
    """Each goal's figure of the run against its limit."""
    out = []
    for g in goals:
        value = getattr(report.scores, g.metric, None)
        value = None if value is None or (isinstance(value, float) and not math.isfinite(value)) else float(value)
        out.append(Figure(g.metric, value, float(g.limit), g.better, g.unit, g.passes(value)))
    return out


def _limit(metric: str, goals: Sequence[AccuracyGoal]) -> float | None:
    return next((g.limit for g in goals if g.metric == metric), None)


def first_failing_stride(result: RunResult, truth: Truth,
                         goals: Sequence[AccuracyGoal] = RUN_GOALS) -> tuple[float, str] | None:
    """(time s, why) of the earliest stride that is missed, a false alarm, or a matched stride whose
    own IC, TC or contact-time error is over the run's limit on the mean error, whose strike class is
    wrong, or whose strike angle is off by more than the limit; None when every stride is within."""
    detected = list(result.strides)
    m = match_strides(detected, truth)
    found: list[tuple[float, str]] = []
    for ti in m.missed:
        found.append((truth.strides[ti].ic_s, f"true stride at {truth.strides[ti].ic_s:.3f} s was not detected"))
    for di in m.false_alarms:
        t = detected[di]["ic_s"]
        found.append((float(t), f"stride_no {detected[di]['stride_no']} at {t:.3f} s matches no true stride"))
    limits = {k: _limit(k, goals) for k in ("ic_mae_ms", "tc_mae_ms", "gct_mae_ms", "fsa_mae_deg")}
    for di, ti in m.pairs:
        d, t = detected[di], truth.strides[ti]
        why = []
        err = (float(d["ic_s"]) - t.ic_s) * 1e3
        if limits["ic_mae_ms"] is not None and abs(err) > limits["ic_mae_ms"]:
            why.append(f"IC off by {err:+.1f} ms")
        if t.tc_s is not None and d.get("tc_s") is not None:
            err = (float(d["tc_s"]) - t.tc_s) * 1e3
            if limits["tc_mae_ms"] is not None and abs(err) > limits["tc_mae_ms"]:
                why.append(f"TC off by {err:+.1f} ms")
        elif t.tc_s is not None:
            why.append("TC not measured")
        if t.strike is not None and d.get("strike") != t.strike:
            why.append(f"strike {d.get('strike')} where the truth is {t.strike}")
        if t.fsa_deg is not None and d.get("fsa_deg") is not None and limits["fsa_mae_deg"] is not None:
            err = float(d["fsa_deg"]) - t.fsa_deg
            if abs(err) > limits["fsa_mae_deg"]:
                why.append(f"strike angle off by {err:+.1f} deg")
        if why:
            found.append((t.ic_s, f"stride_no {d['stride_no']} at {t.ic_s:.3f} s: {', '.join(why)}"))
    return min(found) if found else None
