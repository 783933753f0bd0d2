"""A ball landing whose heel comes down so slowly that the foot is at rest before the top.

A foot that lands on its ball and lowers its heel slowly (a walker stopping or turning, or a
forefoot walk with a soft heel drop) turns toes up until foot flat, so the toes-up rotation creeps
to zero with the foot already standing still: the rotation's end (the top) comes 0.1-0.5 s after
the contact. The foot touched where it took its weight: the last rise of |a| late in the rotation.
"""

from __future__ import annotations

import numpy as np
import pytest

from rig.native import analyze
from scenarios.definition import ScenarioDef, Segment
from scenarios.morphology import Morphology
from scenarios.sensor import SensorModel
from scenarios.synth import synthesize_def


@pytest.mark.parametrize("seed", [2, 3, 4])
def test_a_foot_at_rest_before_its_rotation_ends_landed_before_it(seed: int) -> None:
    """Forefoot landings with a slow heel drop (toes-up 60 dps at contact, 150 dps at most to
    foot flat), then standing: every stride after the first from standing has its IC within
    45 ms of truth (29-38 ms late where the foot comes to rest before the top: the rise picked is
    the heel drop's load, a few tens of ms after the ball's touch; before: at the top, 180-500 ms
    late)."""
    defn = ScenarioDef(
        name="rest_before_top", description="walk on the balls of the feet, stop and stand",
        lead_s=1.5, seed=seed, sensor=SensorModel.realistic(),
        morphology=Morphology(contact_rate_dps=60.0, landing_dps=150.0),
        segments=(Segment("walk", 6.0, speed_mps=1.2, strike="fore"), Segment("still", 2.0)))
    rec = synthesize_def(defn, odr_hz=104.0)
    assert rec.truth is not None
    ic = np.array([s.ic_s for s in analyze(rec)[0]])
    errs_ms = [1000.0 * float(ic[np.argmin(np.abs(ic - s.ic_s))] - s.ic_s) for s in rec.truth.strides[1:]]
    assert max(abs(e) for e in errs_ms) < 45.0, (seed, errs_ms)
