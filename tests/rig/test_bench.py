"""rig.bench: how figures pool over the catalog, how goals are judged, the report object and its JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rig.bench import NATIVE, BenchReport, Row, Verdict, explored_verdicts, format_bench_report, judge, pooled, run_bench
from rig.errors import RigError
from rig.evaluate import Scores
from rig.goals import CATALOG_GOALS, REAL_GOALS, STILL_GOAL


def scores(n_truth: int = 10, n_matched: int = 10, n_false: int = 0, **kw: Any) -> Scores:
    return Scores(n_truth=n_truth, n_detected=n_matched + n_false, n_matched=n_matched, n_missed=n_truth - n_matched,
                  n_false=n_false, recall=n_matched / n_truth if n_truth else None,
                  precision=n_matched / (n_matched + n_false) if n_matched + n_false else None, **kw)


def row(name: str, tags: tuple[str, ...] = ("run",), **kw: Any) -> Row:
    return Row(name, tags, scores(**kw), samples=416, analyze_s=0.1)


def test_recall_and_precision_pool_over_strides_not_recordings() -> None:
    rows = [row("a", n_truth=100, n_matched=100), row("b", n_truth=10, n_matched=5, n_false=5)]
    assert pooled(rows, "recall") == pytest.approx(105 / 110)
    assert pooled(rows, "precision") == pytest.approx(105 / 110)
    assert pooled([], "recall") is None


def test_timing_errors_are_weighted_by_matched_strides() -> None:
    rows = [row("a", n_matched=30, n_truth=30, ic_mae_ms=1.0), row("b", n_matched=10, n_truth=10, ic_mae_ms=5.0),
            row("c", n_matched=0, n_truth=5, ic_mae_ms=None)]
    assert pooled(rows, "ic_mae_ms") == pytest.approx((30 * 1.0 + 10 * 5.0) / 40)


def test_worst_case_metrics_and_their_scopes() -> None:
    rows = [row("run", ("run",), cadence_max_err_spm=0.2, stride_len_mape_pct=1.0),
            row("walk", ("walk",), cadence_max_err_spm=0.4, stride_len_mape_pct=9.0),
            row("long", ("run", "long"), distance_err_pct=1.5),
            row("long2", ("run", "long"), distance_err_pct=0.5)]
    assert pooled(rows, "cadence_max_err_spm") == 0.4
    assert pooled(rows, "stride_len_mape_pct") == pytest.approx(1.0), "walking is not level running"
    assert pooled(rows, "distance_err_pct") == 1.5


def test_judge_covers_every_goal_and_counts_strides_while_standing() -> None:
    rows = [row("steady", ("run",), ic_mae_ms=1.0), row("standing", ("still",), n_truth=0, n_matched=0, n_false=2)]
    verdicts = judge(rows, [], [])
    assert [v.goal for v in verdicts] == list(CATALOG_GOALS) + [STILL_GOAL] + list(REAL_GOALS)
    still = next(v for v in verdicts if v.goal == STILL_GOAL)
    assert still.value == 2.0 and still.status == "FAIL" and "standing" in still.scope_note
    ic = next(v for v in verdicts if v.goal.metric == "ic_mae_ms" and v.goal in CATALOG_GOALS)
    assert ic.status == "PASS"
    real = [v for v in verdicts if v.goal in REAL_GOALS]
    assert all(v.status == "n/a" for v in real), "no real recordings: nothing to judge, nothing failed"


def test_border_intervals_count_towards_real_recall() -> None:
    borders = [{"name": "steps", "hits": 8, "intervals": 10}]
    real_rows = [row("healthy_2x20m_left", ("real",), n_truth=10, n_matched=10, tc_mae_ms=9.0)]
    verdicts = judge([], real_rows, borders)
    recall = next(v for v in verdicts if v.goal in REAL_GOALS and v.goal.metric == "recall")
    assert recall.value == pytest.approx(18 / 20)
    tc = next(v for v in verdicts if v.goal in REAL_GOALS and v.goal.metric == "tc_mae_ms")
    assert tc.value == 9.0 and tc.status == "FAIL"


def test_labels_of_another_convention_count_per_contact_not_by_time() -> None:
    # a pressure insole's heel strikes, 30-100 ms after the contact: matched within a time tolerance they read
    # as misses and false alarms; the recording's contacts row judges them instead
    late = row("insole_walk", ("real", "pressure_insole"), n_truth=10, n_matched=4, n_false=6, ic_mae_ms=90.0)
    mocap = row("healthy_2x20m_left", ("real",), n_truth=10, n_matched=10, ic_mae_ms=4.0)
    contacts = {"name": "insole_walk", "kind": "contacts", "reference": "pressure_insole",
                "hits": 8, "intervals": 9, "missed": 0, "extra": 1, "detected": 10, "step_count": None}
    verdicts = {v.goal.metric: v for v in judge([], [late, mocap], [contacts]) if v.goal in REAL_GOALS}
    assert verdicts["recall"].value == pytest.approx((8 + 10) / (9 + 10))
    assert verdicts["precision"].value == pytest.approx((8 + 10) / (10 + 10))
    assert verdicts["ic_mae_ms"].value == 4.0, "the timing goal stays on the motion-capture walks"
    text = format_bench_report(BenchReport("native", real_rows=[late, mocap], border_rows=[contacts]))
    assert "insole_walk" in text and "contacts (pressure_insole labels): 8/9" in text


def test_run_bench_scores_insole_labels_per_contact(tmp_path: Path) -> None:
    csv = Path(__file__).parents[2] / "scenarios" / "data" / "moticon_opengo" / "walk_normal_left.csv"
    rep = run_bench(recordings=[csv], runs_dir=tmp_path, cost=False)
    assert [r.tags for r in rep.real_rows] == [("real", "pressure_insole")]
    (contacts,) = rep.border_rows
    assert contacts["kind"] == "contacts" and contacts["intervals"] >= 5
    assert contacts["hits"] == contacts["intervals"] and contacts["extra"] == 0


def test_report_passes_unless_a_goal_fails_and_writes_the_json_contract() -> None:
    good = BenchReport("native", rows=[row("steady")])
    good.verdicts = judge(good.rows, [], [])
    assert good.passed
    bad = BenchReport("native", verdicts=[Verdict(STILL_GOAL, 1.0, "standing")])
    assert not bad.passed
    doc = json.loads(json.dumps(good.to_json()))
    assert set(doc) == {"target", "scenarios", "real", "borders", "targets", "cost", "explored", "explore_map"}
    assert doc["scenarios"]["steady"]["recall"] == 1.0
    assert {"metric", "value", "limit", "status"} == set(doc["targets"][0])
    text = format_bench_report(good)
    assert "steady" in text and "PASS" in text and "cost:" not in text


def test_run_bench_on_one_scenario_judges_it(tmp_path: Path) -> None:
    rep = run_bench(["steady_run"], runs_dir=tmp_path, cost=False)
    assert rep.target == NATIVE and [r.name for r in rep.rows] == ["steady_run"] and not rep.real_rows
    assert rep.rows[0].scores.recall == 1.0 and rep.passed


def test_run_bench_refuses_a_recording_without_truth(tmp_path: Path) -> None:
    csv = tmp_path / "bare.csv"
    csv.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" +
                   "".join(f"{k / 416:.6f},0,0,1,0,0,0\n" for k in range(2000)))
    with pytest.raises(RigError, match="bare.csv: no ground truth"):
        run_bench(recordings=[csv], runs_dir=tmp_path, cost=False)


def test_run_bench_refuses_a_recording_whose_truth_labels_nothing(tmp_path: Path) -> None:
    """A sidecar of {} (no contacts, borders or footprints) was scored as judging nothing: every goal
    n/a, and rig bench passed (exit 0)."""
    csv = tmp_path / "bare.csv"
    csv.write_text("t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps\n" +
                   "".join(f"{k / 416:.6f},0,0,1,0,0,0\n" for k in range(2000)))
    (tmp_path / "bare.truth.json").write_text("{}")
    with pytest.raises(RigError, match=r"bare.csv: its truth \(bare.truth.json\) labels nothing rig bench can score"):
        run_bench(recordings=[csv], runs_dir=tmp_path, cost=False)


def test_unknown_scenario_or_target_fails_before_anything_runs(tmp_path: Path) -> None:
    with pytest.raises(KeyError):
        run_bench(["no_such_scenario"], runs_dir=tmp_path, cost=False)
    with pytest.raises(RigError, match="unknown target"):
        run_bench(["steady_run"], target="nowhere", runs_dir=tmp_path, cost=False)


def test_distance_against_footprints_is_judged_on_the_worst_recording() -> None:
    borders = [{"name": "near", "hits": 10, "intervals": 10, "distance_m": 99.0, "truth_distance_m": 100.0,
                "distance_err_pct": -1.0},
               {"name": "far", "hits": 10, "intervals": 10, "distance_m": 102.0, "truth_distance_m": 100.0,
                "distance_err_pct": 2.0},
               {"name": "no footprints", "hits": 10, "intervals": 10}]
    dist = next(v for v in judge([], [], borders) if v.goal in REAL_GOALS and v.goal.metric == "distance_err_pct")
    assert dist.value == 2.0 and dist.status == "FAIL" and "far" in dist.scope_note
    unmeasured = [{"name": "lost", "hits": 1, "intervals": 1, "distance_m": None, "truth_distance_m": 5.0,
                   "distance_err_pct": None}]
    lost = next(v for v in judge([], [], unmeasured) if v.goal in REAL_GOALS and v.goal.metric == "distance_err_pct")
    assert lost.status == "FAIL", "a recording with footprints and no distance is not a pass"


def test_activity_is_judged_on_the_worst_real_recording() -> None:
    real_rows = [row("a", ("real",), activity_accuracy=1.0), row("b", ("real",), activity_accuracy=0.9),
                 row("c", ("real",))]
    act = next(v for v in judge([], real_rows, []) if v.goal in REAL_GOALS and v.goal.metric == "activity_accuracy")
    assert act.value == 0.9 and act.status == "FAIL" and "b" in act.scope_note


def test_footprint_distance_signs_the_error() -> None:
    from rig.bench import footprint_distance

    assert footprint_distance(None, {"distance_m": 3.0}) == {}
    short = footprint_distance(10.0, {"distance_m": 9.8})
    assert short["distance_err_pct"] == pytest.approx(-2.0)
    assert footprint_distance(10.0, {"distance_m": float("nan")})["distance_err_pct"] is None


def test_explored_goals_are_judged_as_stated_straight_turning_and_every_gait() -> None:
    """Straight gaits at 99.5 %, turning ones at 95 %, timing on the worst gait (one late gait
    fails the goal however good the pool), strike pooled."""
    group = {"cases": 10, "held": 10, "recall": 0.999, "precision": 0.996, "ic_mae_ms": 2.0, "tc_mae_ms": 2.0,
             "gct_mae_ms": 2.0, "strike_accuracy": 0.97}
    s = {**group, "cases": 20, "seed": 1, "straight": group, "turning": {**group, "recall": 0.96, "precision": 0.94},
         "worst": {"ic_mae_ms": {"value": 12.0, "command": "rig explore --case x"},
                   "tc_mae_ms": {"value": 4.0, "command": "rig explore --case y"}},
         "gaits_missing": {"ic_mae_ms": 1}}
    got = {(v.goal.metric, v.goal.limit): v for v in explored_verdicts(s)}
    assert got[("recall", 0.995)].status == "PASS" and got[("recall", 0.95)].status == "PASS"
    assert got[("precision", 0.995)].status == "PASS" and got[("precision", 0.95)].status == "FAIL"
    assert got[("ic_mae_ms", 10.0)].status == "FAIL" and "1 over the limit" in got[("ic_mae_ms", 10.0)].scope_note
    assert got[("tc_mae_ms", 10.0)].status == "PASS"
    assert got[("gct_mae_ms", 10.0)].status == "n/a"
    assert got[("strike_accuracy", 0.95)].value == 0.97


def test_a_target_bench_cannot_run_on_says_what_bench_takes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """rig bench --target board with no board said 'pass --port URL (or --place NAME)', options rig bench
    has not; an unknown target was answered with the rig's targets, not native, bench's default."""
    monkeypatch.delenv("STRIDELAB_PORT", raising=False)
    monkeypatch.delenv("LG_PLACE", raising=False)
    with pytest.raises(RigError, match="for rig bench, which takes neither --port nor --place: set STRIDELAB_PORT=URL"):
        run_bench(["standing"], target="board", runs_dir=tmp_path, cost=False)
    with pytest.raises(RigError, match=r"unknown target 'nowhere'; choose native \(the analyzer in-process"):
        run_bench(["standing"], target="nowhere", runs_dir=tmp_path, cost=False)
    assert not list(tmp_path.iterdir())


@pytest.mark.target("qemu")
def test_qemu_speed_is_measured_on_a_host_that_stalls_qemu_while_it_boots(rig_target: Any, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine that stalls QEMU for 6 s as it boots makes the boot slow, not absent: the wait for
    its HELLO (5 s) follows QEMU's progress, and the speed figures are measured all the same."""
    import os
    import signal
    import threading

    from rig import bench
    from rig.targets.qemu import QemuTarget
    from scenarios.catalog import synthesize

    class StalledQemu(QemuTarget):
        stalls: list[threading.Timer] = []

        def start(self, run_dir: Path) -> str:
            url = super().start(run_dir)
            pid = self.pid()
            if not self.stalls and pid is not None:
                os.kill(pid, signal.SIGSTOP)
                self.stalls.append(threading.Timer(6.0, os.kill, (pid, signal.SIGCONT)))
                self.stalls[0].start()
            return url

    monkeypatch.setattr(bench, "QEMU_BOOTS", 1)
    monkeypatch.setattr(bench, "QemuTarget", StalledQemu)
    speed = bench.measure_qemu_speed(synthesize("sprint_gyro_saturation"), tmp_path)
    StalledQemu.stalls[0].join()
    assert speed["qemu_hello_ms"] > 6000.0
    assert speed["qemu_bulk_x_realtime"] > 0 and speed["qemu_uart_x_realtime"] > 0
