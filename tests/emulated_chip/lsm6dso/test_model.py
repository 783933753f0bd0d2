"""The LSM6DSO RTL model against the datasheet: cocotb tests on Icarus Verilog (and Verilator if present).

WAVES=1 in the environment also writes an FST trace beside the simulator log.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("cocotb_tools.runner", reason="cocotb is not installed (pip install 'cocotb>=2.1')")

from emulated_chip.lsm6dso import sim


@pytest.mark.parametrize(
    ("simulator", "fifo_aw"),
    [("icarus", 5), ("icarus", sim.DEFAULT_FIFO_AW), ("verilator", sim.DEFAULT_FIFO_AW)],
    ids=["icarus-fifo32", "icarus-fifo128", "verilator-fifo128"],
)
def test_model(tmp_path: Path, simulator: str, fifo_aw: int) -> None:
    """Every cocotb test of the model passes, for a small and the default FIFO depth."""
    missing = sim.simulator_missing(simulator)
    if missing:
        pytest.skip(missing)
    waves = os.environ.get("WAVES") == "1"
    sim.run(
        "emulated_chip.lsm6dso.rtl_tests",
        tmp_path / "sim",
        simulator=simulator,
        fifo_aw=fifo_aw,
        waves=waves,
        extra_env={"LSM6DSO_FIFO_AW": str(fifo_aw)},
    )
