"""A signal while `rig` is still loading, or after its command has finished, ends it with no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from rig.cli import main

# Runs `python -m rig list` with a stop signal sent to itself at a chosen moment.
_DURING_LOAD = """
import importlib.abc, os, runpy, signal, sys

class SignalOnLoad(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "rig.cli":
            os.kill(os.getpid(), signal.{sig})  # while the command's modules load
        return None

sys.meta_path.insert(0, SignalOnLoad())
sys.argv = ["rig", "list"]
runpy.run_module("rig", run_name="__main__")
"""

_AFTER_THE_COMMAND = """
import os, runpy, signal, sys, time
import rig.entry

command = rig.entry.main

def main_then_signal():
    status = command()
    os.kill(os.getpid(), signal.SIGTERM)  # the command is done, the interpreter not yet gone
    time.sleep(0.2)
    return status

rig.entry.main = main_then_signal
sys.argv = ["rig", "list"]
runpy.run_module("rig", run_name="__main__")
"""

# The signal comes the moment the command has returned, before rig.entry has taken the signals back:
# they were set to their defaults there, so a SIGTERM killed the process with status 143, no word, and
# the command's buffered output (its PASS line, when stdout is a file) lost.
_AS_THE_COMMAND_RETURNS = """
import os, runpy, signal, sys
import rig.cli

command = rig.cli.main

def main_then_signal(*args, **kwargs):
    status = command(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
    return status

rig.cli.main = main_then_signal
sys.argv = ["rig", "list"]
runpy.run_module("rig", run_name="__main__")
"""


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)


def test_ctrl_c_while_loading_exits_130_without_a_traceback() -> None:
    proc = _run(_DURING_LOAD.format(sig="SIGINT"))
    assert proc.returncode == 130, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "ended by SIGINT while starting" in proc.stderr


def test_sigterm_while_loading_exits_143_and_says_so() -> None:
    proc = _run(_DURING_LOAD.format(sig="SIGTERM"))
    assert proc.returncode == 143, proc.stderr[-2000:]
    assert "ended by SIGTERM while starting" in proc.stderr


def test_a_signal_after_the_command_finished_keeps_its_status() -> None:
    proc = _run(_AFTER_THE_COMMAND)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "scenarios (30)" in proc.stdout



def test_a_signal_as_the_command_returns_keeps_its_status_and_output() -> None:
    proc = _run(_AS_THE_COMMAND_RETURNS)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "scenarios (30)" in proc.stdout


# A command that a Ctrl-C ends while it runs, and that gets a second Ctrl-C and a SIGTERM while
# it stops its target (a user pressing Ctrl-C again, CI's timeout sending SIGTERM after it).
_SIGNALS_DURING_THE_CLEAN_UP = """
import os, signal, sys, time
from pathlib import Path
import rig.cli as cli

def command(args):
    run_dir = cli.new_run_dir(Path(sys.argv[1]), "walk", "host")
    try:
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(5)
    finally:  # stopping the target
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        (run_dir / "target.txt").write_text("stopped")
    return 0

cli.cmd_list = command
sys.exit(cli.main(["list"]))
"""


def test_ctrl_c_twice_neither_cuts_the_clean_up_short_nor_ends_silently(tmp_path: Path) -> None:
    """A Ctrl-C ended `rig run` with exit 130 and not a word (SIGTERM said 'ended by SIGTERM'), and a
    second Ctrl-C while the target was being stopped cut that short: no target.txt, the target's stop
    abandoned half-way."""
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(_SIGNALS_DURING_THE_CLEAN_UP), str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 130, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    (run_dir,) = tmp_path.iterdir()
    assert (run_dir / "target.txt").read_text() == "stopped"
    assert f"rig list: ended by SIGINT; the target was stopped; captures so far in {run_dir}" in proc.stderr


def test_a_command_that_started_no_run_says_no_target_was_running(tmp_path: Path) -> None:
    code = _SIGNALS_DURING_THE_CLEAN_UP.replace('run_dir = cli.new_run_dir(Path(sys.argv[1]), "walk", "host")',
                                                'run_dir = Path(sys.argv[1])')
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code), str(tmp_path)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 130 and "rig list: ended by SIGINT; no target was running" in proc.stderr, proc.stderr


def test_the_command_run_in_process_gives_back_the_handlers_it_found(capsys: pytest.CaptureFixture[str]) -> None:
    """rig.cli.main called in-process (as tests do) left SIGTERM and SIGHUP at SIG_DFL and SIGINT at Python's
    default: the pytest session's own handlers (rig.pytest_signals) were gone for the rest of that worker, so
    a SIGTERM passed on to it killed it outright, its target and its report row left behind."""
    def mine(signum: int, frame: object) -> None:
        raise AssertionError("not to be called")

    before = {sig: signal.signal(sig, mine) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        assert main(["list"]) == 0
        assert all(signal.getsignal(sig) is mine for sig in before)
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    assert "scenarios (" in capsys.readouterr().out
