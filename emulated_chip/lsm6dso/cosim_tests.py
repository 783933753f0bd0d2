"""cocotb tests: the C driver, through ctypes in a bridge thread, on the RTL model.

The pytest entry (tests/emulated_chip/lsm6dso/test_cosim.py) builds the driver library and
passes its path in LSM6DSO_DRIVER_LIB. With LSM6DSO_BENCH_SECONDS set, the benchmark
test streams that many simulated seconds at 416 Hz and writes its figures as JSON to
LSM6DSO_BENCH_OUT. LSM6DSO_COSIM_MASTER picks the I2C master: python (default) or bfm.
"""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path
from typing import Any

import cocotb
from cocotb.simtime import get_sim_time
from cocotb.triggers import with_timeout

from emulated_chip.lsm6dso.cosim import CosimError, DriverCosim, power_on
from emulated_chip.lsm6dso.i2c_master import I2cNack
from emulated_chip.lsm6dso.regs import Reg
from emulated_chip.lsm6dso.samples import SampleSource, push_all, ramp_samples

FIFO_DEPTH = 1 << int(os.environ.get("LSM6DSO_FIFO_AW", "7"))
MASTER = os.environ.get("LSM6DSO_COSIM_MASTER", "python")
BENCH_SECONDS = float(os.environ.get("LSM6DSO_BENCH_SECONDS", "0"))


def library() -> Path:
    """The driver's shared library named by $LSM6DSO_DRIVER_LIB; raises RuntimeError when it is not set."""
    path = os.environ.get("LSM6DSO_DRIVER_LIB")
    if not path:
        raise RuntimeError("LSM6DSO_DRIVER_LIB must name the driver's shared library")
    return Path(path)


async def started(dut: Any) -> DriverCosim:
    """Power on the model and run lsm6dso_init() on it."""
    await power_on(dut)
    cosim = DriverCosim(dut, library(), MASTER)
    await cosim.run(lambda fw: fw.init())
    assert not cosim.bus_errors, cosim.bus_errors
    return cosim


@cocotb.test(timeout_time=5, timeout_unit="sec")
async def init_configures_the_model(dut: Any) -> None:
    """lsm6dso_init() leaves 416 Hz, +-16 g, +-2000 dps and the FIFO running, as read over I2C."""
    cosim = await started(dut)
    assert int(dut.odr_xl.value) == 0x6 and int(dut.odr_g.value) == 0x6
    assert int(dut.fs_xl.value) == 0b01 and int(dut.fs_g.value) == 0b110
    regs = await cosim.i2c.read_regs(0x6B, Reg.FIFO_CTRL1, 4)
    assert regs == bytes([32, 0, 0x66, 0x06])
    assert await cosim.i2c.read_regs(0x6B, Reg.CTRL3_C, 1) == bytes([0x44])


@cocotb.test(timeout_time=5, timeout_unit="sec")
async def driver_returns_fed_samples(dut: Any) -> None:
    """Samples fed at 416 Hz in simulated time come out of lsm6dso_fifo_read() exactly."""
    cosim = await started(dut)
    samples = ramp_samples(100)
    feeder = cocotb.start_soon(SampleSource(dut).stream(samples))
    got = await cosim.run(lambda fw: fw.collect(len(samples)))
    await with_timeout(feeder, 1, "sec")
    assert cosim.firmware.overflows == 0 and not cosim.bus_errors
    assert len(got) == len(samples)
    for k, (g, s) in enumerate(zip(got, samples)):
        assert g == s, f"sample {k}: fed {s}, driver returned {g}"
    assert cosim.firmware.dev.unpaired_words == 0 and cosim.firmware.dev.other_words == 0


@cocotb.test(timeout_time=5, timeout_unit="sec")
async def driver_reports_overrun_and_resumes(dut: Any) -> None:
    """A FIFO left to overflow gives -EOVERFLOW once; the stream then resumes cleanly."""
    cosim = await started(dut)
    source = SampleSource(dut)
    await push_all(source, ramp_samples(FIFO_DEPTH // 2 + 5))
    first = await cosim.run(lambda fw: fw.fifo_read(16))
    assert first == -errno.EOVERFLOW, f"expected -EOVERFLOW, got {first}"
    assert cosim.firmware.dev.overruns == 1
    fresh = ramp_samples(3, start=500)
    await push_all(source, fresh)
    again = await cosim.run(lambda fw: fw.fifo_read(16))
    assert again == fresh


@cocotb.test(timeout_time=5, timeout_unit="sec")
async def bus_failure_becomes_errno(dut: Any) -> None:
    """With the part held in reset nobody ACKs: init fails with -ENXIO, no exception crosses C."""
    await power_on(dut)
    dut.rst_n.value = 0
    cosim = DriverCosim(dut, library(), MASTER)
    try:
        await cosim.run(lambda fw: fw.init())
    except CosimError as exc:
        assert "ENXIO" in str(exc), str(exc)
    else:
        raise AssertionError("lsm6dso_init succeeded with no device on the bus")
    assert cosim.bus_errors and isinstance(cosim.bus_errors[0], I2cNack)


@cocotb.test(skip=BENCH_SECONDS <= 0, timeout_time=3600, timeout_unit="sec")
async def benchmark(dut: Any) -> None:
    """Stream BENCH_SECONDS of 416 Hz samples through the driver; record simulated s per wall s."""
    cosim = await started(dut)
    count = round(BENCH_SECONDS * 416)
    samples = ramp_samples(count)
    wall0, sim0 = time.perf_counter(), get_sim_time("sec")
    feeder = cocotb.start_soon(SampleSource(dut).stream(samples))
    got = await cosim.run(lambda fw: fw.collect(count, limit_ms=BENCH_SECONDS * 1000 + 1000))
    await with_timeout(feeder, 1, "sec")
    wall = time.perf_counter() - wall0
    sim = get_sim_time("sec") - sim0
    assert got == samples
    figures = {
        "simulator": cocotb.SIM_NAME,
        "master": MASTER,
        "samples": count,
        "simulated_s": sim,
        "wall_s": wall,
        "sim_s_per_wall_s": sim / wall,
        "i2c_bytes": cosim.i2c.bytes_transferred,
    }
    out = os.environ.get("LSM6DSO_BENCH_OUT")
    if out:
        Path(out).write_text(json.dumps(figures, indent=2))
    dut._log.info("benchmark: %s", figures)
