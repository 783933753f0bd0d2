"""The in-process analyzer (rig bench's engine) and the host firmware over its link give the same strides."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from rig.native import analyze
from rig.runner import run_recording
from rig.targets.host import HostTarget
from scenarios.catalog import synthesize
from scenarios.model import Recording

pytestmark = pytest.mark.target("host")


def cut(rec: Recording, end_s: float) -> Recording:
    """The recording stopped mid-run: strides still held back at the end must all come out."""
    n = int(np.searchsorted(rec.t_s, end_s))
    return Recording(rec.name + "_cut", rec.odr_hz, rec.t_s[:n], rec.acc_g[:n], rec.gyro_dps[:n], rec.truth)


@pytest.mark.parametrize("name", ["steady_run", "dropouts", "clock_fast", "sprint_gyro_saturation", "cut"])
def test_native_matches_firmware(name: str, tmp_path: Path) -> None:
    rec = cut(synthesize("steady_run"), 30.0) if name == "cut" else synthesize(name)
    native_strides, native_summary = analyze(rec)
    result = run_recording(HostTarget(), rec, tmp_path)
    assert len(result.strides) == len(native_strides) > 0
    for fw, nat in zip(result.strides, native_strides):
        # Event times travel as whole microseconds in the STRIDE frame.
        assert fw["ic_s"] == pytest.approx(nat["ic_s"], abs=2e-6)
        for key in ("gct_ms", "stride_ms", "fsa_deg", "stride_m", "pronation_deg", "peak_impact_g"):
            assert fw[key] == nat[key], key  # the same float32 bits on both paths
        assert (fw["strike"], fw["activity"], fw["impact_clipped"]) == (nat["strike"], nat["activity"], nat["impact_clipped"])
    assert result.summary == native_summary


def test_unmeasured_toe_off_does_not_disturb_the_clock() -> None:
    """A stride without TC carries a meaningless tc_us; it must not be unwrapped as a time."""
    from rig.inject import to_raw
    from rig.records import tc_measured
    from rig.stride_times import FirmwareClock, place_stride

    rec = synthesize("steady_run")
    # a stream 60 times as long (indices 60 apart: samples dropped) reaches past half the 32-bit wrap
    raw = dataclasses.replace(to_raw(rec), index=to_raw(rec).index * 60)
    clock = FirmwareClock(raw)
    late_us = 3_000_000_000  # 50 min into the stream
    base = {"stride_no": 0, "tc_us": 0, "strike": "heel", "activity": "run", "flags": 0,
            **{k: float("nan") for k in ("gct_ms", "flight_ms", "swing_ms", "stride_ms", "cadence_spm",
                                          "duty_factor", "fsa_deg", "pronation_deg", "peak_roll_rate_dps",
                                          "peak_impact_g", "stride_m", "speed_mps")}}
    first_p, second_p = {**base, "ic_us": late_us}, {**base, "ic_us": late_us + 700_000}
    first = place_stride(first_p, clock, tc_measured(first_p)).stride
    second = place_stride(second_p, clock, tc_measured(second_p)).stride
    assert first["tc_s"] is None and second["tc_s"] is None
    # No spurious wrap from tc_us = 0: the clock still stands where the second IC put it.
    assert clock._last == late_us + 700_000
