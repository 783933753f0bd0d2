"""First checks: the basic scenario synthesizes and survives a CSV round trip."""

from pathlib import Path

import numpy as np

from scenarios import read_recording, synthesize, write_recording


def test_steady_run_round_trip(tmp_path: Path) -> None:
    rec = synthesize("steady_run")
    assert rec.truth is not None and len(rec.truth.strides) > 50
    path = tmp_path / "steady_run.csv"
    write_recording(rec, path)
    back = read_recording(path)
    np.testing.assert_allclose(back.acc_g, rec.acc_g, atol=1e-6)
    np.testing.assert_allclose(back.gyro_dps, rec.gyro_dps, atol=1e-4)
    assert back.truth is not None and back.truth.strides == rec.truth.strides
