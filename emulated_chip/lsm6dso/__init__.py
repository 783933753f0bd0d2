"""LSM6DSO RTL model for cocotb: Verilog sources, bus masters, sample source and co-simulation.

The Verilog lives in ``hdl/``; :data:`HDL_SOURCES` lists it in build order and
:data:`HDL_TOPLEVEL` names the board-level wrapper that cocotb drives.
"""

from __future__ import annotations

from pathlib import Path

#: Directory of the Verilog sources.
HDL_DIR: Path = Path(__file__).resolve().parent / "hdl"
#: Sources of the model, the testbench I2C master, the sample player and the board wrapper, in build order.
HDL_SOURCES: tuple[Path, ...] = (HDL_DIR / "lsm6dso.v", HDL_DIR / "i2c_master_bfm.v", HDL_DIR / "sample_player.v",
                                 HDL_DIR / "lsm6dso_tb.v")
#: Toplevel module: the chip on an I2C bus with pull-ups, SA0 high, plus the SPI pins.
HDL_TOPLEVEL: str = "lsm6dso_tb"

__all__ = ["HDL_DIR", "HDL_SOURCES", "HDL_TOPLEVEL"]
