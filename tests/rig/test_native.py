"""rig.native: the recording as the firmware sees it, and the C analyzer through ctypes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from rig import build, inject, native
from rig.errors import RigError
from scenarios.model import Recording
from tests.analyzer.contacts import assert_every_stride_on_time


def standing(seconds: float = 5.0, odr_hz: float = 416.0) -> Recording:
    n = int(seconds * odr_hz)
    t = np.arange(n) / odr_hz
    acc = np.tile([0.0, 0.0, 1.0], (n, 1))
    return Recording("standing", odr_hz, t, acc, np.zeros((n, 3)))


def test_sample_indices_count_dropped_samples() -> None:
    odr = 416.0
    t = np.array([0, 1, 2, 5, 6, 15]) / odr + np.array([0, 0.1, -0.1, 0.2, 0, 0.1]) / odr
    assert inject.sample_indices(t, odr).tolist() == [0, 1, 2, 5, 6, 15]
    # two timestamps closer than half a period still advance by one
    assert inject.sample_indices(np.array([0.0, 0.1 / odr]), odr).tolist() == [0, 1]


def _sensor_times(n: int, odr: float, clock: float = 0.0, jitter: float = 0.0, drop: float = 0.0,
                  gaps: int = 0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(true sample indices kept, their timestamps): a sensor whose clock runs `clock` off nominal,
    rows stamped up to `jitter` periods early or late, a share `drop` of samples lost at random and
    five gaps of `gaps` samples."""
    rng = np.random.default_rng(seed)
    keep = rng.random(n) >= drop
    for start in rng.integers(1, n - gaps - 1, 5 if gaps else 0):
        keep[start:start + gaps] = False
    keep[0] = True
    idx = np.flatnonzero(keep)
    t = idx / (odr * (1.0 + clock)) + rng.uniform(-jitter, jitter, len(idx)) / odr
    return idx, np.maximum.accumulate(t)


@pytest.mark.parametrize("clock, jitter, drop, gaps", [
    (0.0, 0.3, 0.0, 0),      # was 270 phantom drops in 20,000 rows: a late row then an early one
    (0.02, 0.3, 0.05, 0),
    (-0.03, 0.3, 0.3, 0),
    (0.02, 0.0, 0.0, 500),   # was 10 samples short on each gap: counted in nominal periods
    (-0.03, 0.3, 0.0, 300),
])
def test_sample_indices_follow_the_sensor_clock(clock: float, jitter: float, drop: float, gaps: int) -> None:
    odr = 416.0
    for seed in (0, 1):
        truth, t = _sensor_times(20000, odr, clock, jitter, drop, gaps, seed)
        got = inject.sample_indices(t, odr).astype(np.int64)
        wrong = int(np.count_nonzero(np.diff(got) != np.diff(truth)))
        assert wrong <= 10, (wrong, seed)  # of 20,000: a jittered row at a gap may slip by one and back
        assert abs(int(got[-1]) - int(truth[-1])) <= 2


def test_counts_are_int16_at_the_lsm6dso_sensitivities() -> None:
    rec = standing(0.01)
    rec.acc_g[0] = [1.0, -40.0, 0.0]
    rec.gyro_dps[0] = [0.07, 3000.0, -0.07]
    raw = inject.to_raw(rec)
    assert raw.counts.dtype == np.int16
    assert raw.counts[0].tolist() == [2049, -32768, 0, 1, 32767, -1]


def test_effective_rate_comes_from_the_timestamps() -> None:
    odr = 416.0
    t = np.arange(4160) / (odr * 1.015)
    idx = inject.sample_indices(t, odr)
    assert inject.effective_odr_hz(t, idx, odr) == pytest.approx(odr * 1.015, rel=1e-6)
    assert inject.effective_odr_hz(t[:100], idx[:100], odr) == odr


def test_standing_gives_no_strides_and_a_still_summary() -> None:
    strides, summary = native.analyze(standing())
    assert strides == []
    assert summary["strides"] == 0
    assert summary["still_s"] == pytest.approx(summary["duration_s"], abs=0.01)
    assert summary["distance_m"] == 0.0
    assert summary["cadence_spm"] is None and summary["pace_s_per_km"] is None
    assert summary["dropped_samples"] == 0


def test_dropped_samples_reach_the_summary() -> None:
    rec = standing()
    keep = np.ones(len(rec.t_s), dtype=bool)
    keep[100:108] = False
    rec = Recording("gappy", rec.odr_hz, rec.t_s[keep], rec.acc_g[keep], rec.gyro_dps[keep])
    _, summary = native.analyze(rec)
    assert summary["dropped_samples"] == 8


def test_state_fits_the_budget() -> None:
    assert 0 < native.state_bytes() <= 4096


def test_a_failing_build_names_the_command(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("lib:\n\t@echo no compiler here >&2; exit 1\n")
    monkeypatch.setattr(build, "FIRMWARE_DIR", tmp_path)
    monkeypatch.setattr(build, "ANALYZER_LIBRARY", tmp_path / "libstridelab.so")
    with pytest.raises(RigError, match=r"make -s -C .* lib"):
        build.analyzer_library()


def _walk_with_gap(kind: str, at_s: float) -> tuple[Recording, Recording]:
    """The catalog's walk, and the same walk with a gap at at_s: 1 s of samples missing
    ("cut"), or the time base jumping by 2 s or 60 s ("jump2", "jump60")."""
    from scenarios.catalog import synthesize

    rec = synthesize("walk", seed=1)
    t = rec.t_s.copy()
    if kind == "cut":
        keep = ~((t >= at_s) & (t < at_s + 1.0))
        return rec, Recording("walk_cut", rec.odr_hz, t[keep], rec.acc_g[keep], rec.gyro_dps[keep])
    t[t >= at_s] += 2.0 if kind == "jump2" else 60.0
    return rec, Recording(f"walk_{kind}", rec.odr_hz, t, rec.acc_g, rec.gyro_dps)


@pytest.mark.parametrize("kind", ["cut", "jump2", "jump60"])
@pytest.mark.parametrize("at_s", [20.37, 20.8])
def test_a_gap_ends_the_stride_in_progress_and_loses_only_itself(kind: str, at_s: float) -> None:
    whole, gappy = _walk_with_gap(kind, at_s)
    ref_strides, ref = native.analyze(whole)
    strides, summary = native.analyze(gappy)
    lengths = [s["stride_m"] for s in ref_strides if s["stride_m"] is not None]
    typical_m = float(np.median(lengths))
    speed_mps = 1000.0 / ref["pace_s_per_km"]  # while moving
    # the stride the gap interrupted is flagged
    assert any(s["samples_dropped"] for s in strides if abs(s["ic_s"] - at_s) < 2.0)
    # every stride after the gap is whole: no fragments of a stride across the gap
    after = [s["stride_m"] for s in strides if s["ic_s"] > at_s and s["stride_m"] is not None]
    assert len(after) >= len([s for s in ref_strides if s["ic_s"] > at_s + 1.5]) - 1
    assert all(abs(m - typical_m) < 0.1 * typical_m for m in after), after
    # the distance lost is the travel during the missing samples, nothing more
    lost_m = speed_mps * 1.0 if kind == "cut" else 0.0
    assert summary["distance_m"] == pytest.approx(ref["distance_m"] - lost_m, abs=0.25 * typical_m)
    assert len(strides) >= len(ref_strides) - 2


def test_a_gap_past_the_sample_index_is_refused_by_name() -> None:
    rec = standing(2.0)
    rec.t_s[400:] += 6.0e6  # about 2.5e9 samples at 416 Hz: one step beyond 2**31
    with pytest.raises(ValueError, match=r"recording 'standing': row 400 .* sensor sample .* split the recording"):
        native.analyze(rec)


@pytest.mark.parametrize("odr_hz", [104.0, 416.0])
def test_random_values_are_not_gait(odr_hz: float) -> None:
    rng = np.random.default_rng(7)
    n = int(60 * odr_hz)
    rec = Recording("random", odr_hz, np.arange(n) / odr_hz, rng.uniform(-16, 16, (n, 3)),
                    rng.uniform(-2000, 2000, (n, 3)))
    strides, summary = native.analyze(rec)
    assert strides == [] and summary["strides"] == 0
    assert summary["distance_m"] == 0.0 and summary["cadence_spm"] is None


@pytest.mark.parametrize("name", ["healthy_2x20m_left", "healthy_2x20m_right", "ic_stride_4x10m_left",
                                  "ic_stride_4x10m_right"])
def test_real_level_walks_read_as_walking(name: str) -> None:
    """Real level walks (one at 204.8 Hz, one at 102.4 Hz from the top of the foot): the
    activity comes from evidence a level walk cannot fake (a steep rise for stairs; a flight
    phase at a running cadence or speed for a run), and the contact time from the push-off."""
    from scenarios.datasets import list_datasets
    from scenarios.recording_csv import read_recording

    rec = read_recording(next(p for p in list_datasets() if p.stem == name))
    strides, _ = native.analyze(rec)
    walking = [s for s in strides if s["activity"] == "walk"]
    assert len(walking) >= 0.9 * len(strides)
    gct = [s["gct_ms"] for s in strides if s["gct_ms"] is not None]
    # walking contact is well over half of a ~1.1 s stride; a contact of ~300 ms is a mistimed toe-off
    assert np.median(gct) > 500.0 and np.percentile(gct, 10) > 400.0


def test_a_saturating_gyro_keeps_the_distance() -> None:
    """A +-500 dps gyroscope clips every swing of a 3 m/s run: the pitch its repair still
    misses is measured at the next still foot and given back to the attitude and the velocity,
    so the distance stays within 2 % (it was 2.7 % short)."""
    import dataclasses

    from scenarios.catalog import synthesize

    rec = synthesize("steady_run", seed=1)
    strides, summary = native.analyze(dataclasses.replace(rec, gyro_fs_dps=500.0))
    assert sum(s["gyro_saturated"] for s in strides) > 0.9 * len(strides)
    assert rec.truth is not None and rec.truth.distance_m is not None
    assert summary["distance_m"] == pytest.approx(rec.truth.distance_m, rel=0.02)


@pytest.mark.parametrize("strike", ["mid", "fore"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_toes_down_rotation_in_the_air_is_not_the_contact(strike: str, seed: int) -> None:
    """Seen from the laces, a mid/forefoot runner's foot rotates toes down in the air after the
    swing, and the stop of the swing rotation jerks the sensor: contact is where the ground's
    impact follows (the end of that rotation), not the end of the swing 20-40 ms before it."""
    from rig.explore import Case, run_case

    case = Case((("speed_mps", 4.0), ("strike", strike), ("site", "laces")), seed)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("contact_rate_dps", [100.0, 300.0])
@pytest.mark.parametrize("site", ["midsole", "heel", "laces"])
def test_a_toes_up_rotation_into_the_ground_is_the_contact(contact_rate_dps: float, site: str) -> None:
    """A forefoot runner whose toes-up swing rotation runs right into the ground (no toes-down
    rotation before contact) lands on the ball and the heel drops at once: gy crosses zero only at
    foot flat, tens of ms later. Contact is the impact while the foot still rotates toes up; toe-off
    and the strike class follow from it (before: IC and TC ~65 ms late, strike read as heel)."""
    from rig.explore import Case, run_case

    case = Case((("speed_mps", 5.0), ("strike", "fore"), ("site", site), ("precontact_lead_s", 0.0),
                 ("precontact_hump_deg", 0.0), ("contact_rate_dps", contact_rate_dps)), 1)
    scores = run_case(case).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0
    assert scores.tc_mae_ms is not None and scores.tc_mae_ms < 5.0
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.9


@pytest.mark.parametrize("gait", [
    (("speed_mps", 3.0),),
    (("speed_mps", 5.0), ("site", "lateral")),
    (("speed_mps", 4.0), ("odr_hz", 208.0)),
])
@pytest.mark.parametrize("contact_rate_dps", [150.0, 400.0])
def test_a_heel_landing_still_rotating_toes_up_touches_at_the_knee_of_its_slap(
        gait: tuple[tuple[str, object], ...], contact_rate_dps: float) -> None:
    """A heel striker whose toes-up swing rotation is still running when the heel touches: the
    ground stops it at once and gy turns from a gentle rise into the slap's steep one, crossing zero
    5-25 ms later. Contact is that knee, not the crossing (before: IC and contact time 10-15 ms
    late)."""
    from rig.explore import Case, run_case

    scores = run_case(Case(gait + (("contact_rate_dps", contact_rate_dps),), 1)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 6.0
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 6.0
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95


@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_slap_after_a_toes_down_rotation_in_the_air_is_not_the_push_off(seed: int) -> None:
    """A walker whose foot turns toes down in the air before the heel lands, then slaps down: the
    slap belongs to the landing. Taken as the push-off, it put toe-off ~80 ms after contact (contact
    times of ~100 ms at a walk), froze the stance before the foot was flat (strides of 0.2-1.0 m,
    read as stairs) and measured the strike angle there."""
    from rig.explore import Case, run_case

    case = Case((("activity", "walk"), ("speed_mps", 1.1), ("precontact_lead_s", 0.04),
                 ("precontact_hump_deg", 8.0), ("landing_dps", 300.0)), seed)
    scores = run_case(case).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.tc_mae_ms is not None and scores.tc_mae_ms < 10.0
    assert scores.gct_mae_ms is not None and scores.gct_mae_ms < 10.0
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.9
    assert scores.activity_accuracy is not None and scores.activity_accuracy >= 0.9
    assert scores.stride_len_mape_pct is not None and scores.stride_len_mape_pct < 15.0


@pytest.mark.parametrize("speed_mps", [7.0, 7.5])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_sprinting_forefoot_lands_at_the_end_of_its_toes_down_rotation(speed_mps: float, seed: int) -> None:
    """At 7-8 m/s the end of a forefoot runner's swing decelerates a sensor off the rotation's axis
    by 10-12 g in the air (here on the laces); the ground's impact after the toes-down rotation is
    higher and far sharper. Contact is there (before: IC and contact time ~30-45 ms early, strike
    read as mid)."""
    from rig.explore import Case, run_case

    case = Case((("speed_mps", speed_mps), ("strike", "fore"), ("site", "laces")), seed)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.9


@pytest.mark.parametrize("gait", [
    (("activity", "walk"), ("speed_mps", 1.3)),
    (("activity", "walk"), ("speed_mps", 1.0), ("site", "lateral")),
    (("speed_mps", 3.0),),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_still_in_the_air_at_the_end_of_the_swing_lands_before_its_impact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A heel striker whose toes-up swing rotation stops 70 ms before the heel lands: no impact
    follows the end of the rotation, the first one comes ~80 ms after it. The foot was in the air
    there; contact is just before that impact (before: IC and contact time ~55-60 ms early)."""
    from rig.explore import Case, run_case

    case = Case(gait + (("precontact_lead_s", 0.07),), seed)
    scores = run_case(case).scores
    assert_every_stride_on_time(scores)
    assert scores.strike_accuracy is not None and scores.strike_accuracy >= 0.95


@pytest.mark.parametrize("gait", [
    (("activity", "walk"), ("speed_mps", 1.3), ("precontact_lead_s", 0.04)),
    (("activity", "walk"), ("speed_mps", 1.3), ("site", "heel"), ("precontact_lead_s", 0.04)),
    (("speed_mps", 2.5), ("precontact_lead_s", 0.03)),
    (("speed_mps", 3.0), ("site", "laces"), ("precontact_lead_s", 0.03)),
])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_heel_still_descending_at_the_end_of_the_swing_lands_at_its_impact(
        gait: tuple[tuple[str, object], ...], seed: int) -> None:
    """A heel striker whose toes-up rotation stops 30-40 ms before the heel lands: the first impact
    comes 35-50 ms after the end of the rotation, sooner than the late-impact rule waits for. The
    strapdown shows the foot still descending there (0.55-1 m/s), neither arrested nor slapping
    down on the way to the impact: it was in the air, and contact is just before the impact
    (before: IC and contact time 25-35 ms off)."""
    from rig.explore import Case, run_case

    scores = run_case(Case(gait, seed)).scores
    assert_every_stride_on_time(scores)


@pytest.mark.parametrize("gait", [
    (("activity", "walk"), ("speed_mps", 1.3), ("impact_delay_s", 0.03)),
    (("speed_mps", 3.0), ("impact_delay_s", 0.022)),
])
def test_a_heel_on_the_ground_at_the_end_of_the_swing_keeps_its_contact_there(
        gait: tuple[tuple[str, object], ...]) -> None:
    """A heel that lands at the end of its toes-up rotation but whose impact starts 22-30 ms later
    (its peak within the 10-30 ms after contact that heel strikes show): a walking heel descends
    too slowly there to be in the air, a running one is arrested by the ground, so contact stays
    at the top."""
    from rig.explore import Case, run_case

    scores = run_case(Case(gait, 1)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 5.0


def test_a_heel_whose_impact_comes_late_on_real_walks_keeps_its_contact_at_the_top() -> None:
    """On the motion-capture walks the heel's impact comes up to ~45 ms after the end of the swing
    rotation while the heel touches there: those strides keep their contact at the top."""
    from rig.evaluate import score
    from scenarios.datasets import list_datasets
    from scenarios.recording_csv import read_recording

    errors_ms = []
    for side in ("left", "right"):
        rec = read_recording(next(p for p in list_datasets() if p.stem == f"healthy_2x20m_{side}"))
        assert rec.truth is not None
        strides, _ = native.analyze(rec)
        scores = score(strides, rec.truth)
        # the right foot's first step from standing lands softer than the rest (~17 ms after the top)
        assert scores.ic_mae_ms is not None and scores.ic_mae_ms < 6.0, side
        errors_ms += [scores.ic_mae_ms] * scores.n_matched
    assert np.mean(errors_ms) < 5.0


@pytest.mark.parametrize("speed_mps, limit_pct", [(3.0, 2.0), (5.0, 4.0)])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_500_dps_gyro_keeps_the_running_distance(speed_mps: float, limit_pct: float, seed: int) -> None:
    """A +-500 dps gyro clips the swing (up to ~1,300 dps at 5 m/s) and the push-off: the repaired
    rotation and the gravity check at the next still foot keep the distance (before: 4 % short at
    3 m/s, 10 % at 5 m/s, every stride short)."""
    from rig.explore import Case, run_case

    scores = run_case(Case((("speed_mps", speed_mps), ("gyro_fs_dps", 500.0)), seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.distance_err_pct is not None and scores.distance_err_pct < limit_pct


@pytest.mark.parametrize("speed_mps", [0.8, 1.0])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_sensor_on_the_laces_keeps_the_walking_distance(monkeypatch: pytest.MonkeyPatch, speed_mps: float,
                                                          seed: int) -> None:
    """A sensor on the laces sits above the toes the heel rises about: it moves as soon as the foot
    turns, while the low-passed stillness still reads "still" for a few tens of ms. Integrating from
    there missed that velocity and the drift correction took only half of it back: every stride of a
    slow walk was 1.5-2 % short with an ideal sensor. The still span now ends at its last quiet
    sample."""
    from rig import explore
    from scenarios.sensor import SensorModel

    monkeypatch.setattr(explore, "_sensor", lambda case: SensorModel.ideal())
    case = explore.Case((("activity", "walk"), ("speed_mps", speed_mps), ("site", "laces")), seed)
    rec = explore.build_recording(case)
    strides, summary = native.analyze(rec)
    assert len([s for s in strides if s.stride_m is not None]) >= len(rec.truth.strides) - 2
    assert rec.truth.distance_m is not None
    err_pct = (summary.distance_m / rec.truth.distance_m - 1.0) * 100.0
    assert abs(err_pct) < 1.0


@pytest.mark.parametrize("spec, seed", [
    ("activity=walk speed_mps=1.3 strike=mid turn_deg=180.0 turn_pitch_scale=0.3", 1),
    ("activity=walk speed_mps=1.3 strike=fore turn_deg=180.0 turn_pitch_scale=0.3", 2),
    ("activity=walk speed_mps=1.3 turn_deg=180.0 turn_pitch_scale=0.3 precontact_lead_s=0.05", 1),
    ("activity=stairs_down", 1),
    ("activity=stairs_down precontact_hump_deg=0.807", 607879),
])
def test_a_weak_swing_that_lands_softly_is_a_step(spec: str, seed: int) -> None:
    """Pivot steps of a 180 deg turn (a third of the pitch rotation) and steps down a staircase
    rotate the foot toes up by 12-30 deg: such a weak rotation was a step only if a jerk followed
    its top, and a mid- or forefoot strike, or a soft landing, has none (every turning step of
    these gaits, or every stride down the stairs, was lost). The landing itself now also tells:
    an impact after the landing bump, or |a| rising 1 g over gravity as the foot takes the body's
    weight."""
    from rig.explore import parse_case, run_case

    scores = run_case(parse_case(spec, seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0


@pytest.mark.parametrize("spec", [
    "activity=stairs_up turn_deg=120.0 turn_pitch_scale=0.3",
    "activity=stairs_down turn_deg=-90.0 turn_pitch_scale=0.35",
    "activity=walk speed_mps=1.0 turn_deg=-120.0 turn_pitch_scale=0.3 foot=left",
])
def test_a_pivot_step_that_turns_the_foot_is_a_step(spec: str) -> None:
    """A pivot step round a corner or a turning staircase lifts the foot with a third of the toes-up
    rotation: gy peaks at 50-100 dps, under the swing's 100 dps, and every turning step was lost.
    The foot turning about its vertical (gz) by several degrees while it rotates toes up now starts
    the swing at half that rate; it is weak and counts only if it lands."""
    from rig.explore import parse_case, run_case

    scores = run_case(parse_case(spec, 1)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0


@pytest.mark.parametrize("odr_hz", [104.0, 416.0, 833.0])
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_fidgeting_stays_no_stride(odr_hz: float, seed: int) -> None:
    """Toe taps, heel raises and weight shifts rotate the foot as weakly as a pivot step, but they
    carry no body weight: |a| stays within about 0.4 g of gravity, so they are no steps. Nor do
    they turn the foot about its vertical: a toes-up rotation under the swing's rate is a swing
    only when the foot turns (a pivot step)."""
    from scenarios.catalog import synthesize

    strides, _ = native.analyze(synthesize("fidgeting", seed=seed, odr_hz=odr_hz))
    assert strides == []


def _fsa_errors_deg(spec: str, seed: int) -> list[float]:
    """Strike angle error of every stride of an explore case matched to its truth, deg, in time order."""
    from rig.evaluate import match_strides
    from rig.explore import build_recording, parse_case

    rec = build_recording(parse_case(spec, seed))
    assert rec.truth is not None
    strides, _ = native.analyze(rec)
    pairs = match_strides(strides, rec.truth).pairs
    errors = []
    for di, ti in pairs:
        fsa, truth = strides[di].get("fsa_deg"), rec.truth.strides[ti].fsa_deg
        assert fsa is not None and truth is not None
        errors.append(float(fsa) - truth)
    return errors


@pytest.mark.parametrize("site", ["laces", "midsole"])
@pytest.mark.parametrize("spec, seed", [("speed_mps=4.33 strike=mid", 99590), ("speed_mps=3.0", 3)])
def test_the_first_and_last_strides_of_a_run_keep_their_strike_angle(site: str, spec: str, seed: int) -> None:
    """A running foot is never quite still: levelled at a running zero-velocity instant the attitude
    is off by what the foot still accelerates there (~15 deg on the laces), while the standing
    before and after the run levels it right. A strike angle taken between two levellings carried
    that difference into the first and last strides (the last one 10-13 deg off on the laces). It is
    the sole's turn from contact to the flat foot, from the gyroscope alone."""
    errors = _fsa_errors_deg(f"{spec} site={site}", seed)
    assert len(errors) >= 10
    assert max(abs(e) for e in errors) < 1.5, errors


@pytest.mark.parametrize("name", ["ic_stride_4x10m_left", "ic_stride_4x10m_right"])
def test_a_level_walk_whose_attitude_comes_back_tilted_is_not_stairs(name: str) -> None:
    """The 4 x 10 m walks' accelerometer and gyro disagree: at the still foot after a stride the
    integrated attitude sees gravity lean 15-35 deg off the vertical, and the linear drift
    correction turned a small integrated "down" into a 0.32-0.36 m climb over 1.2 m, read as
    stairs (one stride of the left foot, two of the right). A stride of length L seen through a
    tilt theta climbs by up to L sin(theta) on its own: stairs now need more rise than that."""
    from scenarios.datasets import list_datasets
    from scenarios.recording_csv import read_recording

    rec = read_recording(next(p for p in list_datasets() if p.stem == name))
    strides, _ = native.analyze(rec)
    assert len(strides) >= 25
    assert [s.ic_s for s in strides if s["activity"] == "stairs"] == []


@pytest.mark.parametrize("offset_dps", [-0.5, -0.25, 0.25, 0.5])
def test_a_level_walk_is_not_stairs_by_a_fraction_of_a_dps(offset_dps: float) -> None:
    """The right foot's 4 x 10 m walk drifts up 0.2-0.3 m over most of its 1.2 m strides, one of them
    with a still foot that came back almost level, within 1 % of the stairs slope: a quarter of a dps of
    gyro offset more or less read it as stairs. From level ground a rise only counts beyond what the attitude error at
    the stride's end can make on its own, so such a stride stays a walk under small offsets."""
    import dataclasses

    from scenarios.datasets import list_datasets
    from scenarios.recording_csv import read_recording

    rec = read_recording(next(p for p in list_datasets() if p.stem == "ic_stride_4x10m_right"))
    shifted = dataclasses.replace(rec, gyro_dps=rec.gyro_dps + np.array([0.0, offset_dps, 0.0]))
    strides, _ = native.analyze(shifted)
    assert len(strides) >= 25
    assert [s.ic_s for s in strides if s["activity"] == "stairs"] == []


def test_a_stride_on_a_flight_keeps_its_stairs_through_a_tilted_still_foot() -> None:
    """Down this flight two strides in the middle end on a still foot whose attitude reads 10 deg off
    level: their descent (0.27 m over 0.7 m) stands out of what that tilt can make, but not by a
    stair's slope. Leaving level ground for stairs takes a rise clear of the attitude error; on a
    flight, a rise that stands out of it is enough, and these strides stay stairs."""
    from rig import explore

    spec = ("activity=stairs_down surface=treadmill turn_deg=189.121 odr_hz=208.0 noise_scale=6.43 "
            "mount_yaw_deg=-5.147 drop_rate=0.003 clock_error_pct=0.172 precontact_lead_s=0.064 "
            "precontact_hump_deg=0.802 landing_dps=275.25 pushoff_frac=0.515 tc_deg=-67.434 tc_rate_frac=0.361 "
            "swing_rate_scale=0.738 swing_peak_frac=0.736 heel_kick_deg=24.339")
    rec = explore.build_recording(explore.parse_case(spec, 728097))
    assert rec.truth is not None
    strides, _ = native.analyze(rec)
    truth = np.array([t.ic_s for t in rec.truth.strides])
    matched = [s for s in strides if np.min(np.abs(truth - s.ic_s)) < 0.05]
    assert len(matched) >= len(rec.truth.strides) - 1
    assert [s.ic_s for s in matched if s["activity"] != "stairs"] == []


@pytest.mark.parametrize("spec, seed, activity", [
    # a resynthesized level walk at 104 Hz with 4x the sensor's noise: one stride read as stairs
    ("source=resynth activity=walk speed_mps=1.41 odr_hz=104.0 noise_scale=3.998 mount_pitch_deg=8.939 "
     "mount_yaw_deg=-7.473 drop_rate=0.004 clock_error_pct=1.547", 830256, "walk"),
    # stairs whose own integration runs the wrong way and only the drift correction recovers the climb
    ("activity=stairs_up noise_scale=6.221 mount_pitch_deg=-1.871 mount_yaw_deg=-1.139 clock_error_pct=-0.507 "
     "site=lateral precontact_lead_s=0.032 precontact_hump_deg=7.819 pushoff_frac=0.432 "
     "tc_rate_frac=0.467", 888773, "stairs"),
])
def test_stairs_need_a_rise_the_attitude_error_cannot_make(spec: str, seed: int, activity: str) -> None:
    """A rise counts as stairs only if it is larger than the stride's length times the sine of the
    tilt the still foot shows at the stride's end: a noisy level walk no longer climbs, and stairs
    whose attitude comes back level keep their climb however the drift correction found it."""
    from rig import explore

    rec = explore.build_recording(explore.parse_case(spec, seed))
    strides, _ = native.analyze(rec)
    truth = np.array([t.ic_s for t in rec.truth.strides])
    matched = [s for s in strides if np.min(np.abs(truth - s.ic_s)) < 0.05]
    assert len(matched) >= len(rec.truth.strides) - 1
    assert [s.ic_s for s in matched if s["activity"] != activity] == []


@pytest.mark.parametrize("spec, seed", [
    ("speed_mps=4.0 strike=mid mount_yaw_deg=14.0", 1),
    ("speed_mps=4.0 strike=mid mount_yaw_deg=-14.0 foot=left", 2),
    ("speed_mps=3.0 strike=mid site=laces mount_yaw_deg=12.0", 3),
    ("activity=walk speed_mps=1.4 mount_yaw_deg=-12.0", 1),
    ("activity=walk speed_mps=1.4", 1),
])
def test_a_sensor_turned_on_the_shoe_keeps_the_strike_angle(spec: str, seed: int) -> None:
    """A sensor turned 12-14 deg about the vertical on the shoe sees the foot's inversion at contact
    and eversion to flat partly as pitch: the strike angle read 2-3 deg off (a mid-foot strike near
    a class cut-off taken for a heel or a forefoot strike). The sole's own pitch axis is learnt from
    the swing's net toes-up turn; every stride after the first swing keeps its angle."""
    errors = _fsa_errors_deg(spec, seed)
    assert len(errors) >= 10
    assert max(abs(e) for e in errors[1:]) < 1.0, errors


def test_a_first_step_that_lands_on_its_heel_and_slaps_down_is_a_step() -> None:
    """The right foot's first step from standing on the motion-capture walk turns it toes up by
    only ~20 deg; the heel touches softly at the end of that rotation and the forefoot's impact
    comes ~90 ms later, in the middle of the foot slapping down. It is a step, with its contact
    at the end of the rotation, not at the forefoot's impact."""
    from rig.evaluate import match_strides
    from scenarios.datasets import list_datasets
    from scenarios.recording_csv import read_recording

    rec = read_recording(next(p for p in list_datasets() if p.stem == "healthy_2x20m_right"))
    assert rec.truth is not None
    first_ic_s = rec.truth.strides[0].ic_s
    strides, _ = native.analyze(rec)
    m = match_strides(strides, rec.truth)
    assert 0 not in m.missed, f"the first step at {first_ic_s:.2f} s was not detected"
    (ic_s,) = [float(strides[d]["ic_s"]) for d, t in m.pairs if t == 0]
    assert abs(ic_s - first_ic_s) < 0.03, f"contact {ic_s:.3f} s for the label at {first_ic_s:.3f} s"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_heel_slap_clipped_right_after_the_swing_is_its_own_run(seed: int) -> None:
    """At 7.5 m/s a +-500 dps gyro clips the swing's toes-up rotation and, 25 ms later, the heel's
    toes-down slap at the other side of full scale. Taken as the swing's run resuming after a short
    dip, the slap was never rebuilt and the swing's run was rebuilt from the slap's far edge: the
    strike angle came out ~4.7 deg low and the strides ~15 % short."""
    from rig.explore import parse_case, run_case

    scores = run_case(parse_case("speed_mps=7.45 gyro_fs_dps=500.0", seed)).scores
    assert scores.recall == 1.0 and scores.precision == 1.0
    assert scores.fsa_mae_deg is not None and scores.fsa_mae_deg < 3.5
    assert scores.stride_len_mape_pct is not None and scores.stride_len_mape_pct < 14.0


@pytest.mark.parametrize("spec, seed", [("speed_mps=7.5", 2), ("speed_mps=6.27 pushoff_frac=0.395 tc_deg=-67.092", 919923)])
def test_a_push_off_clipped_by_the_gyro_keeps_its_toe_off(spec: str, seed: int) -> None:
    """A +-500 dps gyro clips the push-off, whose true peak is ~1,000 dps at a run: toe-off (the rate
    back to 88 % of that peak) lies inside the clipped run. Timed at 88 % of full scale after the run,
    it came 11-14 ms late. The top is now rebuilt from the rise into the run and its length, and the
    toe-off taken back from the run's end at the fall's slope there."""
    from rig.explore import parse_case, run_case

    clipped = run_case(parse_case(f"{spec} gyro_fs_dps=500.0", seed)).scores
    full = run_case(parse_case(f"{spec} gyro_fs_dps=2000.0", seed)).scores
    assert clipped.tc_bias_ms is not None and full.tc_bias_ms is not None
    assert clipped.tc_mae_ms is not None and clipped.tc_mae_ms < 10.0
    assert abs(clipped.tc_bias_ms - full.tc_bias_ms) < 6.0


@pytest.mark.parametrize("spec, seed", [
    ("activity=walk speed_mps=1.09 grade_pct=-8.469 site=laces precontact_lead_s=0.072 landing_dps=1000.124 "
     "pushoff_frac=0.382 swing_rate_scale=0.831 swing_peak_frac=0.762 heel_kick_deg=36.176", 103871),
    ("activity=walk speed_mps=1.5 cadence_scale=1.092 turn_deg=-28.188 grade_pct=13.983 foot=left mount_pitch_deg=4.4 "
     "mount_yaw_deg=-2.853 clock_error_pct=-0.197 precontact_hump_deg=13.696 landing_dps=944.93 tc_rate_frac=0.795 "
     "swing_rate_scale=1.328 swing_peak_frac=0.822 heel_kick_deg=12.928", 832887),
])
def test_a_foot_that_stands_still_after_a_toes_down_burst_has_not_pushed_off(spec: str, seed: int) -> None:
    """A walk whose contact was found early (in the air) takes the landing's slap, a toes-down burst
    inside the stance, as the push-off: toe-off came 40-200 ms early. A foot past its toe-off is in
    the air and is never quiet again before it lands, so a quiet foot after the burst means it was
    still on the ground: the push-off is looked for again."""
    from rig.explore import parse_case, run_case

    scores = run_case(parse_case(spec, seed)).scores
    assert scores.recall == 1.0
    assert scores.tc_mae_ms is not None and scores.tc_mae_ms < 10.0


def test_sample_indices_of_times_in_whole_milliseconds() -> None:
    # 416 Hz rows stamped to whole milliseconds are 0.83 or 1.25 periods apart: with dropped samples
    # among them the clock tracking starts from the rows' mean spacing, not their median (0.83),
    # from which its rate could not wander to the true one (a phantom drop every few rows)
    odr = 416.0
    rng = np.random.default_rng(5)
    truth = np.flatnonzero(rng.random(20000) > 0.01)
    t = np.round(truth / odr, 3)
    got = inject.sample_indices(t, odr).astype(np.int64)
    assert int(np.count_nonzero(np.diff(got) != np.diff(truth - truth[0]))) <= 10
    assert abs(int(got[-1]) - int(truth[-1] - truth[0])) <= 2


def test_a_recording_clipped_at_a_smaller_full_scale_keeps_its_distance(tmp_path: Path) -> None:
    # clipped at +-8 g / +-500 dps and replayed at the default +-16 g / +-2000 dps, a steady run gave
    # 155.6 m of its 178.6 m and contact times 7.4 ms off; read at the scales it was clipped at, 178.5 m
    import dataclasses

    from scenarios import read_recording, synthesize, write_recording

    rec = synthesize("steady_run")
    path = tmp_path / "clipped.csv"
    write_recording(dataclasses.replace(rec, truth=None, acc_g=np.clip(rec.acc_g, -8.0, 8.0),
                                        gyro_dps=np.clip(rec.gyro_dps, -500.0, 500.0)), path)
    _, clean = native.analyze(rec)
    _, clipped = native.analyze(read_recording(path))
    assert clipped["distance_m"] == pytest.approx(clean["distance_m"], rel=0.02)
