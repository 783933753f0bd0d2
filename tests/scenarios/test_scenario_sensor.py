"""The sensor model: int16 quantization, saturation at full scale, switches and their limits."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios import SensorModel, get_scenario, synthesize_def
from scenarios.sensor import apply_sensor, quantize


def test_quantize_rounds_to_lsb_and_saturates_at_full_scale() -> None:
    lsb = 0.488e-3
    out = quantize(np.array([0.0, 1e-4, 3e-4, 20.0, -20.0]), lsb, 16.0, clip=True, rounding=True)
    np.testing.assert_allclose(out, [0.0, 0.0, lsb, 32767 * lsb, -32767 * lsb])
    gyro = quantize(np.array([2100.0, -2500.0, 123.456]), 70e-3, 2000.0, clip=True, rounding=True)
    np.testing.assert_allclose(gyro, [28571 * 70e-3, -28571 * 70e-3, round(123.456 / 70e-3) * 70e-3])
    raw = quantize(np.array([25.0]), lsb, 16.0, clip=False, rounding=False)
    assert raw[0] == 25.0


def test_ideal_sensor_changes_nothing() -> None:
    rng = np.random.default_rng(0)
    t = np.arange(100) / 416.0
    acc, gyro = rng.normal(size=(100, 3)), rng.normal(size=(100, 3))
    out = apply_sensor(SensorModel.ideal(), t, acc, gyro, 1 / 416.0, rng)
    np.testing.assert_array_equal(out.acc_g, acc)
    np.testing.assert_array_equal(out.gyro_dps, gyro)
    np.testing.assert_array_equal(out.t_s, t)
    assert out.dropped == 0


def test_each_error_switches_alone() -> None:
    base = get_scenario("standing")
    ideal = synthesize_def(base, sensor=SensorModel.ideal())
    noisy = synthesize_def(base, sensor=SensorModel.ideal().with_(gyro_noise_dps=0.1))
    assert noisy.gyro_dps[:, 0].std() == pytest.approx(0.1, rel=0.1)
    np.testing.assert_array_equal(noisy.acc_g, ideal.acc_g)
    biased = synthesize_def(base, sensor=SensorModel.ideal().with_(accel_bias_g=0.02))
    assert 0.0 < np.abs(biased.acc_g.mean(axis=0) - ideal.acc_g.mean(axis=0)).max() < 0.1
    np.testing.assert_array_equal(biased.gyro_dps, ideal.gyro_dps)


@pytest.mark.parametrize(
    "changes",
    [dict(jitter_frac=0.3), dict(drop_rate=0.6), dict(clock_error_pct=25.0), dict(gyro_fs_dps=3000.0)],
)
def test_impossible_sensor_settings_are_refused(changes: dict) -> None:
    with pytest.raises(ValueError, match=next(iter(changes))):
        SensorModel(**changes)
