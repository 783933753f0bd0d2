"""Pivot steps that turn the foot a fraction of a stride's pitch.

Turning on a stair, or sprinting round a bend, a foot can push off with its heel rising by less
than PUSH_DEG (20 deg) and swing with a toes-up rotation peaking under SWING_DPS (100 dps), even
when the turn itself is a few degrees per stride (no yaw for the pivot rule to see). The foot
still leaves the ground: it pushes off (a toes-down burst that falls back: the toe-off), swings
toes up and lands with an impact. Such a stride must be found, with its toe-off and a
zero-velocity point at its stance's stillest instant.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case


@pytest.mark.parametrize("gait", [
    # up a gently turning stair, a third of the pitch: swing under 100 dps, no yaw to speak of
    (("activity", "stairs_up"), ("turn_deg", -8.0), ("turn_pitch_scale", 0.3), ("noise_scale", 8.9),
     ("swing_rate_scale", 0.8)),
    # straight up a stair, four tenths of the pitch: push-off under PUSH_DEG, no toe-off before
    (("activity", "stairs_up"), ("turn_deg", -3.0), ("turn_pitch_scale", 0.42), ("swing_rate_scale", 0.8),
     ("swing_peak_frac", 0.52)),
    # down a turning stair, half the pitch
    (("activity", "stairs_down"), ("turn_deg", 45.0), ("turn_pitch_scale", 0.5), ("odr_hz", 833.0)),
    # a sprint at 104 Hz round a bend, three tenths of the pitch: a stance with no still sample
    (("speed_mps", 6.7), ("turn_deg", -53.0), ("turn_pitch_scale", 0.3), ("odr_hz", 104.0)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_pivot_step_with_little_pitch_is_a_stride(gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """Every stride of the turn found, none extra, toe-off on time (before: the turn's strides lost,
    or merged into the next one with its toe-off a stride late)."""
    scores = run_case(Case(gait, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.tc_mae_ms is not None and scores.tc_mae_ms < 10.0, scores.tc_mae_ms
