"""Accuracy goals: the one table of every limit a figure is judged against.

A goal names a Scores field (rig.evaluate.Scores), its limit and which way is better.
Its `applies_to` says where it is judged:

- ``catalog``: pooled over the scenario catalog by `rig bench` (the issue's targets);
- ``real``: pooled over the real recordings by `rig bench`;
- ``still``: strides reported in the scenarios with nobody walking (`rig bench`);
- ``run``: every single scenario run on any target (`rig run`, the scenario suite), including the
  phone app's view (``app_*``: the RSC Measurements over time against the truth, rig.app_view).
  Event timing, strike and FSA hold every run to the catalog goals; detection and
  length are looser per run (one miss in a short run is several percent, and stairs
  are not level running), the catalog-wide figures being judged by the bench.
- ``explore``: every gait `rig explore` draws from the parameter and morphology space (the
  issue's targets for gaits the analyzer was not tuned on; recall and precision drop to
  TURNING_RECALL on a gait that turns, strike is judged where the truth has it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Scope = Literal["catalog", "real", "still", "run", "explore"]


@dataclass(frozen=True)
class AccuracyGoal:
    """One accuracy goal: `metric` must be at least (better="higher") or at most `limit`, in `unit`."""

    applies_to: Scope
    metric: str
    limit: float
    better: Literal["higher", "lower"]
    unit: str
    #: What the figure is pooled over, for reports.
    scope: str

    def passes(self, value: float | None) -> bool | None:
        """True/False against the limit; None when the figure was not measured."""
        if value is None:
            return None
        return value >= self.limit if self.better == "higher" else value <= self.limit


GOALS: tuple[AccuracyGoal, ...] = (
    AccuracyGoal("catalog", "recall", 0.998, "higher", "", "scenario catalog, 416 Hz, sensor errors on"),
    AccuracyGoal("catalog", "precision", 0.998, "higher", "", "scenario catalog, 416 Hz, sensor errors on"),
    AccuracyGoal("catalog", "ic_mae_ms", 3.0, "lower", "ms", "scenario catalog"),
    AccuracyGoal("catalog", "tc_mae_ms", 5.0, "lower", "ms", "scenario catalog"),
    AccuracyGoal("catalog", "gct_mae_ms", 6.0, "lower", "ms", "scenario catalog"),
    AccuracyGoal("catalog", "cadence_max_err_spm", 0.5, "lower", "steps/min", "30 s windows"),
    AccuracyGoal("catalog", "strike_accuracy", 0.97, "higher", "", "scenario catalog"),
    AccuracyGoal("catalog", "fsa_mae_deg", 2.0, "lower", "deg", "scenario catalog"),
    AccuracyGoal("catalog", "stride_len_mape_pct", 2.0, "lower", "%", "level running"),
    AccuracyGoal("catalog", "distance_err_pct", 2.0, "lower", "%", "30-minute run"),
    AccuracyGoal("still", "strides_in_still", 0, "lower", "", "standing, fidgeting"),
    AccuracyGoal("real", "recall", 0.99, "higher", "", "real recordings vs their reference events"),
    AccuracyGoal("real", "precision", 0.99, "higher", "", "real recordings vs their reference events"),
    AccuracyGoal("real", "ic_mae_ms", 5.0, "lower", "ms", "motion-capture-labelled walks"),
    AccuracyGoal("real", "tc_mae_ms", 8.0, "lower", "ms", "motion-capture-labelled walks"),
    AccuracyGoal("real", "distance_err_pct", 1.5, "lower", "%", "recordings with footprints, worst"),
    AccuracyGoal("real", "activity_accuracy", 0.99, "higher", "", "labelled level strides, worst recording"),
    AccuracyGoal("run", "recall", 0.98, "higher", "", "per run"),
    AccuracyGoal("run", "precision", 0.98, "higher", "", "per run"),
    AccuracyGoal("run", "ic_mae_ms", 3.0, "lower", "ms", "per run"),
    AccuracyGoal("run", "tc_mae_ms", 5.0, "lower", "ms", "per run"),
    AccuracyGoal("run", "gct_mae_ms", 6.0, "lower", "ms", "per run"),
    AccuracyGoal("run", "strike_accuracy", 0.97, "higher", "", "per run"),
    AccuracyGoal("run", "fsa_mae_deg", 2.0, "lower", "deg", "per run"),
    AccuracyGoal("run", "stride_len_mape_pct", 5.0, "lower", "%", "per run"),
    AccuracyGoal("run", "distance_err_pct", 5.0, "lower", "%", "per run"),
    # The phone app's view: the RSC Measurements the shoe notified, over time (rig.app_view).
    AccuracyGoal("run", "app_speed_mape_pct", 5.0, "lower", "%", "per run, app's view"),
    AccuracyGoal("run", "app_cadence_mae_per_min", 1.0, "lower", "/min", "per run, app's view"),
    AccuracyGoal("run", "app_stride_mape_pct", 5.0, "lower", "%", "per run, app's view"),
    AccuracyGoal("run", "app_distance_err_pct", 5.0, "lower", "%", "per run, app's view, worst instant"),
    AccuracyGoal("run", "app_status_accuracy", 0.9, "higher", "", "per run, app's view, walking/running"),
    AccuracyGoal("run", "app_state_errors", 0, "lower", "", "per run, app's view, moving vs stopped"),
    AccuracyGoal("explore", "recall", 0.995, "higher", "", "explored gaits, straight"),
    AccuracyGoal("explore", "precision", 0.995, "higher", "", "explored gaits, straight"),
    AccuracyGoal("explore", "ic_mae_ms", 10.0, "lower", "ms", "every explored gait"),
    AccuracyGoal("explore", "tc_mae_ms", 10.0, "lower", "ms", "every explored gait"),
    AccuracyGoal("explore", "gct_mae_ms", 10.0, "lower", "ms", "every explored gait"),
    AccuracyGoal("explore", "strike_accuracy", 0.95, "higher", "", "explored gaits with strike truth"),
)


def goals(applies_to: Scope) -> tuple[AccuracyGoal, ...]:
    """The goals judged in one place, in table order."""
    return tuple(g for g in GOALS if g.applies_to == applies_to)


#: The goals of the synthetic catalog (absolute distance error, MAE elsewhere).
CATALOG_GOALS = goals("catalog")
#: The goals of the real recordings.
REAL_GOALS = goals("real")
#: Strides allowed in the scenarios where nobody walks.
STILL_GOAL = goals("still")[0]
#: What one scenario run must meet on any target.
RUN_GOALS = goals("run")
#: What every gait drawn by `rig explore` must meet.
EXPLORE_GOALS = goals("explore")
#: Recall and precision asked of an explored gait that turns.
TURNING_RECALL = 0.95
