"""The in-process analyzer (rig bench's engine) and the host firmware over its link give the same strides."""

from __future__ import annotations

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
