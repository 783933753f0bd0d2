"""Run one co-simulation of the cocotb target: ``python -m rig.targets.cocotb_launch SETTINGS.json``.

The target starts this in a process group of its own (so a hung simulation can be
killed whole) with stdout and stderr on the run's ``target.log``. It hands the settings
to cocotb's runner, which starts the simulator on the already built model with
:mod:`rig.targets.cocotb_tb` as the test module. Exit status 0 when the test passed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cocotb_tools.runner import get_runner

from emulated_chip.lsm6dso import HDL_TOPLEVEL
from emulated_chip.lsm6dso.sim import failures
from rig.targets.cocotb_tb import CONFIG_ENV

#: The testbench module the simulator imports.
TEST_MODULE = "rig.targets.cocotb_tb"


def main(argv: list[str]) -> int:
    """Run the simulation described by the settings file argv[0]; 0 when its test passed."""
    if len(argv) != 1:
        print("usage: python -m rig.targets.cocotb_launch SETTINGS.json", file=sys.stderr)
        return 2
    settings_path = Path(argv[0]).resolve()
    settings = json.loads(settings_path.read_text())
    run_dir = Path(settings["run_dir"])
    results = Path(settings["results"])
    plusargs = [f"+dumpfile_path={run_dir / settings['trace_name']}"] if settings["waves"] else []
    runner = get_runner(settings["simulator"])
    try:
        runner.test(
            test_module=TEST_MODULE,
            hdl_toplevel=HDL_TOPLEVEL,
            hdl_toplevel_lang="verilog",
            build_dir=settings["build_dir"],
            test_dir=run_dir,
            results_xml=str(results),
            waves=bool(settings["waves"]),
            plusargs=plusargs,
            extra_env={CONFIG_ENV: str(settings_path)},
            timescale=("1ns", "1ps"),
        )
    except SystemExit as exc:  # the runner exits when the simulator fails
        print(f"cocotb_launch: the simulator ended with {exc.code!r}", file=sys.stderr)
        return 1
    if not results.is_file():
        print(f"cocotb_launch: no results file {results}: the simulator ended abnormally", file=sys.stderr)
        return 1
    bad = failures(results)
    for line in bad:
        print(f"cocotb_launch: FAILED {line}", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
