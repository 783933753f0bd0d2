"""The data-driven synthesizer: real strides keep their labelled events through the warp, keep
their rotations, meet at continuous seams, and refuse targets the bank cannot reach."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scenarios import ScenarioParameterError
from scenarios.datasets import DATA_DIR
from scenarios.recording_csv import read_recording
from scenarios.resynth import ResynthSpec, resynthesize, stride_bank

BANK = stride_bank()


def test_bank_holds_the_labelled_walks() -> None:
    assert len(BANK) >= 40
    for tp in BANK:
        assert 0.0 < tp.tc_s < tp.ic_s < tp.end_s
        assert 0.5 < tp.stride_m < 2.5  # strapdown estimate of a walking stride
        # gravity part has unit norm; the seams are at rest
        np.testing.assert_allclose(np.linalg.norm(tp.gravity_g, axis=1), 1.0, atol=1e-9)
        assert np.linalg.norm(tp.gyro_dps[0]) < 40.0 and np.linalg.norm(tp.gyro_dps[-1]) < 40.0


def _source(name: str):  # type: ignore[no-untyped-def]
    return read_recording(DATA_DIR / "gaitmap_example" / f"{name}.csv")


def test_unwarped_strides_are_the_source_around_its_labelled_ic() -> None:
    rec = resynthesize(ResynthSpec(strides=8, foot="right", odr_hz=2048.0, seed=4))
    assert rec.truth is not None
    sources = rec.truth.meta["templates"]
    src = _source("healthy_2x20m_right")
    checked = 0
    for k, s in enumerate(rec.truth.strides[:-1]):
        name, at = sources[k].split("@")
        if name != "healthy_2x20m_right":
            continue
        # the template starts in the stance of the stride labelled at `at`; its IC is the next one
        labelled = [x.ic_s for x in src.truth.strides]  # type: ignore[union-attr]
        src_ic = labelled[labelled.index(min(labelled, key=lambda x: abs(x - float(at)))) + 1]
        rel = np.arange(-0.12, 0.05, 0.002)
        for j in range(3):
            out = np.interp(s.ic_s + rel, rec.t_s, rec.gyro_dps[:, j])
            ref = np.interp(src_ic + rel, src.t_s, src.gyro_dps[:, j])
            assert np.abs(out - ref).max() < 0.03 * np.abs(src.gyro_dps[:, 1]).max() + 2.0
        checked += 1
    assert checked >= 3


def test_warp_hits_the_target_and_keeps_the_rotations() -> None:
    base = resynthesize(ResynthSpec(strides=10, seed=2, odr_hz=1000.0))
    fast = resynthesize(ResynthSpec(strides=10, seed=2, odr_hz=1000.0, cadence_spm=130.0, duty=0.58))
    assert base.truth is not None and fast.truth is not None
    assert base.truth.meta["templates"] == fast.truth.meta["templates"]
    for s in fast.truth.strides[:-1]:
        assert s.stride_ms == pytest.approx(120_000.0 / 130.0, abs=1e-6)
        assert s.gct_ms == pytest.approx(0.58 * s.stride_ms, abs=1e-6)  # type: ignore[operator]
    # the swing's rotation (gy from TC to IC) is the same angle at either pace
    for a, b in zip(base.truth.strides[:-1], fast.truth.strides[:-1]):
        angles = []
        for rec, s in ((base, a), (fast, b)):
            nxt = [x for x in rec.truth.strides if x.ic_s > s.ic_s][0]  # type: ignore[union-attr]
            i, j = np.searchsorted(rec.t_s, [s.tc_s, nxt.ic_s])
            angles.append(np.trapezoid(rec.gyro_dps[i:j, 1], rec.t_s[i:j]))
        assert angles[1] == pytest.approx(angles[0], abs=2.0)


def test_seams_are_continuous() -> None:
    rec = resynthesize(ResynthSpec(strides=12, seed=5, odr_hz=833.0))
    assert rec.truth is not None
    for name, x, tol in (("gyro", rec.gyro_dps, 1.0), ("acc", rec.acc_g, 0.02)):
        jump = np.abs(np.diff(x, axis=0)).max(axis=1)
        for seam in rec.truth.meta["seams_s"][1:]:
            i = int(np.searchsorted(rec.t_s, seam))
            around = np.concatenate([jump[i - 40 : i - 2], jump[i + 2 : i + 40]])
            # a seam is no rougher than the real signal around it
            assert jump[i - 2 : i + 2].max() <= 1.5 * np.median(around) + tol, f"{name} at {seam:.3f} s"


def test_left_foot_is_the_mirrored_right_foot() -> None:
    right_only = tuple(t for t in BANK if t.foot == "right")
    r = resynthesize(ResynthSpec(strides=6, foot="right", seed=1), bank=right_only)
    le = resynthesize(ResynthSpec(strides=6, foot="left", seed=1), bank=right_only)
    np.testing.assert_allclose(le.gyro_dps[:, 1], r.gyro_dps[:, 1])
    np.testing.assert_allclose(le.gyro_dps[:, [0, 2]], -r.gyro_dps[:, [0, 2]])
    np.testing.assert_allclose(le.acc_g[:, 1], -r.acc_g[:, 1])


@pytest.mark.parametrize("kw,name", [
    ({"cadence_spm": 290.0}, "cadence_spm"),
    ({"strike": "fore"}, "strike"),
    ({"strides": 1}, "strides"),
    ({"foot": "both"}, "foot"),
    ({"duty": 0.95}, "duty"),
])
def test_unreachable_or_bad_targets_are_refused_by_name(kw: dict, name: str) -> None:
    with pytest.raises(ScenarioParameterError, match=name):
        resynthesize(ResynthSpec(**kw))


@settings(max_examples=10, deadline=None)
@given(
    cadence=st.none() | st.floats(80.0, 140.0),
    duty=st.none() | st.floats(0.55, 0.72),
    speed=st.none() | st.floats(0.8, 2.0),
    foot=st.sampled_from(["right", "left"]),
    odr=st.sampled_from([104.0, 208.0, 416.0, 833.0]),
    seed=st.integers(0, 2**16),
)
def test_any_reachable_target_gives_ordered_exact_events(cadence, duty, speed, foot, odr, seed) -> None:  # type: ignore[no-untyped-def]
    spec = ResynthSpec(strides=5, cadence_spm=cadence, duty=duty, speed_mps=speed, foot=foot, odr_hz=odr, seed=seed)
    rec = resynthesize(spec)
    assert rec.truth is not None and len(rec.truth.strides) == 5
    assert np.isfinite(rec.acc_g).all() and np.isfinite(rec.gyro_dps).all()
    ics = [s.ic_s for s in rec.truth.strides]
    assert rec.t_s[0] < ics[0] and ics[-1] < rec.t_s[-1] and np.all(np.diff(ics) > 0)
    for s in rec.truth.strides[:-1]:
        assert s.ic_s < s.tc_s < s.ic_s + s.stride_ms / 1000.0  # type: ignore[operator]
