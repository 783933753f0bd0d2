"""A forefoot that lands still rotating toes up, read at a low sample rate.

The ball touches while the swing still turns the foot toes up; the ground's impact makes |a| jump,
and the heel then drops. The impact's jump rises within a few ms: at 208 or 104 Hz it shows whole
between two samples, and its jerk read over the sample period is a half or a quarter of what the
same jump reads at 416 Hz. The contact is where the slowing rotation was least toes up just before
that jump, not the foot flat tens of ms later.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case
from tests.analyzer.contacts import assert_every_stride_on_time


@pytest.mark.parametrize("odr_hz", [208.0, 104.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_ball_that_lands_still_rotating_toes_up_is_the_contact_at_a_low_rate(odr_hz: float, seed: int) -> None:
    """A forefoot strike touching down at 256 dps toes up (before: at 208 Hz IC 41-48 ms late at
    foot flat, half the strikes read as heel strikes; at 104 Hz strides missed)."""
    case = Case((("speed_mps", 2.0), ("strike", "fore"), ("odr_hz", odr_hz), ("contact_rate_dps", 256.0)), seed)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores)
    if odr_hz >= 208.0:
        assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95, scores.strike_accuracy
