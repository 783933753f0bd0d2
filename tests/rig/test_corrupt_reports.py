"""A firmware's report that measures nothing, or sums up nothing, fails its run naming what is missing."""

from __future__ import annotations

import dataclasses
from functools import cache

from rig.assertions import check_result
from rig.native import analyze
from rig.records import RunResult
from scenarios.catalog import synthesize
from scenarios.model import Recording


@cache
def _run(name: str) -> tuple[Recording, RunResult]:
    rec = synthesize(name)
    strides, summary = analyze(rec)
    return rec, RunResult(strides=list(strides), summary=summary, hello={}, samples_sent=len(rec.t_s), wall_s=1.0)


def _failures(rec: Recording, result: RunResult) -> list[str]:
    assert rec.truth is not None
    return check_result(result, rec.truth).failures


def _blank(result: RunResult, **fields: None) -> RunResult:
    return dataclasses.replace(result, strides=[dataclasses.replace(s, **fields) for s in result.strides])


def test_a_contact_time_unmeasured_on_every_stride_fails_its_goals() -> None:
    rec, result = _run("sprint")
    assert not [f for f in _failures(rec, result) if "NaN" in f]
    failures = _failures(rec, _blank(result, tc_s=None, gct_ms=None))
    named = [f for f in failures if "NaN" in f]
    assert any(f.startswith("tc_mae_ms: the firmware reported no toe-off time") for f in named), failures
    assert any(f.startswith("gct_mae_ms: the firmware reported no ground contact time") for f in named), failures
    assert f"on {len(result.strides) - 1} of {len(result.strides) - 1} matched strides" in named[0]


def test_an_unmeasured_strike_angle_fails_its_goal() -> None:
    rec, result = _run("sprint")
    failures = _failures(rec, _blank(result, fsa_deg=None))
    assert any(f.startswith("fsa_mae_deg: the firmware reported no foot strike angle") for f in failures), failures


def test_a_bouts_last_stride_may_lack_its_contact_time() -> None:
    rec, result = _run("stop_and_go")
    gaps = [i for i, s in enumerate(result.strides) if s.gct_ms is None]
    assert gaps and gaps[-1] == len(result.strides) - 1 and len(gaps) >= 2  # the end of the run and a stop
    assert not [f for f in _failures(rec, result) if "NaN" in f]
    strides = list(result.strides)
    strides[3] = dataclasses.replace(strides[3], tc_s=None, gct_ms=None)  # in the middle of a bout
    failures = _failures(rec, dataclasses.replace(result, strides=strides))
    assert any(f.startswith("tc_mae_ms: the firmware reported no toe-off time (NaN) on 1 of") for f in failures), failures


def test_an_all_nan_summary_is_corrupt() -> None:
    rec, result = _run("sprint")
    assert result.summary is not None
    assert not [f for f in _failures(rec, result) if "SUMMARY" in f]
    blank = dataclasses.replace(result.summary, **{k: None for k in (
        "distance_m", "duration_s", "still_s", "walk_s", "run_s", "stairs_s", "cadence_spm", "pace_s_per_km")})
    failures = _failures(rec, dataclasses.replace(result, summary=blank))
    assert any("the SUMMARY reports no distance_m, duration_s, still_s, walk_s, run_s, stairs_s (NaN)" in f
               for f in failures), failures
    assert any("no cadence_spm (NaN) though" in f for f in failures), failures
    nopace = dataclasses.replace(result.summary, pace_s_per_km=None)
    assert any("but no pace_s_per_km" in f for f in _failures(rec, dataclasses.replace(result, summary=nopace)))


def test_a_corrupt_summary_frame_is_a_corrupt_report_not_a_missing_one() -> None:
    """rig run judged a SUMMARY that came with a figure of inf (dropped as a corrupt frame) as 'no SUMMARY
    frame arrived', after waiting its full 10 s for one."""
    rec, result = _run("sprint")
    said = "the SUMMARY frame (seq 9) is corrupt: SUMMARY distance_m: inf is not a measurement"
    failures = _failures(rec, dataclasses.replace(result, summary=None, corrupt_summary=said))
    assert f"{said}; no figure of it is taken" in failures, failures
    assert "no SUMMARY frame arrived" not in failures
