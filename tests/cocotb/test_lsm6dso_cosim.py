"""The C LSM6DSO driver co-simulated with the RTL model (ctypes in a cocotb bridge thread, Icarus)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("cocotb_tools.runner", reason="cocotb is not installed (pip install 'cocotb>=2.1')")

from emulated_chip.lsm6dso import sim  # noqa: E402
from emulated_chip.lsm6dso.cosim import build_driver_library  # noqa: E402

pytestmark = [
    pytest.mark.skipif(shutil.which("iverilog") is None,
                       reason="Icarus Verilog is not installed (Debian: apt-get install iverilog)"),
    pytest.mark.skipif(shutil.which("cc") is None and shutil.which("gcc") is None,
                       reason="no C compiler to build the driver library"),
]


@pytest.mark.parametrize("master", ["python", "bfm"])
def test_driver_on_model(tmp_path: Path, master: str) -> None:
    """Init, FIFO reads of a 416 Hz stream, overrun recovery and bus errors, in simulated time."""
    lib = build_driver_library(tmp_path / "lib")
    sim.run(
        "emulated_chip.lsm6dso.cosim_tests",
        tmp_path / "sim",
        waves=os.environ.get("WAVES") == "1",
        extra_env={"LSM6DSO_DRIVER_LIB": str(lib), "LSM6DSO_FIFO_AW": str(sim.DEFAULT_FIFO_AW),
                   "LSM6DSO_COSIM_MASTER": master},
    )
