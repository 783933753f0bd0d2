"""Pivot steps with almost no toes-up rotation, and swivels on the spot that are no steps.

Turning round on the spot, a foot is lifted (or rocked onto its heel or ball) and swivelled
30-150 deg about its vertical in a few tenths of a second, then set down softly: its toes-up
rate peaks at a few tens of dps (under the swing and pivot thresholds), and no impact marks the
landing. A sole bearing the body's weight cannot spin that fast about its vertical; the step is
the spin between two still stances: toe-off where it begins, contact where it ends. A foot whose
weight the other foot bears can also be slid round flat on the floor (scenarios: a fidget
segment's swivel_deg): it spins as fast, but never leaves the ground, and its sensor feels gravity
alone; a lifted foot is accelerated up and braked as it takes its weight back (|a| leaves 1 g).
"""

from __future__ import annotations

import pytest

from rig.evaluate import score
from rig.native import analyze
from scenarios.definition import ScenarioDef, Segment
from scenarios.sensor import SensorModel
from scenarios.synth import synthesize_def


@pytest.mark.parametrize("pitch_scale", [0.05, 0.1])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_foot_swivelled_round_with_no_toes_up_swing_is_a_step(pitch_scale: float, seed: int) -> None:
    """A U-turn on the spot in three pivot steps whose swing barely tilts the foot: every step
    found, none extra (before: recall 0.6, the pivots merged into the stance before them)."""
    defn = ScenarioDef(
        name="pivot_turn", description="walk, turn round on the spot with flat pivot steps, walk back",
        lead_s=1.5, seed=seed, sensor=SensorModel.realistic(),
        segments=(Segment("walk", 4.0, speed_mps=1.2),
                  Segment("walk", 6.0, speed_mps=0.6, turn_deg=180.0, pitch_scale=pitch_scale),
                  Segment("walk", 4.0, speed_mps=1.2), Segment("still", 2.0)))
    rec = synthesize_def(defn, odr_hz=104.0)
    assert rec.truth is not None
    s = score(analyze(rec)[0], rec.truth)
    assert s.recall is not None and s.recall >= 0.99, (seed, s)
    assert s.precision is not None and s.precision >= 0.99, (seed, s)


@pytest.mark.parametrize("swivel_deg", [40.0, 90.0, -150.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_foot_slid_round_flat_on_the_floor_is_no_step(swivel_deg: float, seed: int) -> None:
    """Standing between two walks, a foot slid round on the spot about its vertical and back
    (the body's weight on the other foot), four times, each swivel 0.45 s at up to 170-630 dps
    with a still second between: it spins fast and turns the foot 40-150 deg between two still
    stances like a pivot step, but it never leaves the ground, and |a| stays at 1 g. No stride
    may come of it (before: 8 false strides, precision 0.43)."""
    defn = ScenarioDef(
        name="swivel", description="walk, stand swivelling one foot on the spot, walk on",
        lead_s=1.5, seed=seed, sensor=SensorModel.realistic(),
        segments=(Segment("walk", 4.0, speed_mps=1.2), Segment("fidget", 10.0, swivel_deg=swivel_deg),
                  Segment("walk", 4.0, speed_mps=1.2), Segment("still", 2.0)))
    rec = synthesize_def(defn, odr_hz=104.0)
    assert rec.truth is not None
    s = score(analyze(rec)[0], rec.truth)
    assert s.recall is not None and s.recall >= 0.99, (seed, s)
    assert s.precision is not None and s.precision >= 0.99, (seed, s)
