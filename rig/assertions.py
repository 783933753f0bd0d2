"""Judging one run: parsed STRIDE frames against ground truth, within the per-run goals of rig.goals."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from rig.app_view import judge
from rig.evaluate import Scores, score
from rig.goals import RUN_GOALS, AccuracyGoal
from rig.records import RunResult
from rig.summary_check import result_problems
from rig.unmeasured import unmeasured
from scenarios.model import Truth

@dataclass
class Report:
    """Verdict of one run: the scores, and every failed check as a sentence."""

    scores: Scores
    failures: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """True when every check held."""
        return not self.failures

    def explain(self) -> str:
        """The failures, one per line (for assertion messages)."""
        return "\n".join(self.failures) or "all checks passed"


def check_result(result: RunResult, truth: Truth, tolerances: tuple[AccuracyGoal, ...] = RUN_GOALS) -> Report:
    """Compare a run with its truth: link integrity, stride count, every measured figure, and the phone
    app's view (the RSC Measurements over time) when the firmware published it."""
    scores = score(result.strides, truth, summary=result.summary)
    if result.rsc:
        scores = replace(scores, **judge(list(result.rsc), truth).as_dict())
    report = Report(scores)
    report.failures += [f"link: {p}" for p in result.link_problems()]
    if result.summary is None and not result.corrupt_summary:
        report.failures.append("no SUMMARY frame arrived")
    else:
        report.failures += result_problems(result)
    if result.summary is not None and result.summary.get("strides") != len(result.strides):
        report.failures.append(f"SUMMARY counts {result.summary.get('strides')} strides but "
                               f"{len(result.strides)} STRIDE frames arrived")
    duration_s = (result.summary.duration_s if result.summary is not None else None) or 0.0
    if not result.rsc and duration_s >= 1.0:
        report.failures.append(f"no RSC Measurement arrived in {duration_s:.1f} s of signal (one is due every second)")
    if not truth.strides and result.strides:
        report.failures.append(f"{len(result.strides)} stride(s) reported where the truth has none "
                               f"(first at {result.strides[0]['ic_s']:.3f} s)")
    lacking = {u.metric: u for u in unmeasured(result.strides, truth)}
    for tol in tolerances:
        value = getattr(scores, tol.metric)
        if tol.metric in lacking:
            # a figure the firmware did not measure where the truth has it fails its goal, whatever
            # the strides it did measure gave (none at all would otherwise skip the goal)
            report.checked.append(tol.metric)
            report.failures.append(lacking[tol.metric].sentence())
            continue
        verdict = tol.passes(value)
        if verdict is None:
            continue
        report.checked.append(tol.metric)
        if not verdict:
            op = ">=" if tol.better == "higher" else "<="
            report.failures.append(f"{tol.metric} = {value:.4g}{tol.unit}, needs {op} {tol.limit:g}{tol.unit}")
    return report


def format_run_report(name: str, target: str, result: RunResult, report: Report, run_dir: Path) -> str:
    """A few lines for the terminal: verdict, key figures, failures, where the captures are."""
    s = report.scores
    def f(v: float | None, spec: str) -> str:
        return "-" if v is None else format(v, spec)
    lines = [
        f"{'PASS' if report.passed else 'FAIL'} {name} on {target}: {s.n_detected} strides "
        f"(truth {s.n_truth}, recall {f(s.recall, '.1%')}, precision {f(s.precision, '.1%')}), "
        f"IC {f(s.ic_mae_ms, '.1f')} ms, TC {f(s.tc_mae_ms, '.1f')} ms, stride length {f(s.stride_len_mape_pct, '.1f')} %, "
        f"{result.realtime_factor:.0f}x real time",
    ]
    if s.app_measurements:
        lines.append(f"  app's view: {s.app_measurements} RSC Measurements, speed {f(s.app_speed_mape_pct, '.2f')} %, "
                     f"cadence {f(s.app_cadence_mae_per_min, '.2f')} /min, stride length {f(s.app_stride_mape_pct, '.2f')} %, "
                     f"total distance {f(s.app_distance_err_pct, '.2f')} %, walking/running {f(s.app_status_accuracy, '.1%')}")
    lines += [f"  - {msg}" for msg in report.failures]
    lines += [f"  note: {msg}" for msg in result.notes()]
    lines.append(f"  captures: {run_dir}")
    return "\n".join(lines)
