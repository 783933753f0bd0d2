"""The synthesizer against physics: integrating its signals, gravity at rest, event landmarks.

Nothing here compares the synthesizer with a stored copy of its own output: the signals are
integrated with an independent strapdown integrator, or checked against facts of the gait.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pytest

from scenarios import Recording, SensorModel, get_scenario, synthesize, synthesize_def

G = 9.80665
IDEAL = SensorModel.ideal()


@lru_cache(maxsize=None)
def ideal(name: str) -> Recording:
    """A catalog scenario seen through a perfect sensor."""
    return synthesize_def(get_scenario(name), sensor=IDEAL)


def _expm(w: np.ndarray) -> np.ndarray:
    th = float(np.linalg.norm(w))
    k = np.array([[0, -w[2], w[1]], [w[2], 0, -w[0]], [-w[1], w[0], 0]])
    if th < 1e-12:
        return np.eye(3) + k
    return np.eye(3) + np.sin(th) / th * k + (1 - np.cos(th)) / th**2 * k @ k


def _level(f: np.ndarray) -> np.ndarray:
    """Attitude (shoe -> level frame, yaw 0) from a specific force measured at rest."""
    f = f / np.linalg.norm(f)
    roll = np.arctan2(f[1], f[2])
    pitch = np.arctan2(-f[0], np.hypot(f[1], f[2]))
    cr, sr, cp, sp = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch)
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    return ry @ rx


def strapdown(rec: Recording, a: int, b: int) -> tuple[np.ndarray, np.ndarray]:
    """Integrate from rest at sample a to sample b: (displacement m, end velocity m/s)."""
    t, acc, w = rec.t_s, rec.acc_g * G, np.radians(rec.gyro_dps)
    r = _level(rec.acc_g[a])
    g = np.array([0.0, 0.0, G])
    v, p = np.zeros(3), np.zeros(3)
    an_prev = r @ acc[a] - g
    for i in range(a + 1, b + 1):
        dt = t[i] - t[i - 1]
        r = r @ _expm(0.5 * (w[i] + w[i - 1]) * dt)
        an = r @ acc[i] - g
        vn = v + 0.5 * (an + an_prev) * dt
        p = p + 0.5 * (v + vn) * dt
        v, an_prev = vn, an
    return p, v


def rest_sample(rec: Recording, ic_s: float, tc_s: float) -> int:
    """A zero-velocity instant found in the signal: the mid-stance sample (middle half of the
    contact) where the foot turns least and feels only gravity."""
    gct = tc_s - ic_s
    a, b = np.searchsorted(rec.t_s, [ic_s + 0.25 * gct, tc_s - 0.25 * gct])
    score = np.linalg.norm(rec.gyro_dps[a:b], axis=1) + 100.0 * np.abs(np.linalg.norm(rec.acc_g[a:b], axis=1) - 1.0)
    return int(a + np.argmin(score))


@pytest.mark.parametrize(
    "name", ["steady_run", "walk", "forefoot_striker", "tempo_run", "sprint", "stairs_up", "left_foot_run"]
)
def test_strapdown_stride_length_within_1_percent(name: str) -> None:
    rec = ideal(name)
    strides = [s for s in rec.truth.strides if s.stride_m is not None]  # type: ignore[union-attr]
    nxt = {s.ic_s: s for s in rec.truth.strides}  # type: ignore[union-attr]
    checked = 0
    for k, s in enumerate(strides[2:10]):
        s2 = [x for x in nxt.values() if x.ic_s > s.ic_s][0]
        a = rest_sample(rec, s.ic_s, s.tc_s)  # type: ignore[arg-type]
        b = rest_sample(rec, s2.ic_s, s2.tc_s if s2.tc_s else s2.ic_s + (s.gct_ms or 300.0) / 1000.0)
        p, v = strapdown(rec, a, b)
        horizontal = float(np.hypot(p[0], p[1]))
        assert horizontal == pytest.approx(s.stride_m, rel=0.01), f"stride {k} of {name}"
        assert np.linalg.norm(v) < 0.05, f"stride {k} of {name} ends moving at {v} m/s"
        if s.rise_m:
            assert p[2] == pytest.approx(s.rise_m, abs=0.01)
        checked += 1
    assert checked >= 5


def test_gravity_is_one_g_at_rest() -> None:
    rec = ideal("standing")
    norm = np.linalg.norm(rec.acc_g, axis=1)
    np.testing.assert_allclose(norm, 1.0, atol=1e-6)
    np.testing.assert_allclose(rec.acc_g[:, 2], 1.0, atol=1e-6)
    assert np.abs(rec.gyro_dps).max() < 1e-6
    # and the standing lead-in of a run
    run = ideal("steady_run")
    lead = run.t_s < 1.5
    np.testing.assert_allclose(np.linalg.norm(run.acc_g[lead], axis=1), 1.0, atol=1e-6)


def test_gravity_with_realistic_sensor_stays_near_one_g() -> None:
    rec = synthesize("standing")
    assert np.linalg.norm(rec.acc_g, axis=1).mean() == pytest.approx(1.0, abs=0.05)
    assert np.abs(rec.gyro_dps).max() < 5.0


def test_still_scenarios_have_zero_strides() -> None:
    for name in ("standing", "fidgeting"):
        rec = synthesize(name)
        assert rec.truth is not None and rec.truth.strides == ()
        assert rec.truth.distance_m == 0.0
        assert rec.truth.label_windows_s[0][1] - rec.truth.label_windows_s[0][0] > 25.0


def test_fidgeting_moves_but_never_lifts_the_foot() -> None:
    rec = ideal("fidgeting")
    assert np.abs(rec.gyro_dps).max() > 30.0  # it does move
    # the foot never swings: pitch rates stay far below any swing (hundreds of dps)
    assert np.abs(rec.gyro_dps[:, 1]).max() < 250.0


def _crossing_before_slap(rec: Recording, ic_s: float) -> float:
    """Time where gy crosses from toes-up (<0) to toes-down (>0) nearest to ic_s."""
    t, gy = rec.t_s, rec.gyro_dps[:, 1]
    a, b = np.searchsorted(t, [ic_s - 0.05, ic_s + 0.05])
    idx = [i for i in range(a, b) if gy[i - 1] < 0.0 <= gy[i]]
    return min((t[i] for i in idx), key=lambda x: abs(x - ic_s))


@pytest.mark.parametrize("name", ["steady_run", "walk"])
def test_heel_strike_landmarks_sit_at_truth_ic(name: str) -> None:
    rec = ideal(name)
    t, gy = rec.t_s, rec.gyro_dps[:, 1]
    norm = np.linalg.norm(rec.acc_g, axis=1)
    for s in rec.truth.strides[2:12]:  # type: ignore[union-attr]
        # the toes-up swing fades to zero just before IC (0-8 ms; first sample >= 0 may be
        # one period late), then the foot slaps flat
        assert -1.0 / rec.odr_hz <= s.ic_s - _crossing_before_slap(rec, s.ic_s) < 0.008
        a, b = np.searchsorted(t, [s.ic_s, s.ic_s + 0.1])
        assert gy[a:b].max() > 200.0
        # impact transient 5-30 ms after IC
        a, b = np.searchsorted(t, [s.ic_s - 0.02, s.ic_s + 0.06])
        peak_t = t[a + np.argmax(norm[a:b])] - s.ic_s
        assert 0.005 <= peak_t <= 0.030
        assert norm[a:b].max() > 4.0


def test_pushoff_burst_ends_near_tc_and_swing_rate_is_large() -> None:
    rec = ideal("steady_run")
    t, gy = rec.t_s, rec.gyro_dps[:, 1]
    for s in rec.truth.strides[2:12]:  # type: ignore[union-attr]
        a, b = np.searchsorted(t, [s.tc_s - 0.15, s.tc_s + 0.05])
        peak_t = t[a + np.argmax(gy[a:b])]
        assert -0.025 <= peak_t - s.tc_s <= 0.0, "toes-down burst must peak just before TC"
        assert gy[a:b].max() > 300.0
        a, b = np.searchsorted(t, [s.tc_s, s.ic_s + s.stride_ms / 1000.0])
        assert -1500.0 < gy[a:b].min() < -800.0, "running swing: toes-up rate of 800-1500 dps"


def test_swing_rate_rises_with_speed_and_clips_at_sprint() -> None:
    peaks = [-ideal(n).gyro_dps[:, 1].min() for n in ("walk", "easy_run", "tempo_run", "sprint")]
    assert peaks == sorted(peaks)
    assert 250.0 < peaks[0] < 500.0
    clipped = synthesize("sprint_gyro_saturation").gyro_dps[:, 1]
    assert clipped.min() == pytest.approx(-2000.0, abs=0.07)
    assert np.count_nonzero(clipped <= -1999.9) > 10


def test_strike_class_shows_in_pitch_rate_after_ic() -> None:
    for name, sign in (("heel_striker", 1.0), ("forefoot_striker", -1.0)):
        rec = ideal(name)
        for s in rec.truth.strides[2:10]:  # type: ignore[union-attr]
            a, b = np.searchsorted(rec.t_s, [s.ic_s, s.ic_s + 0.04])
            assert np.sign(rec.gyro_dps[a:b, 1].mean()) == sign, name
            assert s.strike == ("heel" if sign > 0 else "fore")


def test_impacts_clip_the_accelerometer_only_for_heel_strikers() -> None:
    rec = synthesize("steady_run")
    assert max(s.impact_g for s in rec.truth.strides if s.impact_g) > 16.0  # type: ignore[union-attr]
    assert np.abs(rec.acc_g).max() == pytest.approx(32767 * 0.488e-3, abs=1e-9)
    mid = ideal("midfoot_striker")
    assert max(s.impact_g for s in mid.truth.strides if s.impact_g) < 12.0  # type: ignore[union-attr]


def test_contact_and_flight_follow_speed() -> None:
    rec = ideal("steady_run")
    gct = np.median([s.gct_ms for s in rec.truth.strides if s.stride_m])  # type: ignore[union-attr]
    flight = np.median([s.flight_ms for s in rec.truth.strides if s.stride_m])  # type: ignore[union-attr]
    assert gct == pytest.approx(280.0, rel=0.05)
    assert flight == pytest.approx(98.0, rel=0.15)
    cadence = 120_000.0 / np.median([s.stride_ms for s in rec.truth.strides if s.stride_ms])  # type: ignore[union-attr]
    assert 150.0 < cadence < 170.0


def test_fatigue_lengthens_contact_and_slows_down() -> None:
    rec = synthesize("fatigue_run")
    st = [s for s in rec.truth.strides if s.stride_m]  # type: ignore[union-attr]
    first, last = st[:60], st[-60:]
    assert np.mean([s.gct_ms for s in last]) > 1.05 * np.mean([s.gct_ms for s in first])
    assert np.mean([s.speed_mps for s in last]) < np.mean([s.speed_mps for s in first]) - 0.2


def test_mounting_rotation_tilts_gravity_by_the_mount_angle() -> None:
    rec = synthesize_def(get_scenario("rotated_mount"), sensor=IDEAL.with_(mount_rpy_deg=(3.0, -6.0, 10.0)))
    g = rec.acc_g[rec.t_s < 1.5].mean(axis=0)
    tilt = np.degrees(np.arccos(g[2] / np.linalg.norm(g)))
    expected = np.degrees(np.arccos(np.cos(np.radians(3.0)) * np.cos(np.radians(6.0))))
    assert tilt == pytest.approx(expected, abs=0.05)


def _rig_index(t_s: np.ndarray, odr_hz: float) -> np.ndarray:
    """The rig's rule: idx[i] = idx[i-1] + max(1, round((t[i] - t[i-1]) * odr))."""
    steps = np.maximum(1, np.rint(np.diff(t_s) * odr_hz)).astype(int)
    return np.concatenate([[0], np.cumsum(steps)])


def test_dropped_samples_show_as_gaps_the_rig_can_count() -> None:
    rec = synthesize("dropouts")
    dropped = rec.truth.meta["dropped_samples"]  # type: ignore[union-attr]
    assert dropped > 20
    idx = _rig_index(rec.t_s, rec.odr_hz)
    assert idx[-1] + 1 - len(rec.t_s) == dropped
    clean = synthesize("steady_run")
    np.testing.assert_array_equal(_rig_index(clean.t_s, clean.odr_hz), np.arange(len(clean.t_s)))


def test_clock_drift_keeps_rows_consecutive_at_the_true_rate() -> None:
    rec = synthesize("clock_fast")
    assert 1.0 / np.median(np.diff(rec.t_s)) == pytest.approx(416.0 * 1.015, rel=1e-3)
    idx = _rig_index(rec.t_s, rec.odr_hz)
    np.testing.assert_array_equal(idx, np.arange(len(rec.t_s)))
    # an analyzer counting samples at the nominal 416 Hz sees strides 1.5 % long
    s = [x for x in rec.truth.strides if x.stride_ms][5]  # type: ignore[union-attr]
    a, b = np.searchsorted(rec.t_s, [s.ic_s, s.ic_s + s.stride_ms / 1000.0])
    assert (b - a) / 416.0 == pytest.approx(s.stride_ms / 1000.0 * 1.015, abs=3 / 416.0)


def test_quantized_samples_are_whole_lsbs() -> None:
    rec = synthesize("steady_run")
    counts = rec.acc_g / 0.488e-3
    np.testing.assert_allclose(counts, np.rint(counts), atol=1e-6)
    counts = rec.gyro_dps / 70e-3
    np.testing.assert_allclose(counts, np.rint(counts), atol=1e-6)


def test_seed_reproduces_and_changes_the_recording() -> None:
    a, b = synthesize("easy_run"), synthesize("easy_run")
    np.testing.assert_array_equal(a.acc_g, b.acc_g)
    np.testing.assert_array_equal(a.t_s, b.t_s)
    assert a.truth == b.truth
    c = synthesize("easy_run", seed=99)
    assert c.truth.strides[3].ic_s != a.truth.strides[3].ic_s  # type: ignore[union-attr]


def test_left_foot_mirrors_roll() -> None:
    right, left = ideal("steady_run"), ideal("left_foot_run")

    def loading_gx(rec: Recording) -> float:
        vals = []
        for s in rec.truth.strides[2:10]:  # type: ignore[union-attr]
            a, b = np.searchsorted(rec.t_s, [s.ic_s, s.ic_s + 0.05])
            vals.append(rec.gyro_dps[a:b, 0].mean())
        return float(np.mean(vals))

    assert loading_gx(right) < 0.0 < loading_gx(left)


def test_treadmill_is_straighter_and_steadier_than_road() -> None:
    def cv(name: str) -> float:
        ms = np.array([s.stride_ms for s in synthesize(name).truth.strides if s.stride_ms])  # type: ignore[union-attr]
        return float(ms[1:].std() / ms[1:].mean())

    assert cv("treadmill_run") < cv("road_run")
    tread = ideal("treadmill_run")
    cadence = 120_000.0 / np.median([s.stride_ms for s in tread.truth.strides if s.stride_ms])  # type: ignore[union-attr]
    assert cadence == pytest.approx(164.0, rel=0.02)


def test_walking_mid_stance_is_quiet_for_a_third_of_a_second() -> None:
    rec = ideal("walk")
    for s in rec.truth.strides[2:10]:  # type: ignore[union-attr]
        a, b = np.searchsorted(rec.t_s, [s.ic_s, s.tc_s])
        quiet = np.linalg.norm(rec.gyro_dps[a:b], axis=1) < 15.0
        longest = max(len(run) for run in "".join("1" if q else "0" for q in quiet).split("0"))
        assert 0.15 <= longest / rec.odr_hz <= 0.5
