"""A heel that lands after a toes-down turn in the air, read at a low sample rate.

A heel strike whose swing rotation ends tens of ms before contact turns toes down in the air (the
hump); the heel's contact then steepens that turn into the slap, with the ground's impact. At 104 Hz
a sample period (9.6 ms) is longer than the impact's rise: the jump of |a| shows whole between two
samples and its jerk, read over the period, is a quarter of what the same jump reads at 416 Hz. The
contact is the knee of gy the impact follows, not the top 30-40 ms before it.
"""

from __future__ import annotations

import pytest

from rig.explore import Case, run_case


@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_landing_after_a_hump_at_104_hz_is_the_knee_not_the_top(seed: int) -> None:
    """A heel sensor, 104 Hz, a 10 deg hump in the air and a soft 5 g impact (before: IC 18-22 ms
    early, at the top)."""
    case = Case((("speed_mps", 3.5), ("odr_hz", 104.0), ("site", "heel"), ("precontact_hump_deg", 10.0),
                 ("impact_g", 5.0)), seed)
    scores = run_case(case).scores
    assert scores.recall == 1.0 and scores.precision == 1.0, scores
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 8.0, scores.ic_mae_ms
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 9.0, scores.gct_mae_ms
