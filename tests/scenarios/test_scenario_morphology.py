"""Morphology as a parameter of the kinematic model: each field changes what it says and only
that, events stay exact, and the sensor's lever arm obeys rigid-body kinematics."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import ScenarioDef, ScenarioParameterError, SensorModel, synthesize_def
from scenarios.morphology import SITES, Morphology

IDEAL = SensorModel.ideal()
G = 9.80665


def _run(morph: Morphology, strike: str = "fore", speed: float = 4.5, odr: float = 1000.0, **kw):  # type: ignore[no-untyped-def]
    d = ScenarioDef(name="m", description="m", speed_mps=speed, strike=strike, duration_s=8.0,
                    morphology=morph, seed=3, **kw)
    return synthesize_def(d, sensor=IDEAL, odr_hz=odr)


def _inner(rec):  # type: ignore[no-untyped-def]
    """Strides with a full stride after them, away from the start and end."""
    return [s for s in rec.truth.strides[1:-1] if s.tc_s is not None and s.stride_ms is not None][:6]


def test_default_morphology_is_the_gait_law() -> None:
    base = _run(Morphology())
    d = ScenarioDef(name="m", description="m", speed_mps=4.5, strike="fore", duration_s=8.0, seed=3)
    law = synthesize_def(d, sensor=IDEAL, odr_hz=1000.0)
    assert np.array_equal(base.gyro_dps, law.gyro_dps) and np.array_equal(base.acc_g, law.acc_g)
    assert base.truth.strides == law.truth.strides  # type: ignore[union-attr]
    assert "morphology" not in base.truth.meta  # type: ignore[union-attr]


def test_no_hump_swing_runs_toes_up_into_contact_and_the_heel_drops_hard() -> None:
    hump = _run(Morphology())
    flat = _run(Morphology(precontact_lead_s=0.0, precontact_hump_deg=0.0, contact_rate_dps=400.0, landing_dps=900.0))
    assert flat.truth.meta["morphology"]["contact_rate_dps"] == 400.0  # type: ignore[union-attr]
    for rec, has_hump in ((hump, True), (flat, False)):
        for s in _inner(rec):
            a, i, b = np.searchsorted(rec.t_s, [s.ic_s - 0.06, s.ic_s, s.ic_s + 0.03])
            gy = rec.gyro_dps[:, 1]
            if has_hump:
                assert gy[a:i].max() > 100.0  # toes-down hump before contact
            else:
                assert gy[a:i].max() < 0.0  # toes up all the way in
                assert gy[i] == pytest.approx(-400.0, abs=15.0)  # the contact rate, read as gy
                # heel drop: a smooth 9 deg rotation peaking near 900 deg/s (above the carried rate)
                assert -gy[i:b].min() > 600.0


@pytest.mark.parametrize("delay_s,width_s", [(0.0, 0.006), (0.02, 0.012)])
def test_impact_spike_sits_where_it_is_placed(delay_s: float, width_s: float) -> None:
    rec = _run(Morphology(impact_g=25.0, impact_delay_s=delay_s, impact_width_s=width_s), strike="mid")
    for s in _inner(rec):
        a, b = np.searchsorted(rec.t_s, [s.ic_s - 0.005, s.ic_s + 0.05])
        az = rec.acc_g[a:b, 2]
        peak_s = rec.t_s[a + int(np.argmax(az))]
        assert peak_s - s.ic_s == pytest.approx(delay_s + width_s / 2, abs=0.0025)
        assert s.impact_g is not None and s.impact_g > 15.0


def test_swing_rate_scale_and_clipping_at_full_scale() -> None:
    low = _run(Morphology(swing_rate_scale=0.6))
    high = _run(Morphology(swing_rate_scale=1.4))
    peak = [float(-r.gyro_dps[:, 1].min()) for r in (low, high)]
    assert peak[1] > 1.5 * peak[0]  # the bell is refitted to the rotation it must make: not exactly 1.4 / 0.6
    d = ScenarioDef(name="m", description="m", speed_mps=4.5, strike="fore", duration_s=8.0, seed=3)
    clipped = synthesize_def(d, sensor=IDEAL.with_(gyro_fs_dps=500.0, clip=True), odr_hz=1000.0)
    gy = clipped.gyro_dps[:, 1]
    assert gy.min() == pytest.approx(-500.0, abs=0.1)
    # a plateau at full scale in every swing, several ms long
    assert np.count_nonzero(gy <= -499.9) > 5 * len(clipped.truth.strides)  # type: ignore[union-attr]


def test_pushoff_overrides_move_the_push_off_peak() -> None:
    late = _run(Morphology(pushoff_peak_lead_s=0.004, tc_rate_frac=0.88))
    early = _run(Morphology(pushoff_peak_lead_s=0.03, tc_rate_frac=0.3))
    for rec, lead in ((late, 0.004), (early, 0.03)):
        for s in _inner(rec):
            a, b = np.searchsorted(rec.t_s, [s.tc_s - 0.1, s.tc_s + 0.002])  # type: ignore[operator]
            pk = rec.t_s[a + int(np.argmax(rec.gyro_dps[a:b, 1]))]
            assert s.tc_s - pk == pytest.approx(lead, abs=0.004)  # type: ignore[operator]


def test_lever_arm_adds_tangential_and_centripetal_acceleration() -> None:
    mid = _run(Morphology(), strike="heel", speed=3.0)
    laces = _run(Morphology(site="laces"), strike="heel", speed=3.0)
    assert np.array_equal(mid.gyro_dps, laces.gyro_dps)  # a rigid foot turns as one
    # same events and footprints (impact_g is felt at the sensor, so it differs)
    key = [(s.ic_s, s.tc_s, s.stride_m, s.fsa_deg) for s in mid.truth.strides]  # type: ignore[union-attr]
    assert key == [(s.ic_s, s.tc_s, s.stride_m, s.fsa_deg) for s in laces.truth.strides]  # type: ignore[union-attr]
    w = np.radians(mid.gyro_dps)
    dw = np.gradient(w, mid.t_s, axis=0)
    r = np.array(laces.truth.meta["lever_arm_m"])  # type: ignore[union-attr]
    expected = (np.cross(dw, r) + np.cross(w, np.cross(w, r))) / G
    got = laces.acc_g - mid.acc_g
    moving = np.linalg.norm(w, axis=1) > 1.0
    err = np.abs(got - expected)[moving]
    assert np.abs(expected).max() > 3.0  # the effect is large in swing
    assert np.percentile(err, 99) < 0.05 * np.abs(expected).max()


def test_left_foot_mirrors_the_lateral_site() -> None:
    assert Morphology(site="lateral").lever_arm(1.0)[1] == -Morphology(site="lateral").lever_arm(-1.0)[1]


@pytest.mark.parametrize("changes,name", [
    ({"precontact_lead_s": -0.01}, "precontact_lead_s"),
    ({"landing_dps": 0.0}, "landing_dps"),
    ({"site": "tongue"}, "site"),
    ({"lever_arm_m": (0.0, 0.5)}, "lever_arm_m"),
    ({"precontact_lead_s": 0.0, "precontact_hump_deg": 5.0}, "precontact_hump_deg"),
    ({"precontact_lead_s": 0.004, "precontact_hump_deg": 10.0}, "precontact_hump_deg"),
    ({"swing_rate_scale": float("nan")}, "swing_rate_scale"),
])
def test_impossible_morphology_is_refused_by_name(changes: dict, name: str) -> None:
    with pytest.raises(ScenarioParameterError, match=name):
        Morphology(**changes)


_MORPHS = st.builds(
    dict,
    precontact_lead_s=st.none() | st.sampled_from([0.0, 0.01, 0.05]),
    contact_rate_dps=st.none() | st.floats(-300.0, 500.0),
    landing_dps=st.none() | st.floats(150.0, 1200.0),
    pushoff_frac=st.none() | st.floats(0.35, 0.7),
    tc_deg=st.none() | st.floats(-70.0, -35.0),
    swing_rate_scale=st.none() | st.floats(0.5, 1.6),
    swing_peak_frac=st.none() | st.floats(0.4, 0.85),
    heel_kick_deg=st.none() | st.floats(0.0, 50.0),
    impact_g=st.none() | st.floats(0.0, 30.0),
    site=st.sampled_from(SITES),
).filter(  # a toes-up contact rate goes with no lead (refused otherwise, see the refusal test)
    lambda d: not ((d["contact_rate_dps"] or 0.0) > 0.0 and (d["precontact_lead_s"] or 0.0) > 0.0)
).map(lambda d: Morphology(**d))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(morph=_MORPHS, strike=st.sampled_from(["heel", "mid", "fore"]), speed=st.floats(2.2, 6.5))
def test_any_morphology_keeps_exact_events_and_a_closed_pitch(morph: Morphology, strike: str, speed: float) -> None:
    """Whatever the shape, the foot lands at the strike angle at IC and is flat again later:
    the pitch rate integrated from one foot-flat to the next returns to zero."""
    rec = _run(morph, strike=strike, speed=speed, odr=800.0)
    assert np.isfinite(rec.acc_g).all() and np.isfinite(rec.gyro_dps).all()
    strides = _inner(rec)
    assert len(strides) >= 3
    gy, t = rec.gyro_dps[:, 1], rec.t_s
    for s, nxt in zip(strides[:-1], strides[1:]):
        assert s.ic_s < s.tc_s < nxt.ic_s  # type: ignore[operator]
        # mid-stance of each contact: the quietest sample of its middle
        rest = []
        for c in (s, nxt):
            a, b = np.searchsorted(t, [c.ic_s + 0.35 * (c.gct_ms or 0) / 1e3, c.ic_s + 0.5 * (c.gct_ms or 0) / 1e3])
            rest.append(a + int(np.argmin(np.abs(rec.gyro_dps[a : b + 1]).sum(axis=1))))
        turned = np.trapezoid(gy[rest[0] : rest[1] + 1], t[rest[0] : rest[1] + 1])
        assert abs(turned) < 1.5  # deg
        # the sole is at the strike angle at IC: pitch from mid-stance back to IC
        i = int(np.searchsorted(t, nxt.ic_s))
        back = np.trapezoid(gy[i : rest[1] + 1], t[i : rest[1] + 1])
        assert back == pytest.approx(nxt.fsa_deg, abs=1.5)  # gy = -d(pitch)/dt


def _displacement(rec, a: int, b: int) -> np.ndarray:  # type: ignore[no-untyped-def]
    """Strapdown from rest sample a to rest sample b: levelled by gravity at a, gyro integrated,
    velocity drift removed linearly (both ends are at rest); the displacement in that frame."""
    from scenarios.resynth import split_gravity

    t, acc, gyro = rec.t_s[a : b + 1], rec.acc_g[a : b + 1], rec.gyro_dps[a : b + 1]
    grav, _ = split_gravity(t, acc, gyro)
    # rebuild the attitude the same way to rotate the motion into the level frame
    from scenarios.resynth import _expm, _level

    r = _level(acc[0])
    w = np.radians(gyro)
    a_nav = np.empty_like(acc)
    for i in range(len(t)):
        a_nav[i] = (r @ acc[i] - np.array([0.0, 0.0, 1.0])) * G
        if i + 1 < len(t):
            r = r @ _expm(0.5 * (w[i] + w[i + 1]) * (t[i + 1] - t[i]))
    dt = np.diff(t)[:, None]
    v = np.concatenate([np.zeros((1, 3)), np.cumsum(0.5 * (a_nav[1:] + a_nav[:-1]) * dt, axis=0)])
    v -= v[-1] * ((t - t[0]) / (t[-1] - t[0]))[:, None]
    return np.sum(0.5 * (v[1:] + v[:-1]) * dt, axis=0)


@pytest.mark.parametrize("grade_pct,activity,speed", [(8.0, "run", 3.5), (-12.0, "walk", 1.3)])
def test_slopes_lay_the_foot_on_the_slope_and_climb_it(grade_pct: float, activity: str, speed: float) -> None:
    from scenarios import Segment

    d = ScenarioDef(name="m", description="m", segments=(Segment(activity, 10.0, speed_mps=speed, grade_pct=grade_pct),),
                    seed=4)
    rec = synthesize_def(d, sensor=IDEAL, odr_hz=800.0)
    slope = np.arctan(grade_pct / 100.0)
    strides = _inner(rec)
    rests = []
    for s in strides[:4]:
        a, b = np.searchsorted(rec.t_s, [s.ic_s + 0.3 * s.gct_ms / 1e3, s.tc_s - 0.3 * s.gct_ms / 1e3])  # type: ignore[operator]
        i = a + int(np.argmin(np.linalg.norm(rec.gyro_dps[a:b], axis=1)))
        rests.append(i)
        # flat on the slope: gravity leans along the sole by the slope angle
        assert rec.acc_g[i, 0] == pytest.approx(np.sin(slope), abs=0.01)
    for s, a, b in zip(strides, rests[:-1], rests[1:]):
        p = _displacement(rec, a, b)
        assert np.hypot(p[0], p[1]) == pytest.approx(s.stride_m, rel=0.02)
        assert p[2] == pytest.approx(s.rise_m, abs=0.02)
        assert s.rise_m == pytest.approx(s.stride_m * grade_pct / 100.0, rel=1e-6)  # type: ignore[operator]


def test_pivot_steps_turn_the_foot_less_in_pitch() -> None:
    from scenarios import Segment

    def run(k: float):  # type: ignore[no-untyped-def]
        d = ScenarioDef(name="m", description="m", segments=(
            Segment("walk", 8.0, speed_mps=1.2, turn_deg=180.0, pitch_scale=k),), surface="treadmill", seed=5)
        return synthesize_def(d, sensor=IDEAL, odr_hz=400.0)

    full, pivot = run(1.0), run(0.4)
    assert -pivot.gyro_dps[:, 1].min() < 0.6 * -full.gyro_dps[:, 1].min()
    for a, b in zip(full.truth.strides, pivot.truth.strides):  # type: ignore[union-attr]
        assert b.fsa_deg == pytest.approx(0.4 * a.fsa_deg)  # type: ignore[operator]
    # the footprints turn by the segment's 180 deg; the sensor feels it as a left turn (gz > 0)
    from scenarios.plan import build_plan

    d = ScenarioDef(name="m", description="m", segments=(
        Segment("walk", 8.0, speed_mps=1.2, turn_deg=180.0, pitch_scale=0.4),), surface="treadmill", seed=5)
    yaws = [c.yaw_deg for c in build_plan(d, np.random.default_rng(1)).contacts]
    assert yaws[-1] - yaws[0] == pytest.approx(180.0, abs=1.0)
    assert np.trapezoid(pivot.gyro_dps[:, 2], pivot.t_s) > 120.0


@pytest.mark.parametrize("changes", [
    {"contact_rate_dps": 300.0, "precontact_lead_s": 0.04},
    {"contact_rate_dps": 476.0, "precontact_hump_deg": 6.0},
    {"contact_rate_dps": 120.0, "precontact_lead_s": 0.02, "precontact_hump_deg": 10.0},
])
def test_a_toes_up_contact_after_a_top_or_hump_is_refused(changes: dict) -> None:
    """A toes-up rate at contact after the rotation stopped (lead) or turned toes down (hump) would
    need the foot to reverse in the air: refused, naming the contact rate and what was given."""
    with pytest.raises(ScenarioParameterError, match="contact_rate_dps") as err:
        Morphology(**changes)
    for name in changes:
        assert name in str(err.value)


@pytest.mark.parametrize("strike, activity", [("fore", "run"), ("mid", "run"), ("heel", "run"),
                                              ("fore", "stairs_down"), ("mid", "stairs_up")])
def test_a_toes_up_contact_runs_into_contact_without_reversal(strike: str, activity: str) -> None:
    """With only a toes-up contact rate given, the law's lead and hump go: from the swing's
    toes-up peak to IC the foot turns toes up only (gy < 0), and the truth's contact sample reads
    the contact rate."""
    from scenarios import Segment

    rate = 300.0
    d = ScenarioDef(name="m", description="m", strike=strike, duration_s=8.0, seed=3,
                    segments=(Segment(activity, 8.0, 4.0 if activity == "run" else 0.0, strike=strike),),
                    morphology=Morphology(contact_rate_dps=rate))
    rec = synthesize_def(d, sensor=IDEAL, odr_hz=1000.0)
    gy = rec.gyro_dps[:, 1]
    for s in _inner(rec):
        a, i = np.searchsorted(rec.t_s, [s.ic_s - 0.12, s.ic_s])
        peak = a + int(np.argmin(gy[a:i]))  # the swing's toes-up peak before contact
        assert gy[peak:i].max() < 0.0  # toes up all the way into contact: no top, no hump
        assert gy[i] == pytest.approx(-rate, abs=0.1 * rate)


@pytest.mark.parametrize("strike, hump_deg", [("heel", 10.0), ("heel", 4.0), ("mid", 15.0)])
def test_a_hump_given_alone_takes_the_time_a_foot_needs_for_it(strike: str, hump_deg: float) -> None:
    """A toes-down hump given without a lead used the law's lead: 2-8 ms for a heel strike, so a
    10 deg hump peaked near 5,000 dps in the air, beyond any foot and any gyro range. The lead now
    stretches so the hump's mean rate stays within HUMP_RATE_MAX_DPS; the foot still lands at the
    strike angle at IC."""
    from scenarios.morphology import HUMP_RATE_MAX_DPS

    rec = _run(Morphology(precontact_hump_deg=hump_deg), strike=strike, speed=3.5)
    gy, t = rec.gyro_dps[:, 1], rec.t_s
    for s in _inner(rec):
        a, b = np.searchsorted(t, [s.ic_s - 0.15, s.ic_s])
        assert gy[a:b].max() < 2.5 * HUMP_RATE_MAX_DPS, f"toes-down peak {gy[a:b].max():.0f} dps before IC {s.ic_s:.3f}"


@pytest.mark.parametrize("strike, lead_s", [("fore", 0.001), ("fore", 0.01), ("mid", 0.002)])
def test_a_lead_given_alone_keeps_only_the_hump_a_foot_can_turn_in_it(strike: str, lead_s: float) -> None:
    """A short lead given without a hump kept the law's hump (mid 6 deg, fore 10 deg): inside 1 ms
    that is a 10,000 dps pitch step, and its acceleration, joined to the swing's path at IC, threw
    the foot metres below ground (hundreds of g before contact). The hump is now cut to what a foot
    turns within the lead, and the swing stays a swing."""
    from scenarios.morphology import HUMP_RATE_MAX_DPS

    rec = _run(Morphology(precontact_lead_s=lead_s), strike=strike, speed=3.5)
    gy, t = rec.gyro_dps[:, 1], rec.t_s
    norm = np.linalg.norm(rec.acc_g, axis=1)
    for s in _inner(rec):
        a, b = np.searchsorted(t, [s.ic_s - 0.15, s.ic_s])
        assert norm[a:b].max() < 12.0, f"{norm[a:b].max():.0f} g in the air before IC {s.ic_s:.3f}"
        assert gy[a:b].max() < 2.5 * HUMP_RATE_MAX_DPS, f"toes-down peak {gy[a:b].max():.0f} dps before IC {s.ic_s:.3f}"


def _sole_low_m(rec_def, seed: int = 3):  # type: ignore[no-untyped-def]
    """(contacts, times, lowest sole point height) of a level-ground definition, 1 ms apart."""
    from scenarios.kinematics import BALL_M, HEEL_M, FootSampler, build_motion
    from scenarios.plan import build_plan

    gait_rng, _ = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    plan = build_plan(rec_def, gait_rng)
    sampler = FootSampler(build_motion(plan))
    t = np.arange(0.0, plan.duration_s, 0.001)
    _, _, pos = sampler.imu(t)  # the midsole point: the definition's site is the midsole
    r, _ = sampler._attitude(t)
    low = np.minimum((pos + r @ HEEL_M)[:, 2], (pos + r @ BALL_M)[:, 2])
    return [c for c in plan.contacts if c.ic_s is not None][2:-2], t, low


@pytest.mark.parametrize("strike, speed, activity", [("mid", 1.2, "walk"), ("heel", 1.2, "walk"), ("mid", 3.5, "run")])
def test_a_foot_landing_turning_toes_up_keeps_its_ball_above_the_ground(strike: str, speed: float, activity: str) -> None:
    """A foot that lands still turning toes up fast sweeps its ball up relative to the heel; coming
    from toes down, the ball was below the heel just before IC. With the heel coming down at the
    law's landing speed, the ball went 1-3 cm into the ground 40 ms before a flat landing, a first
    contact the truth never had. No sole point is lower before IC than at IC's first touch."""
    from scenarios import Segment

    d = ScenarioDef(name="m", description="m", duration_s=8.0, seed=3,
                    segments=(Segment(activity, 8.0, speed, strike=strike),),
                    morphology=Morphology(contact_rate_dps=450.0, swing_peak_frac=0.6))
    contacts, t, low = _sole_low_m(d)
    for c in contacts:
        a, i = np.searchsorted(t, [c.ic_s - 0.2, c.ic_s])
        touch = low[i]  # the sole's lowest point at IC, on the ground
        assert low[a:i].min() > touch - 5e-4, f"sole {1000 * (touch - low[a:i].min()):.1f} mm below ground before IC {c.ic_s:.3f}"
