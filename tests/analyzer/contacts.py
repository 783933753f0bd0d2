"""What the contact tests ask of a gait the analyzer should now get right."""

from __future__ import annotations

from rig.evaluate import Scores, match_strides
from rig.explore import Case, build_recording
from rig.native import analyze


def assert_every_stride_on_time(scores: Scores, within_ms: float = 5.0) -> None:
    """Every stride found and none extra; IC and contact time within `within_ms` (mean absolute)."""
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < within_ms, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < within_ms, scores.gct_mae_ms


def ic_errors_ms(case: Case, *, allow_missed: bool = False) -> list[float]:
    """The explored gait `case` through the analyzer: every stride found (unless `allow_missed`) and
    none extra (asserted), then each matched stride's IC minus its truth, ms (positive: late)."""
    rec = build_recording(case)
    assert rec.truth is not None
    strides, _ = analyze(rec)
    matching = match_strides(strides, rec.truth)
    assert (allow_missed or not matching.missed) and not matching.false_alarms, matching
    return [(strides[di]["ic_s"] - rec.truth.strides[ti].ic_s) * 1000.0 for di, ti in matching.pairs]
