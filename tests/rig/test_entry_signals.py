"""A signal while `rig` is still loading, or after its command has finished, ends it with no traceback."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
