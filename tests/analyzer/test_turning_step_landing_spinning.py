"""A turning step whose foot lands still spinning about its vertical.

Turning round, a walker's foot often touches down while the leg still rotates it about its
vertical at a few hundred dps; the friction under the sole, as it takes the body's weight, stops
that spin within tens of ms. A ball that lands so then lowers its heel slowly, and the toes-up
rotation ends (the top) 0.1-0.3 s after the contact. The contact is where the ground arrested
the spin (scenarios: a turning segment's landing_spin_dps).
"""

from __future__ import annotations

import numpy as np
import pytest

from rig.native import analyze
from scenarios.definition import ScenarioDef, Segment
from scenarios.morphology import Morphology
from scenarios.sensor import SensorModel
from scenarios.synth import synthesize_def


@pytest.mark.parametrize("spin_dps", [300.0, 500.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_contact_is_where_the_ground_stops_the_foot_spinning(spin_dps: float, seed: int) -> None:
    """Forefoot landings with a slow heel drop (toes-up 60 dps at contact, 150 dps at most to
    foot flat), a U-turn whose feet land spinning: every stride that lands spinning has its IC
    within 10 ms of truth (before: 190-280 ms late, at the top)."""
    defn = ScenarioDef(
        name="spin_landing", description="walk, U-turn landing with the feet still spinning, walk back",
        lead_s=1.5, seed=seed, sensor=SensorModel.realistic(),
        morphology=Morphology(contact_rate_dps=60.0, landing_dps=150.0),
        segments=(Segment("walk", 4.0, speed_mps=1.2, strike="fore"),
                  Segment("walk", 4.0, speed_mps=1.2, strike="fore", turn_deg=180.0, landing_spin_dps=spin_dps),
                  Segment("walk", 4.0, speed_mps=1.2, strike="fore"), Segment("still", 2.0)))
    rec = synthesize_def(defn, odr_hz=104.0)
    assert rec.truth is not None
    ic = np.array([s.ic_s for s in analyze(rec)[0]])
    gz = np.abs(rec.gyro_dps[:, 2])
    spinning = [s.ic_s for s in rec.truth.strides
                if gz[(rec.t_s > s.ic_s - 0.03) & (rec.t_s <= s.ic_s)].max() > 0.5 * spin_dps]
    assert len(spinning) >= 3, spinning
    errs_ms = [1000.0 * float(ic[np.argmin(np.abs(ic - t))] - t) for t in spinning]
    assert max(abs(e) for e in errs_ms) < 10.0, errs_ms
