"""rig.evaluate: one-to-one matching inside label windows and the accuracy figures."""

from __future__ import annotations

from typing import Any

import pytest

from rig.evaluate import (
    cadence_max_error,
    format_table,
    match_strides,
    score,
)
from rig.goals import CATALOG_GOALS, REAL_GOALS
from scenarios.model import StrideTruth, Truth


def det(ic_s: float, **kw: Any) -> dict[str, Any]:
    """A detected stride with only the given fields measured."""
    d: dict[str, Any] = {"ic_s": ic_s, "tc_s": None, "gct_ms": None, "strike": None, "fsa_deg": None, "stride_m": None}
    d.update(kw)
    return d


def truth(ics: list[float], window: tuple[float, float] = (0.0, 100.0), **kw: Any) -> Truth:
    return Truth(strides=tuple(StrideTruth(ic_s=t, **kw) for t in ics), label_windows_s=(window,))


def test_each_detection_pairs_with_at_most_one_truth() -> None:
    t = truth([1.0, 2.0, 3.0])
    m = match_strides([det(1.01), det(1.02), det(2.05), det(3.5)], t)
    assert m.pairs == ((0, 0), (2, 1))
    assert m.missed == (2,)
    assert m.false_alarms == (1, 3)


def test_closest_pairs_win() -> None:
    m = match_strides([det(1.06), det(1.01)], truth([1.0]))
    assert m.pairs == ((1, 0),)
    assert m.false_alarms == (0,)


def test_outside_the_label_windows_nothing_counts() -> None:
    t = truth([5.0, 6.0, 20.0], window=(4.9, 6.1))
    m = match_strides([det(1.0), det(5.0), det(6.0), det(6.15), det(20.0)], t)
    assert m.pairs == ((1, 0), (2, 1))
    assert m.missed == ()  # the IC at 20 s lies outside the window
    assert m.false_alarms == ()
    assert m.ignored == (0, 3, 4)  # 6.15 s is within tolerance of the window's edge


def test_scores_timing_in_ms_and_none_where_truth_lacks_data() -> None:
    t = truth([1.0, 2.0])
    s = score([det(1.002, tc_s=1.3, gct_ms=298.0), det(2.004)], t)
    assert s.recall == 1.0 and s.precision == 1.0
    assert s.ic_mae_ms == pytest.approx(3.0)
    assert s.ic_bias_ms == pytest.approx(3.0)
    assert s.tc_mae_ms is None and s.gct_mae_ms is None
    assert s.strike_accuracy is None and s.fsa_mae_deg is None
    assert s.stride_len_mape_pct is None and s.distance_err_pct is None


def test_scores_strides_against_full_truth() -> None:
    strides = tuple(
        StrideTruth(ic_s=1.0 + k, tc_s=1.25 + k, gct_ms=250.0, stride_m=2.0, fsa_deg=10.0, strike="heel")
        for k in range(3)
    )
    t = Truth(strides=strides, label_windows_s=((0.0, 10.0),), distance_m=6.0)
    d = [
        det(1.0 + k, tc_s=1.255 + k, gct_ms=255.0, stride_m=2.1, fsa_deg=11.0, strike="heel" if k else "mid")
        for k in range(3)
    ]
    s = score(d, t)
    assert s.tc_mae_ms == pytest.approx(5.0)
    assert s.gct_mae_ms == pytest.approx(5.0)
    assert s.fsa_mae_deg == pytest.approx(1.0)
    assert s.strike_accuracy == pytest.approx(2 / 3)
    assert s.stride_len_mape_pct == pytest.approx(5.0)
    assert s.distance_err_pct == pytest.approx(5.0)
    assert score(d, t, summary={"distance_m": 6.3}).distance_err_pct == pytest.approx(5.0)


def test_an_unmeasured_length_is_a_full_error() -> None:
    t = truth([1.0], stride_m=2.0)
    assert score([det(1.0)], t).stride_len_mape_pct == pytest.approx(100.0)


def test_still_recording_scores_precision_on_false_alarms() -> None:
    t = Truth(strides=(), label_windows_s=((0.0, 30.0),))
    assert score([], t).precision == 1.0 and score([], t).recall is None
    s = score([det(10.0)], t)
    assert s.precision == 0.0 and s.n_false == 1


def test_cadence_error_over_windows() -> None:
    ics = [0.5 + 0.75 * k for k in range(80)]  # 160 steps/min for 60 s
    t = truth(ics, window=(0.0, 60.0))
    d = [det(x + 0.001 * (k % 3)) for k, x in enumerate(ics)]
    err = cadence_max_error(d, t)
    assert err is not None and err < 0.05
    slow = [det(0.5 + 0.76 * k) for k in range(78)]
    err_slow = cadence_max_error(slow, t)
    assert err_slow is not None and err_slow > 1.5


def test_targets_name_score_fields_and_judge() -> None:
    fields = set(score([], truth([])).as_dict())
    for target in CATALOG_GOALS + REAL_GOALS:
        assert target.metric in fields
        assert target.passes(None) is None
    recall = CATALOG_GOALS[0]
    assert recall.passes(0.999) and not recall.passes(0.99)
    ic = next(x for x in CATALOG_GOALS if x.metric == "ic_mae_ms")
    assert ic.passes(2.9) and not ic.passes(3.1)


def test_table_shows_dashes_for_unmeasured() -> None:
    s = score([det(1.0)], truth([1.0]))
    text = format_table([("walk", s)])
    assert "walk" in text and "100.00" in text and " -" in text
