"""Build the LSM6DSO model and run cocotb test modules on it with cocotb's Python runner."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from cocotb_tools.runner import Runner, get_runner

from emulated_chip.lsm6dso import HDL_SOURCES, HDL_TOPLEVEL
from emulated_chip.lsm6dso.simulators import SIMULATORS, failures, find_verilator, get_simulator, simulator_missing

__all__ = ["SIMULATORS", "SimulationFailed", "build", "failures", "run", "simulator_missing"]

#: Default FIFO depth of the model, as log2 of words (the real part has 512 words: 9).
DEFAULT_FIFO_AW: int = 7
#: The repository root: test modules are imported from it inside the simulator.
REPO_ROOT: Path = Path(__file__).resolve().parents[2]


class SimulationFailed(AssertionError):
    """A cocotb run reported failing tests or ended abnormally."""


def build(build_dir: Path, simulator: str = "icarus", fifo_aw: int = DEFAULT_FIFO_AW,
          waves: bool = False) -> Runner:
    """Compile the model and its board wrapper into build_dir; return the runner to test with."""
    sim = get_simulator(simulator)
    missing = sim.missing()
    if missing:
        raise RuntimeError(missing)
    if simulator == "verilator":
        bin_dir = find_verilator()
        if bin_dir is not None and shutil.which("verilator") is None:
            os.environ["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    runner = get_runner(simulator)
    runner.build(
        sources=list(HDL_SOURCES),
        hdl_toplevel=HDL_TOPLEVEL,
        build_dir=build_dir,
        parameters={"FIFO_AW": fifo_aw},
        build_args=sim.build_args(waves),
        timescale=("1ns", "1ps"),
        waves=waves,
        always=True,
        log_file=build_dir / "build.log",
    )
    return runner


def run(test_module: str, build_dir: Path, simulator: str = "icarus",
        fifo_aw: int = DEFAULT_FIFO_AW, waves: bool = False, testcase: str | Sequence[str] | None = None,
        extra_env: Mapping[str, str] | None = None) -> Path:
    """Build the model, run a cocotb test module on it, and raise on any failure.

    Args:
        test_module: dotted name of the cocotb test module, importable from the repository root.
        build_dir: where the simulator's build, log, results and waves go.
        simulator: one of :data:`SIMULATORS`.
        fifo_aw: FIFO depth of the model as log2 of words.
        waves: write an FST trace (``lsm6dso_tb.fst`` in build_dir) for GTKWave or Surfer.
        testcase: run only these test functions.
        extra_env: environment for the test module (e.g. parameters of a benchmark).

    Returns:
        The results file.

    Raises:
        SimulationFailed: with the failing tests' messages and the path of the full log.
    """
    build_dir = Path(build_dir).resolve()
    build_dir.mkdir(parents=True, exist_ok=True)
    if str(REPO_ROOT) not in sys.path:
        # the runner hands this process's sys.path to the simulator's Python
        sys.path.insert(0, str(REPO_ROOT))
    runner = build(build_dir, simulator=simulator, fifo_aw=fifo_aw, waves=waves)
    log = build_dir / "sim.log"
    results = build_dir / "results.xml"
    try:
        runner.test(
            test_module=test_module,
            hdl_toplevel=HDL_TOPLEVEL,
            build_dir=build_dir,
            testcase=testcase,
            waves=waves,
            extra_env=dict(extra_env or {}),
            results_xml=str(results),
            log_file=log,
        )
    except SystemExit as exc:  # the runner exits when a test fails under pytest
        bad = failures(results) if results.is_file() else ["no results file: the simulator ended abnormally"]
        raise SimulationFailed(
            f"{len(bad)} cocotb failure(s) in {test_module}:\n  " + "\n  ".join(bad) + f"\nfull log: {log}"
        ) from exc
    bad = failures(results) if results.is_file() else ["no results file: the simulator ended abnormally"]
    if bad:
        raise SimulationFailed(
            f"{len(bad)} cocotb failure(s) in {test_module}:\n  " + "\n  ".join(bad) + f"\nfull log: {log}"
        )
    return results
