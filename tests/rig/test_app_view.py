"""The phone app's view judged against the truth: what passes, and each way it can be wrong."""

from __future__ import annotations

import dataclasses

from rig.app_view import IDLE_S, RscSample, judge
from scenarios.model import StrideTruth, Truth

STRIDE_S = 0.75
STRIDE_M = 2.25
SPEED = STRIDE_M / STRIDE_S
RATE = 60.0 / STRIDE_S  # contacts of the sensor's foot per minute: 80


def _truth(n: int = 40, activity: str = "run") -> Truth:
    strides = tuple(StrideTruth(ic_s=2.0 + k * STRIDE_S, stride_ms=STRIDE_S * 1e3, stride_m=STRIDE_M, speed_mps=SPEED,
                                activity=activity) for k in range(n))
    end = 2.0 + n * STRIDE_S
    return Truth(strides=strides, label_windows_s=((0.0, end + 10.0),), distance_m=n * STRIDE_M)


def _sample(t: float, moving: bool, total_m: float, speed: float = SPEED, rate: float = RATE, running: bool = True,
            stride_m: float | None = STRIDE_M) -> RscSample:
    if not moving:
        return RscSample(t, 0.0, 0, None, total_m, False, "")
    return RscSample(t, round(speed * 256) / 256, round(rate), stride_m, round(total_m, 1), running, "")


def _faithful(truth: Truth, delay_s: float = 0.3) -> list[RscSample]:
    """What a correct shoe shows: each stride reported delay_s after it ends, every second and every report."""
    ends = [s.ic_s + STRIDE_S for s in truth.strides]
    reports = [e + delay_s for e in ends]
    times = sorted(set([float(t) for t in range(1, int(reports[-1] + IDLE_S + 4))] + reports))
    out = []
    for t in times:
        done = [r for r in reports if r <= t]
        moving = bool(done) and t - done[-1] <= IDLE_S
        out.append(_sample(t, moving, len(done) * STRIDE_M))
    return out


def test_a_faithful_view_passes() -> None:
    truth = _truth()
    s = judge(_faithful(truth), truth)
    assert s.app_speed_mape_pct is not None and s.app_speed_mape_pct < 0.5
    assert s.app_cadence_mae_per_min is not None and s.app_cadence_mae_per_min < 0.5
    assert s.app_stride_mape_pct is not None and s.app_stride_mape_pct < 0.5
    assert s.app_distance_err_pct == 0.0
    assert s.app_status_accuracy == 1.0
    assert s.app_state_errors == 0


def test_cadence_in_steps_per_minute_is_caught() -> None:
    """A shoe that sends the two-footed step rate (160) where the specification asks for its own foot's (80)."""
    truth = _truth()
    doubled = [dataclasses.replace(x, cadence_per_min=2 * x.cadence_per_min) for x in _faithful(truth)]
    s = judge(doubled, truth)
    assert s.app_cadence_mae_per_min is not None and s.app_cadence_mae_per_min > 70


def test_wrong_speed_length_distance_and_status_are_caught() -> None:
    truth = _truth()
    view = _faithful(truth)
    slow = [dataclasses.replace(x, speed_mps=x.speed_mps * 0.8) for x in view]
    assert (judge(slow, truth).app_speed_mape_pct or 0) > 15
    short = [dataclasses.replace(x, stride_m=None if x.stride_m is None else x.stride_m * 0.9) for x in view]
    assert (judge(short, truth).app_stride_mape_pct or 0) > 8
    far = [dataclasses.replace(x, total_m=None if x.total_m is None else x.total_m * 1.1) for x in view]
    assert (judge(far, truth).app_distance_err_pct or 0) > 8
    walking = [dataclasses.replace(x, running=False) for x in view]
    assert judge(walking, truth).app_status_accuracy == 0.0
    assert judge(view, _truth(activity="walk")).app_status_accuracy == 0.0


def test_moving_after_the_stop_and_stopped_while_moving_are_caught() -> None:
    truth = _truth()
    view = _faithful(truth)
    never_stops = [x if x.moving else _sample(x.t_s, True, x.total_m or 0.0) for x in view]
    late = [x for x in never_stops if x.t_s > truth.strides[-1].ic_s + STRIDE_S + IDLE_S + 2.0]
    assert late, "the faithful view has measurements well after the stop"
    assert (judge(never_stops, truth).app_state_errors or 0) >= len(late)
    drops_out = [x if not (10.0 < x.t_s < 14.0) else _sample(x.t_s, False, x.total_m or 0.0) for x in view]
    assert (judge(drops_out, truth).app_state_errors or 0) >= 3


def test_nothing_to_judge() -> None:
    s = judge([], _truth())
    assert s.app_measurements == 0 and s.app_speed_mape_pct is None and s.app_state_errors is None
