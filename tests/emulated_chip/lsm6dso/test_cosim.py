"""The C LSM6DSO driver co-simulated with the RTL model (ctypes in a cocotb bridge thread)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("cocotb_tools.runner", reason="cocotb is not installed (pip install 'cocotb>=2.1')")

from emulated_chip.lsm6dso import sim
from emulated_chip.lsm6dso.cosim import build_driver_library

pytestmark = pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                                reason="no C compiler to build the driver library")


@pytest.mark.parametrize(
    ("simulator", "master"),
    [("icarus", "python"), ("icarus", "bfm"), ("verilator", "bfm")],
    ids=["icarus-python-master", "icarus-bfm", "verilator-bfm"],
)
def test_driver_on_model(tmp_path: Path, simulator: str, master: str) -> None:
    """Init, FIFO reads of a 416 Hz stream, overrun recovery and bus errors, in simulated time."""
    missing = sim.simulator_missing(simulator)
    if missing:
        pytest.skip(missing)
    lib = build_driver_library(tmp_path / "lib")
    sim.run(
        "emulated_chip.lsm6dso.cosim_tests",
        tmp_path / "sim",
        simulator=simulator,
        waves=os.environ.get("WAVES") == "1",
        extra_env={"LSM6DSO_DRIVER_LIB": str(lib), "LSM6DSO_FIFO_AW": str(sim.DEFAULT_FIFO_AW),
                   "LSM6DSO_COSIM_MASTER": master},
    )
