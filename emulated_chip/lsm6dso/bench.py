"""Speed of the co-simulation: simulated seconds per wall second for a 416 Hz stream.

    python -m emulated_chip.lsm6dso.bench --seconds 10 [--simulator icarus|verilator]
        [--master python|bfm] [--build-dir DIR]

The C driver reads the model's FIFO over bit-level I2C at 400 kHz as the firmware
would (INT1 watermark of 16 samples, 16-word bursts); the figure is printed, not judged.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from emulated_chip.lsm6dso import sim
from emulated_chip.lsm6dso.cosim import MASTERS, build_driver_library


def measure(seconds: float, simulator: str, master: str, build_dir: Path) -> dict[str, Any]:
    """Run the benchmark cocotb test; return its figures plus the total wall time."""
    lib = build_driver_library(build_dir / "lib")
    out = build_dir / "bench.json"
    t0 = time.perf_counter()
    sim.run(
        "emulated_chip.lsm6dso.cosim_tests",
        build_dir / f"{simulator}-{master}",
        simulator=simulator,
        testcase="benchmark",
        extra_env={
            "LSM6DSO_DRIVER_LIB": str(lib),
            "LSM6DSO_BENCH_SECONDS": str(seconds),
            "LSM6DSO_BENCH_OUT": str(out),
            "LSM6DSO_COSIM_MASTER": master,
        },
    )
    figures = json.loads(out.read_text())
    figures["total_wall_s_with_build"] = time.perf_counter() - t0
    return figures


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: stream --seconds of simulated 416 Hz samples through the driver, print the speed; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="simulated seconds to stream")
    parser.add_argument("--simulator", choices=sim.SIMULATORS, default="icarus")
    parser.add_argument("--master", choices=MASTERS, default="bfm", help="I2C master (default bfm)")
    parser.add_argument("--build-dir", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args(argv)
    if args.build_dir is not None:
        figures = measure(args.seconds, args.simulator, args.master, args.build_dir.resolve())
    else:
        with tempfile.TemporaryDirectory(prefix="lsm6dso-bench-") as tmp:
            figures = measure(args.seconds, args.simulator, args.master, Path(tmp))
    print(f"{figures['simulator']}, {figures['master']} I2C master: {figures['samples']} samples at 416 Hz, "
          f"{figures['simulated_s']:.2f} s simulated in {figures['wall_s']:.2f} s wall "
          f"= {figures['sim_s_per_wall_s']:.3f} simulated s per wall s "
          f"({figures['i2c_bytes']} I2C bytes; 60 s scenario ~ {60 / figures['sim_s_per_wall_s']:.0f} s wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
