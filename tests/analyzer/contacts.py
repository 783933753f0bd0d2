"""What the contact tests ask of a gait the analyzer should now get right."""

from __future__ import annotations

from rig.evaluate import Scores


def assert_every_stride_on_time(scores: Scores, within_ms: float = 5.0) -> None:
    """Every stride found and none extra; IC and contact time within `within_ms` (mean absolute)."""
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < within_ms, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < within_ms, scores.gct_mae_ms
