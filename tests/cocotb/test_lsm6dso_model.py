"""The LSM6DSO RTL model against the datasheet: cocotb tests run on Icarus Verilog.

WAVES=1 in the environment also writes an FST trace beside the simulator log.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

pytest.importorskip("cocotb_tools.runner", reason="cocotb is not installed (pip install 'cocotb>=2.1')")

from emulated_chip.lsm6dso import sim  # noqa: E402

pytestmark = pytest.mark.skipif(
    shutil.which("iverilog") is None,
    reason="Icarus Verilog is not installed (Debian: apt-get install iverilog)",
)


@pytest.mark.parametrize("fifo_aw", [5, sim.DEFAULT_FIFO_AW], ids=["fifo32", "fifo128"])
def test_model_on_icarus(tmp_path: Path, fifo_aw: int) -> None:
    """Every cocotb test of the model passes, for a small and the default FIFO depth."""
    waves = os.environ.get("WAVES") == "1"
    sim.run(
        "emulated_chip.lsm6dso.rtl_tests",
        tmp_path / "sim",
        fifo_aw=fifo_aw,
        waves=waves,
        extra_env={"LSM6DSO_FIFO_AW": str(fifo_aw)},
    )
