"""A recording as Renode sensor data (RESD): what the renode target feeds its LSM6DSO model,
and what `rig synth --resd` writes for Renode users' own scripts."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from frame_spec import resd
from rig.inject import ACCEL_G_PER_LSB, GYRO_DPS_PER_LSB, RawStream
from scenarios.whole_file import open_fifo_for_writing


def period_ns(odr_mhz: int) -> int:
    """The sample period of a rate in mHz, ns (rounded)."""
    return int(round(1e12 / odr_mhz))


def raw_to_blocks(raw: RawStream, sample_period_ns: int | None = None, hold_gaps: bool = False,
                  channel: int = 0) -> list[resd.ResdBlock]:
    """RESD blocks of raw's samples: sample of slot index i at (i - first index) * period.

    sample_period_ns: default the stream's real rate. A gap in the slot indices (lost
    samples) either starts a new pair of blocks at the next slot's time (the default:
    the file says what was lost), or with hold_gaps=True is filled by repeating the last
    sample, so that a reader that takes one sample per period (Renode's LSM6DSO model,
    which cannot leave a slot empty) keeps the sensor's timeline.
    """
    counts = np.asarray(raw.counts)
    index = np.asarray(raw.index, dtype=np.int64)
    if not len(index):
        raise ValueError("a RESD file needs at least one sample")
    period = sample_period_ns or period_ns(raw.odr_mhz)
    g = ACCEL_G_PER_LSB[raw.accel_fs_g]
    dps = GYRO_DPS_PER_LSB[raw.gyro_fs_dps]
    meta = {
        "source": (resd.MetaType.STRING, "stridelab"),
        "odr_mhz": (resd.MetaType.UINT32, int(raw.odr_mhz)),
    }
    slots = index - index[0]
    if hold_gaps:
        filled = np.empty((int(slots[-1]) + 1, 6), dtype=counts.dtype)
        # each slot takes the latest sample at or before it
        at = np.searchsorted(slots, np.arange(len(filled)), side="right") - 1
        filled[:] = counts[at]
        return resd.imu_blocks(filled, g, dps, period, 0, channel, meta)
    out: list[resd.ResdBlock] = []
    breaks = np.nonzero(np.diff(slots) != 1)[0] + 1
    for run in np.split(np.arange(len(slots)), breaks):
        out += resd.imu_blocks(counts[run], g, dps, period, int(slots[run[0]]) * period, channel, meta)
    return out


def write_raw(raw: RawStream, path: Path, sample_period_ns: int | None = None, hold_gaps: bool = False) -> Path:
    """Write raw as a RESD file (see raw_to_blocks); return path. A FIFO is written once a process reads
    it (within scenarios.whole_file.READER_WAIT_S; OSError else): opened plainly, one nobody reads hung."""
    blocks = raw_to_blocks(raw, sample_period_ns, hold_gaps)
    fifo = open_fifo_for_writing(path)
    if fifo is None:
        return resd.write(path, blocks)
    try:
        resd.write(Path(f"/proc/self/fd/{fifo}"), blocks)
    finally:
        os.close(fifo)
    return path
