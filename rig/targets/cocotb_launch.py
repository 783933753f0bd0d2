"""Build the cocotb target's simulation, or run one co-simulation, in a process of its own.

    python -m rig.targets.cocotb_launch build --simulator icarus --build-dir DIR --fifo-aw 9 [--waves]
    python -m rig.targets.cocotb_launch run SETTINGS.json

The target runs both as child processes so that every wait has a timeout and a hung
build or simulation can be killed whole (``run`` gets a process group of its own, its
stdout and stderr on the run's ``target.log``). ``build`` compiles the model with
cocotb's runner (its log is ``build.log`` in the build directory); ``run`` hands the
settings to the runner, which starts the simulator on the built model with
:mod:`emulated_chip.lsm6dso.firmware_tb` as the test module. Exit status 0 on success, 1 on a
failure (said on stderr), 2 on bad arguments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
from pathlib import Path

# cocotb is an optional dependency (the `cocotb` extra); this module runs only as the
# cocotb target's child process, which the target starts once cocotb is known to be here.
from cocotb_tools.runner import get_runner

from emulated_chip.lsm6dso import HDL_TOPLEVEL, firmware_tb, sim
from emulated_chip.lsm6dso.firmware_tb import CONFIG_ENV
from emulated_chip.lsm6dso.simulators import failures

#: The testbench module the simulator imports.
TEST_MODULE = firmware_tb.__name__


def build(simulator: str, build_dir: Path, fifo_aw: int, waves: bool) -> int:
    """Compile the model and its board wrapper for simulator into build_dir; 0 on success."""
    try:
        sim.build(build_dir, simulator=simulator, fifo_aw=fifo_aw, waves=waves)
    except (RuntimeError, ValueError, OSError) as exc:
        print(f"cocotb_launch: building for {simulator} failed: {exc}", file=sys.stderr)
        return 1
    except SystemExit as exc:  # the runner exits when the simulator's tools are missing
        print(f"cocotb_launch: building for {simulator} failed: {exc.code}", file=sys.stderr)
        return 1
    return 0


def run(settings_path: Path) -> int:
    """Run the simulation the settings file describes; 0 when its test passed."""
    settings = json.loads(settings_path.read_text())
    run_dir = Path(settings["run_dir"])
    results = Path(settings["results"])
    plusargs = [f"+dumpfile_path={run_dir / settings['trace_name']}"] if settings["waves"] else []
    if settings.get("player_file"):
        plusargs.append(f"+stridelab_samples={settings['player_file']}")
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
    except RuntimeError as exc:  # the runner's 'Command failed with return code: -9' (a simulator killed, crashed)
        print(f"cocotb_launch: the simulator failed: {exc}{_by_signal(str(exc))}", file=sys.stderr)
        return 1
    if not results.is_file():
        print(f"cocotb_launch: no results file {results}: the simulator ended abnormally", file=sys.stderr)
        return 1
    bad = failures(results)
    for line in bad:
        print(f"cocotb_launch: FAILED {line}", file=sys.stderr)
    return 1 if bad else 0


def _by_signal(message: str) -> str:
    """' (killed by SIGKILL)' for a runner's message that ends in a negative return code, else ''."""
    code = message.rsplit(":", 1)[-1].strip()
    if code.startswith("-") and code[1:].isdigit():
        with contextlib.suppress(ValueError):
            return f" (killed by {signal.Signals(int(code[1:])).name})"
    return ""


def main(argv: list[str]) -> int:
    """Parse argv and build or run."""
    parser = argparse.ArgumentParser(prog="python -m rig.targets.cocotb_launch", description=__doc__.split("\n\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="compile the model for a simulator")
    b.add_argument("--simulator", required=True)
    b.add_argument("--build-dir", type=Path, required=True)
    b.add_argument("--fifo-aw", type=int, required=True, help="FIFO depth as log2 of words")
    b.add_argument("--waves", action="store_true", help="build with tracing")
    r = sub.add_parser("run", help="run one co-simulation")
    r.add_argument("settings", type=Path, help="the run's settings file (written by the cocotb target)")
    args = parser.parse_args(argv)
    if args.command == "build":
        return build(args.simulator, args.build_dir.resolve(), args.fifo_aw, args.waves)
    return run(args.settings.resolve())


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
