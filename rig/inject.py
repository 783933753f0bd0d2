"""Turn a recording into what the firmware receives: raw LSM6DSO counts and sample indices."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from scenarios.model import Recording

#: LSM6DSO sensitivities (datasheet DS12140, table 3): g per LSB by full scale in g.
ACCEL_G_PER_LSB: dict[int, float] = {2: 0.061e-3, 4: 0.122e-3, 8: 0.244e-3, 16: 0.488e-3}
#: mdps per LSB by full scale in dps (the firmware scales counts by mdps * 1e-3 in float32).
GYRO_MDPS_PER_LSB: dict[int, float] = {125: 4.375, 250: 8.75, 500: 17.5, 1000: 35.0, 2000: 70.0}
#: dps per LSB by full scale in dps.
GYRO_DPS_PER_LSB: dict[int, float] = {fs: mdps * 1e-3 for fs, mdps in GYRO_MDPS_PER_LSB.items()}


@dataclass(frozen=True)
class RawStream:
    """Samples as the sensor would deliver them.

    counts: (N, 6) int16 in the order ax, ay, az, gx, gy, gz; index: (N,) uint32
    sensor sample index (a jump > 1 = dropped samples); t_s: the recording's
    time of each sample, to map firmware sample times back onto the recording.
    """

    counts: np.ndarray
    index: np.ndarray
    t_s: np.ndarray
    odr_mhz: int  #: the sensor's real output rate, mHz (see effective_odr_hz)
    accel_fs_g: int
    gyro_fs_dps: int

    def index_to_t_s(self, sample_index: np.ndarray | float) -> np.ndarray:
        """Recording time of a (fractional) sample index, by linear interpolation."""
        return np.interp(sample_index, self._index_f64, self.t_s)

    @functools.cached_property
    def _index_f64(self) -> np.ndarray:
        # np.interp converts its x points to float64 on every call: once per stream, not per stride
        return self.index.astype(np.float64)


#: The sensor sample index is a u32 that the analyzer compares as a signed difference: a stream
#: may span at most this many indices, and one step must stay below 2**31.
MAX_INDEX = (1 << 32) - 1


#: Tracking of the sensor's sample clock through the timestamps (sample_indices): how much of each
#: row's timing error moves the phase, and the rate (periods per sample), per sample. A row's own
#: jitter moves the phase by a tenth of it; a clock a few percent off is learnt within about 50
#: rows; a gap's length is then counted in the sensor's periods, not the nominal ones.
PHASE_GAIN = 0.1
RATE_GAIN = 0.002
#: How far the tracked rate may wander from the one the rows' own spacing gives, as a share: a
#: sensor's clock drifts by a small fraction of a percent over a recording; the bound keeps a burst
#: of wild timestamps from carrying it away.
RATE_WANDER = 0.06
#: Rows whose spacing is within this of one period (in periods) count for the rows' own rate.
ONE_PERIOD = 0.5


def _periods_per_row(periods: np.ndarray) -> float:
    """The rows' own spacing in nominal periods: the mean of the spacings near one period (so
    dropped samples do not count), 1.0 when too few rows are. Not their median: times rounded to a
    grid near the period (whole milliseconds at 416 Hz: 0.83 or 1.25 periods) have one of the grid's
    values as median, and the rate could not wander from it to the true one."""
    near = periods[np.abs(periods - 1.0) < ONE_PERIOD]
    return float(np.mean(near)) if len(near) >= 16 else 1.0


def _tracked_steps(t_s: np.ndarray, odr_hz: float) -> np.ndarray:
    """Each row's step in sensor samples from the row before (at least 1), from a phase-locked
    count of the sensor's periods: the expected time of each sample follows the timestamps with a
    phase and a rate of its own, so a row that comes early or late by up to about a third of a
    period is still the next sample, and a gap counts the samples the sensor's own clock made."""
    x = ((t_s - t_s[0]) * odr_hz).tolist()  # time in nominal periods
    k0 = _periods_per_row(np.diff(t_s) * odr_hz)
    lo, hi = k0 * (1.0 - RATE_WANDER), k0 * (1.0 + RATE_WANDER)
    k, phase = k0, 0.0
    steps = [0] * (len(x) - 1)
    for i in range(1, len(x)):
        step = max(1, round((x[i] - phase) / k))
        steps[i - 1] = step
        phase += k * step
        err = x[i] - phase
        phase += PHASE_GAIN * err
        k = min(hi, max(lo, k + RATE_GAIN * err / step))
    return np.asarray(steps, dtype=np.float64)


def sample_indices(t_s: np.ndarray, odr_hz: float) -> np.ndarray:
    """Sensor sample index of each row: idx[i] = idx[i-1] + (samples since the row before, >= 1).

    The samples between rows are counted on the sensor's own clock, tracked through the
    timestamps (_tracked_steps): timestamp jitter of up to about a third of a period never reads
    as a dropped sample or makes two rows share an index, a clock a few percent off its nominal
    rate never makes a long gap lose or gain samples, and a gap of two or more periods reads as
    dropped samples. Rows one period apart throughout are simply consecutive.
    Raises ValueError naming the row and the time when a gap would carry the index
    past MAX_INDEX (the firmware would take it for a step backwards).
    """
    periods = np.diff(t_s) * odr_hz
    if np.all(np.abs(periods - 1.0) < 0.25):
        steps = np.ones(len(periods))
    else:
        steps = _tracked_steps(np.asarray(t_s, np.float64), odr_hz)
    index = np.concatenate([[0.0], np.cumsum(steps)])
    over = np.flatnonzero((index > MAX_INDEX) | (np.concatenate([[0.0], steps]) >= 2.0**31))
    if len(over):
        r = int(over[0])
        raise ValueError(f"row {r} (t_s={float(t_s[r])!r}) would be sensor sample {index[r]:.0f} at "
                         f"{odr_hz:.4g} Hz, past the sensor index's {MAX_INDEX}: split the recording "
                         f"at the gap before it")
    return index.astype(np.uint32)


def effective_odr_hz(t_s: np.ndarray, idx: np.ndarray, nominal_hz: float) -> float:
    """The sensor's real output rate: sample indices over elapsed time, Hz.

    A sensor clock runs up to a few percent off nominal; durations scale with
    it and integrated distances with its square. On the chip the firmware
    learns the real rate from the sensor's frequency trim register or by timing
    its FIFO against its own crystal; here the recording's timestamps measure
    it. Recordings under 1 s keep the nominal rate.
    """
    if len(t_s) < 2 or float(t_s[-1] - t_s[0]) < 1.0:
        return float(nominal_hz)
    return float((int(idx[-1]) - int(idx[0])) / (t_s[-1] - t_s[0]))


#: The lowest sample rate the analyzer is specified for, Hz: rig explore draws 104..833 Hz, and 100 Hz
#: walking recordings hold. Under it a landing's turn spans one or two samples (a 26 Hz walk loses a
#: quarter of its strides), and a contact is read to within a sample.
MIN_SPECIFIED_HZ = 100.0


def below_specified_rate(rec: Recording) -> str | None:
    """A note when rec is sampled under MIN_SPECIFIED_HZ (the replay still runs); None otherwise."""
    if rec.odr_hz >= MIN_SPECIFIED_HZ * 0.97:  # a 100 Hz sensor a few percent slow is still one
        return None
    return (f"{rec.name}: sampled at {rec.odr_hz:.4g} Hz, under the {MIN_SPECIFIED_HZ:g} Hz the analyzer is "
            f"specified for: a contact is read to within a sample ({1000.0 / rec.odr_hz:.0f} ms) and short swings "
            "may be missed; record at 104 Hz or more")


def beyond_full_scale(rec: Recording) -> str | None:
    """A note naming the samples of `rec` outside the sensor's full scales (which the firmware
    receives clipped at full scale, as the sensor would deliver them); None when all are inside."""
    acc_n = int(np.count_nonzero(np.any(np.abs(rec.acc_g) > rec.accel_fs_g, axis=1)))
    gyro_n = int(np.count_nonzero(np.any(np.abs(rec.gyro_dps) > rec.gyro_fs_dps, axis=1)))
    if not acc_n and not gyro_n:
        return None
    parts = []
    if acc_n:
        parts.append(f"{acc_n} sample(s) beyond +-{rec.accel_fs_g:g} g (peak {np.max(np.abs(rec.acc_g)):.4g} g)")
    if gyro_n:
        parts.append(f"{gyro_n} sample(s) beyond +-{rec.gyro_fs_dps:g} dps (peak {np.max(np.abs(rec.gyro_dps)):.4g} dps)")
    widest = rec.accel_fs_g >= max(ACCEL_G_PER_LSB) and rec.gyro_fs_dps >= max(GYRO_DPS_PER_LSB)
    remedy = ("the LSM6DSO reads no wider, so strides there are flagged impact_clipped / gyro_saturated" if widest else
              f"if the recording was made at wider full scales, say so in {rec.name}.truth.json "
              "(meta accel_fs_g, gyro_fs_dps)")
    return (f"{rec.name}: {' and '.join(parts)}; the firmware gets them clipped at full scale, as the sensor "
            f"would read them; {remedy}")


def to_raw(rec: Recording, odr_hz: float | None = None, accel_fs_g: int = 16, gyro_fs_dps: int = 2000) -> RawStream:
    """Quantize a recording to int16 counts at the given full scales (clipping at full scale)."""
    if accel_fs_g not in ACCEL_G_PER_LSB:
        raise ValueError(f"accel full scale {accel_fs_g} g is not an LSM6DSO setting; choose from {sorted(ACCEL_G_PER_LSB)}")
    if gyro_fs_dps not in GYRO_DPS_PER_LSB:
        raise ValueError(f"gyro full scale {gyro_fs_dps} dps is not an LSM6DSO setting; choose from {sorted(GYRO_DPS_PER_LSB)}")
    nominal_hz = float(odr_hz if odr_hz is not None else rec.odr_hz)
    t_s = np.asarray(rec.t_s, float)
    try:
        idx = sample_indices(t_s, nominal_hz)
    except ValueError as exc:
        raise ValueError(f"recording {rec.name!r}: {exc}") from None
    odr_mhz = int(round(effective_odr_hz(t_s, idx, nominal_hz) * 1000))
    with np.errstate(over="ignore"):  # a value past float's range in counts (1e308 g) is clipped like any beyond scale
        acc = rec.acc_g / ACCEL_G_PER_LSB[accel_fs_g]
        gyr = rec.gyro_dps / GYRO_DPS_PER_LSB[gyro_fs_dps]
    counts = np.clip(np.rint(np.hstack([acc, gyr])), -32768, 32767).astype(np.int16)
    return RawStream(counts, idx, t_s, odr_mhz, accel_fs_g, gyro_fs_dps)
