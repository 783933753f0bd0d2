"""`rig bench`: the analyzer's accuracy over the catalog and the real recordings, and its cost.

Accuracy runs on the C analyzer in-process (`--target native`, the default: the
same sources as every firmware build) or on a rig target. The figures are
judged against the goals of rig.goals (catalog, real and still); cost comes from the ARM image under QEMU when it is available.
These are benchmark figures: they are printed, never asserted by the tests.
"""

from __future__ import annotations

import math
import shutil
import statistics
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from rig import arm_cost, native
from rig.build import arm_elf
from rig.errors import RigError, TargetUnavailable
from rig.evaluate import Scores, format_table, pool, score
from rig.explore import TIMING_METRICS, explored_summary, format_explored, format_map, holding_map
from rig.goals import CATALOG_GOALS, EXPLORE_GOALS, REAL_GOALS, STILL_GOAL, TURNING_RECALL, AccuracyGoal
from rig.link import Link
from rig.records import Stride, Summary
from rig.runner import new_run_dir, run_recording, run_scenario, target_running
from rig.session import ReplaySession, Timeouts
from rig.farm import PLACE_ENV
from rig.targets import TARGETS, UnknownTargetError, make_target
from rig.targets.board import PORT_ENV
from rig.targets.qemu import QemuTarget
from scenarios.catalog import get_scenario, list_scenarios, synthesize
from scenarios.datasets import list_datasets, score_contacts, score_stride_borders
from scenarios.model import Recording
from scenarios.recording_csv import read_recording

#: The engine that runs the analyzer in-process instead of on a target.
NATIVE = "native"
#: Budgets on the chip (issue 4).
STATE_BUDGET_BYTES = 4096
INSNS_PER_SAMPLE_BUDGET = 1500.0
#: The scenario whose replay on the ARM image measures instructions per sample.
COST_SCENARIO = "steady_run"
#: QEMU boots timed for the startup figure (the median is reported).
QEMU_BOOTS = 5
#: Recordings labelled by motion capture: the IC/TC targets of the real data apply to these.
#: The events_reference of labels at the motion-capture contact (a sidecar naming none has it).
MOTION_CAPTURE = "motion_capture"
MOCAP_RECORDINGS = ("healthy_2x20m_left", "healthy_2x20m_right")


@dataclass
class Row:
    """One recording's figures."""

    name: str
    tags: tuple[str, ...]
    scores: Scores
    samples: int
    analyze_s: float


@dataclass
class Verdict:
    """A goal and the pooled figure it was judged on."""

    goal: AccuracyGoal
    value: float | None
    scope_note: str

    @property
    def status(self) -> str:
        """PASS, FAIL or n/a."""
        ok = self.goal.passes(self.value)
        return "n/a" if ok is None else ("PASS" if ok else "FAIL")


@dataclass
class BenchReport:
    """Everything `rig bench` measured, on which engine (native or a target's name)."""

    target: str
    rows: list[Row] = field(default_factory=list)
    real_rows: list[Row] = field(default_factory=list)
    border_rows: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    cost: dict[str, Any] = field(default_factory=dict)
    explore_map: list[dict[str, Any]] = field(default_factory=list)
    explored: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True when no goal failed (a figure not measured fails nothing)."""
        return all(v.status != "FAIL" for v in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        """The figures as `rig bench --json` writes them."""
        return {
            "target": self.target,
            "scenarios": {r.name: asdict(r.scores) for r in self.rows},
            "real": {r.name: asdict(r.scores) for r in self.real_rows},
            "borders": self.border_rows,
            "targets": [{"metric": v.goal.metric, "value": v.value, "limit": v.goal.limit, "status": v.status}
                        for v in self.verdicts],
            "cost": self.cost,
            "explored": self.explored,
            "explore_map": self.explore_map,
        }


def pooled(rows: list[Row], metric: str) -> float | None:
    """The catalog-wide figure of one metric (how each metric pools is part of its definition)."""
    if metric == "cadence_max_err_spm":
        vals = [r.scores.cadence_max_err_spm for r in rows if r.scores.cadence_max_err_spm is not None]
        return max(vals) if vals else None
    if metric == "stride_len_mape_pct":
        level_runs = [r for r in rows if "run" in r.tags and "stairs" not in r.tags and "walk" not in r.tags]
        return pool([r.scores for r in level_runs], metric)
    if metric == "distance_err_pct":
        long_runs = [r.scores.distance_err_pct for r in rows if "long" in r.tags and r.scores.distance_err_pct is not None]
        return max(long_runs) if long_runs else None
    return pool([r.scores for r in rows], metric)


def _timed(rec: Recording, target: str, runs_dir: Path) -> tuple[Sequence[Stride], Summary | None, float]:
    """Strides and summary of rec on the engine, and the seconds the analysis took."""
    t0 = time.perf_counter()
    if target == NATIVE:
        strides, summary = native.analyze(rec)
        return strides, summary, time.perf_counter() - t0
    result = run_recording(make_target(target), rec, new_run_dir(runs_dir, rec.name, target))
    return result.strides, result.summary, time.perf_counter() - t0


def run_catalog(names: Iterable[str], target: str, runs_dir: Path, seed: int | None = None) -> list[Row]:
    """Synthesize and analyze each scenario (on a target: rig.runner.run_scenario); one Row each."""
    rows = []
    for name in names:
        tags = tuple(get_scenario(name).tags)
        if target == NATIVE:
            rec = synthesize(name, seed=seed)
            assert rec.truth is not None  # every catalog scenario has its truth
            strides, summary, elapsed = _timed(rec, target, runs_dir)
            scores = score(strides, rec.truth, summary=summary)
        else:
            t0 = time.perf_counter()
            run = run_scenario(make_target(target), name, runs_dir, seed)
            rec, scores, elapsed = run.recording, run.report.scores, time.perf_counter() - t0
        rows.append(Row(name, tags, scores, len(rec.t_s), elapsed))
    return rows


def run_recordings(paths: Iterable[Path], target: str, runs_dir: Path) -> tuple[list[Row], list[dict[str, Any]]]:
    """Recordings with truth: IC/TC-labelled ones scored as strides, border-labelled ones by border intervals.

    A recording without truth is skipped when it is one of scenarios/data; one named by the user is a RigError.
    """
    rows, borders = [], []
    shipped = set(list_datasets())
    for csv in paths:
        rec = read_recording(csv)
        if rec.truth is None:
            if csv in shipped:
                continue
            raise RigError(f"{csv}: no ground truth beside it ({csv.with_suffix('.truth.json').name}): "
                           "rig bench can only score a labelled recording")
        if (not rec.truth.strides and score_stride_borders(rec.truth, []).intervals == 0
                and not (rec.truth.distance_m or 0.0) > 0):
            # a sidecar of no contacts, borders or footprints: scored, it judged nothing and passed
            raise RigError(f"{csv}: its truth ({csv.with_suffix('.truth.json').name}) labels nothing rig bench can "
                           "score: no strides or events, no stride borders, no footprints; label the contacts "
                           "(strides with ic_s, or events) or give the footprints_m walked")
        strides, summary, elapsed = _timed(rec, target, runs_dir)
        reference = str(rec.truth.meta.get("events_reference", MOTION_CAPTURE))
        if rec.truth.strides and reference != MOTION_CAPTURE:
            # timing shown against its own convention; detection judged per contact (score_contacts)
            rows.append(Row(rec.name, ("real", reference), score(strides, rec.truth, summary=summary),
                            len(rec.t_s), elapsed))
            c = score_contacts(rec.truth, [s["ic_s"] for s in strides])
            borders.append({"name": rec.name, "kind": "contacts", "reference": reference, **asdict(c),
                            "recall": c.recall})
        elif rec.truth.strides:
            rows.append(Row(rec.name, ("real",), score(strides, rec.truth, summary=summary), len(rec.t_s), elapsed))
        else:
            b = score_stride_borders(rec.truth, [s["ic_s"] for s in strides])
            borders.append({"name": rec.name, **asdict(b), "recall": b.recall,
                            **footprint_distance(rec.truth.distance_m, summary)})
    return rows, borders


def footprint_distance(truth_m: float | None, summary: Summary | None) -> dict[str, float | None]:
    """The analyzer's distance (summary, m) against the footprint path (truth_m, m), and the signed error in %
    (negative: short); an empty dict when the recording has no footprints."""
    if truth_m is None or truth_m <= 0:
        return {}
    measured = summary.get("distance_m") if summary is not None else None
    if measured is None or not math.isfinite(float(measured)):
        return {"distance_m": None, "truth_distance_m": truth_m, "distance_err_pct": None}
    return {"distance_m": float(measured), "truth_distance_m": truth_m,
            "distance_err_pct": (float(measured) - truth_m) / truth_m * 100.0}


def run_real(target: str, runs_dir: Path) -> tuple[list[Row], list[dict[str, Any]]]:
    """The real recordings under scenarios/data (see run_recordings)."""
    return run_recordings(list_datasets(), target, runs_dir)


def judge(rows: list[Row], real_rows: list[Row], borders: list[dict[str, Any]]) -> list[Verdict]:
    """Each goal of the bench against its pooled figure."""
    out = [Verdict(t, pooled(rows, t.metric), t.scope) for t in CATALOG_GOALS]
    still = [r for r in rows if "still" in r.tags and "run" not in r.tags and "walk" not in r.tags]
    false_still = sum(r.scores.n_detected for r in still)
    out.append(Verdict(STILL_GOAL, float(false_still),
                       ", ".join(r.name for r in still)))
    # recordings whose labels follow another convention count per contact (their border rows)
    matched = [r for r in real_rows if r.tags == ("real",)]
    contacts = [b for b in borders if b.get("kind") == "contacts"]
    for t in REAL_GOALS:
        if t.metric in ("recall", "precision"):
            value = pooled(matched, t.metric)
            if t.metric == "recall" and borders:
                hits = sum(b["hits"] for b in borders) + sum(r.scores.n_matched for r in matched)
                total = sum(b["intervals"] for b in borders) + sum(r.scores.n_truth for r in matched)
                value = hits / total if total else value
            elif t.metric == "precision" and contacts:
                hits = sum(b["hits"] for b in contacts) + sum(r.scores.n_matched for r in matched)
                found = (sum(b["detected"] for b in contacts)
                         + sum(r.scores.n_matched + r.scores.n_false for r in matched))  # as pool() counts
                value = hits / found if found else value
            out.append(Verdict(t, value, "all real recordings"))
        elif t.metric == "distance_err_pct":
            errs = [(abs(b["distance_err_pct"]) if b["distance_err_pct"] is not None else math.inf, b["name"])
                    for b in borders if "distance_err_pct" in b]
            worst = max(errs, default=None)
            out.append(Verdict(t, None if worst is None else worst[0],
                               t.scope if worst is None else f"{t.scope}: {worst[1]}"))
        elif t.metric == "activity_accuracy":
            acts = [(r.scores.activity_accuracy, r.name) for r in real_rows if r.scores.activity_accuracy is not None]
            low = min(acts, default=None)
            out.append(Verdict(t, None if low is None else low[0], t.scope if low is None else f"{t.scope}: {low[1]}"))
        else:
            mocap = [r for r in real_rows if r.name in MOCAP_RECORDINGS]
            out.append(Verdict(t, pooled(mocap, t.metric), "healthy_2x20m left+right"))
    return out


def measure_cost(runs_dir: Path) -> dict[str, Any]:
    """State size, native speed, ARM image size and instructions per sample (where the tools exist)."""
    cost: dict[str, Any] = {"state_bytes": native.state_bytes(), "state_budget_bytes": STATE_BUDGET_BYTES}
    try:
        if not QemuTarget.availability().ok:
            cost["arm"] = f"unavailable: {QemuTarget.availability().reason}"
            return cost
        elf = arm_elf()
        size = shutil.which("arm-none-eabi-size")
        if size:
            text, data, bss = map(int, subprocess.run([size, str(elf)], capture_output=True, text=True,
                                                      check=True).stdout.splitlines()[1].split()[:3])
            cost.update(flash_bytes=text + data, ram_bytes=data + bss, image=str(elf))
        rec = synthesize(COST_SCENARIO)
        arm = arm_cost.measure(rec, new_run_dir(runs_dir, "cost-" + COST_SCENARIO, "qemu"))
        cost.update(cost_scenario=COST_SCENARIO, arm_samples=arm.samples,
                    insns_per_sample=arm.insns_per_sample, insns_budget=INSNS_PER_SAMPLE_BUDGET)
        cost.update(measure_qemu_speed(rec, runs_dir))
    except Exception as exc:  # noqa: BLE001 - cost is reported, not fatal to the accuracy figures
        cost["arm"] = f"not measured: {exc}"
    return cost


def measure_qemu_speed(rec: Recording, runs_dir: Path) -> dict[str, float]:
    """Startup to HELLO (median of QEMU_BOOTS boots, ms) and the real-time factor of a replay of
    rec on the qemu target over each link: bulk (semihosting) and every byte through the UART."""
    boots_ms = []
    for _ in range(QEMU_BOOTS):
        target, run_dir = QemuTarget(link="bulk"), new_run_dir(runs_dir, "boot", "qemu")
        t0 = time.monotonic()
        with target_running(target, run_dir) as url, Link(url, run_dir) as link:
            # the wait follows QEMU's progress (rig.progress): a busy host makes the boot slow, not absent
            ReplaySession(link, Timeouts(hello_s=5), clock=target.progress_clock()).handshake()
            boots_ms.append(1000.0 * (time.monotonic() - t0))
    speed = {"qemu_hello_ms": statistics.median(boots_ms)}
    for link_kind in ("bulk", "uart"):
        result = run_recording(QemuTarget(link=link_kind), rec, new_run_dir(runs_dir, rec.name, f"qemu-{link_kind}"))
        speed[f"qemu_{link_kind}_x_realtime"] = result.realtime_factor
    return speed


def measure_renode_cost(runs_dir: Path) -> dict[str, Any]:
    """Instructions per sample of the ARM image under Renode (`cpu ExecutedInstructions`): COST_SCENARIO
    sensor-fed, from the instant the sensor stream starts until Renode stops (FIFO reads over SPI, the
    analyzer, the frames, the idle loop), over the samples of the stream."""
    from rig.runner import new_run_dir, run_recording
    from rig.targets.renode import RenodeTarget
    from scenarios.catalog import synthesize

    avail = RenodeTarget.availability()
    if not avail.ok:
        return {"renode": f"unavailable: {avail.reason}"}
    try:
        target = RenodeTarget(mode="sensor")
        run_recording(target, synthesize(COST_SCENARIO), new_run_dir(runs_dir, "cost-" + COST_SCENARIO, "renode"))
        if target.insns_at_stream_start is None or target.insns_at_stop is None or not target.stream_samples:
            return {"renode": "not measured: Renode gave no instruction count"}
        per = (target.insns_at_stop - target.insns_at_stream_start) / target.stream_samples
        return {"renode_insns_per_sample": per, "renode_samples": target.stream_samples}
    except Exception as exc:  # noqa: BLE001 - cost is reported, not fatal to the accuracy figures
        return {"renode": f"not measured: {exc}"}


def _distance_text(b: dict[str, Any]) -> str:
    """', distance X m against footprints Y m (E %)' for a border row with footprints, else ''."""
    if "truth_distance_m" not in b:
        return ""
    if b["distance_m"] is None:
        return f"; no distance against footprints {b['truth_distance_m']:.2f} m"
    return (f"; distance {b['distance_m']:.2f} m against footprints {b['truth_distance_m']:.2f} m "
            f"({b['distance_err_pct']:+.2f} %)")


def format_bench_report(rep: BenchReport) -> str:
    """The printed report: per-recording tables, the verdict table, the cost."""
    out: list[str] = []
    if rep.rows:  # none when only recordings were given
        out += [f"accuracy on the scenario catalog ({rep.target}, 416 Hz, sensor errors as each scenario defines):",
                format_table([(r.name, r.scores) for r in rep.rows])]
    samples = sum(r.samples for r in rep.rows)
    secs = sum(r.analyze_s for r in rep.rows)
    if secs > 0:
        out.append(f"\n{samples} samples analysed in {secs:.2f} s: {samples / secs:,.0f} samples/s, "
                   f"{samples / 416.0 / secs:,.0f}x real time at 416 Hz")
    if rep.real_rows:
        # the real recordings of scenarios/data, or whatever labelled files were given (synthetic ones too)
        out += [("\n" if out else "") + "recordings labelled with events (from their sidecars):",
                format_table([(r.name, r.scores) for r in rep.real_rows])]
    for b in rep.border_rows:
        if b.get("kind") == "contacts":
            out.append(f"  {b['name']:<26} contacts ({b['reference']} labels): {b['hits']}/{b['intervals']} "
                       f"toe-off to toe-off intervals with exactly one IC, {b['missed']} missed, {b['extra']} extra")
            continue
        out.append(f"  {b['name']:<26} stride borders: {b['hits']}/{b['intervals']} intervals with exactly one IC, "
                   f"{b['missed']} missed, {b['extra']} extra (counted steps: {b['step_count']})"
                   + _distance_text(b))
    if rep.explored or rep.explore_map:
        out.append("\ngaits the analyzer was not tuned on (rig explore, in-process):")
        if rep.explored:
            out.append(format_explored(rep.explored))
        if rep.explore_map:
            out.append(format_map(rep.explore_map))
    out.append("\ntargets:")
    for v in rep.verdicts:
        t = v.goal
        op = ">=" if t.better == "higher" else "<="
        shown = "-" if v.value is None else (f"{v.value:.2%}" if t.unit == "" and t.limit <= 1 and t.metric != "strides_in_still"
                                             else f"{v.value:.3g} {t.unit}".strip())
        limit = f"{t.limit:.1%}" if t.unit == "" and 0 < t.limit <= 1 else f"{t.limit:g} {t.unit}".strip()
        out.append(f"  {v.status:<5} {t.metric:<22} {shown:>12}  needs {op} {limit:<10} ({v.scope_note})")
    c = rep.cost
    if not c:
        return "\n".join(out)
    out.append("\ncost:")
    out.append(f"  analyzer state (sizeof gait_t): {c['state_bytes']} bytes (budget {c['state_budget_bytes']})")
    if "insns_per_sample" in c:
        out.append(f"  ARM instructions per sample: {c['insns_per_sample']:.0f} (budget {c['insns_budget']:g}; "
                   f"{c['arm_samples']} samples of {c['cost_scenario']} under QEMU, TCG plugin, -icount shift=0)")
    if "flash_bytes" in c:
        out.append(f"  ARM image: {c['flash_bytes']} bytes flash, {c['ram_bytes']} bytes static RAM (arm-none-eabi-size)")
    if "qemu_hello_ms" in c:
        out.append(f"  QEMU: HELLO {c['qemu_hello_ms']:.0f} ms after start (median of {QEMU_BOOTS}); {c['cost_scenario']} "
                   f"replayed at {c['qemu_bulk_x_realtime']:.0f}x real time (bulk link), "
                   f"{c['qemu_uart_x_realtime']:.1f}x (every byte through the UART)")
    if "renode_insns_per_sample" in c:
        out.append(f"  Renode: {c['renode_insns_per_sample']:.0f} instructions per sample "
                   f"({c['renode_samples']} samples of {COST_SCENARIO} sensor-fed: SPI FIFO reads, analyzer, frames, "
                   f"idle loop; cpu ExecutedInstructions)"
                   + (f", QEMU {c['insns_per_sample']:.0f} (analyzer only)" if "insns_per_sample" in c else ""))
    if "renode" in c:
        out.append(f"  Renode: {c['renode']}")
    if "arm" in c:
        out.append(f"  ARM: {c['arm']}")
    return "\n".join(out)


def explored_verdicts(s: dict[str, Any]) -> list[Verdict]:
    """The explore goals judged as the issue states them: recall and precision pooled over the
    straight gaits (and, at TURNING_RECALL, over the turning ones), the timing figures on the
    worst gait (every gait must meet them), strike pooled over the gaits with strike truth."""
    out = []
    missing = s.get("gaits_missing", {})
    for g in EXPLORE_GOALS:
        if g.metric in ("recall", "precision"):
            straight, turning = s["straight"], s["turning"]
            out.append(Verdict(g, straight[g.metric], f"pooled over {straight['cases']} straight drawn gaits"))
            out.append(Verdict(replace(g, limit=TURNING_RECALL, scope="explored gaits, turning"), turning[g.metric],
                               f"pooled over {turning['cases']} turning drawn gaits"))
        elif g.metric in TIMING_METRICS:
            worst = s.get("worst", {}).get(g.metric)
            out.append(Verdict(g, worst["value"] if worst else None,
                               f"worst of {s['cases']} drawn gaits; {missing.get(g.metric, 0)} over the limit"))
        else:
            out.append(Verdict(g, s.get(g.metric), f"pooled over {s['cases']} drawn gaits"))
    return out


def _bench_target(name: str) -> None:
    """RigError, before anything runs, for a target rig bench cannot run on: one it does not know (naming
    native too, its default), or one not available here (a board: rig bench takes no --port or --place,
    so the reason's 'pass --port URL' would send the user to an option it has not)."""
    try:
        target = make_target(name)
    except UnknownTargetError:
        raise RigError(f"unknown target {name!r}; choose {NATIVE} (the analyzer in-process, the default) or one of: "
                       f"{', '.join(TARGETS)}") from None
    try:
        target.require()
    except TargetUnavailable as exc:
        if name != "board":
            raise
        raise TargetUnavailable(f"{exc}; for rig bench, which takes neither --port nor --place: set {PORT_ENV}=URL "
                                f"(or {PLACE_ENV}=NAME)") from None


def run_bench(scenarios: Sequence[str] = (), recordings: Sequence[Path] = (), target: str = NATIVE,
              runs_dir: Path = Path("runs"), seed: int | None = None, cost: bool = True) -> BenchReport:
    """Measure accuracy (and cost) and judge every goal; the report, printed by format_bench_report.

    scenarios: catalog names (default: the whole catalog, plus the real recordings of scenarios/data
    and the gaits rig explore draws);
    recordings: labelled recording CSVs to score with the real recordings; target: NATIVE (the
    analyzer in-process) or a rig target's name. Raises KeyError for an unknown scenario before
    anything runs, RigError for an unknown target or a recording without truth.
    """
    for name in scenarios:
        get_scenario(name)  # unknown names fail before anything runs
    if target != NATIVE:
        _bench_target(target)
    whole = not scenarios and not recordings
    names = [s.name for s in list_scenarios()] if whole else list(scenarios)
    rep = BenchReport(target)
    rep.rows = run_catalog(names, target, runs_dir, seed)
    real_paths = list_datasets() if whole else list(recordings)
    rep.real_rows, rep.border_rows = run_recordings(real_paths, target, runs_dir)
    if whole:
        # gaits the analyzer was not tuned on, drawn in-process (rig explore)
        rep.explored = explored_summary()
        rep.explore_map = holding_map()
    rep.verdicts = judge(rep.rows, rep.real_rows, rep.border_rows)
    if rep.explored:
        rep.verdicts += explored_verdicts(rep.explored)
    if cost:
        rep.cost = measure_cost(runs_dir)
        if target == "renode":
            rep.cost.update(measure_renode_cost(runs_dir))
    return rep
