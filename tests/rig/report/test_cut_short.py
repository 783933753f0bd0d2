"""A run a signal cuts short stays in its report, marked cut short (it was left out of every page)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# `rig run` with --report whose run (or whose row's plot) is ended by a signal: the run is replaced by
# one that signals the process as it runs, so the test takes no target's time.
_CUT_SHORT = """
import os, signal, sys, time
from pathlib import Path
import rig.cli as cli
import rig.report.plots as plots

def cut_short(*args, **kwargs):
    os.kill(os.getpid(), signal.{sig})
    time.sleep(5)

if sys.argv[3] == "run":
    cli.run_scenario = cut_short
else:
    plots.plot_run = cut_short
sys.exit(cli.main(["run", "standing", "--target", "host", "--report", sys.argv[1], "--runs-dir", sys.argv[2]]))
"""


@pytest.mark.parametrize(("sig", "status", "during"), [("SIGTERM", 143, "run"), ("SIGINT", 130, "run"),
                                                        ("SIGHUP", 129, "plot")])
def test_a_run_a_signal_cuts_short_is_listed_as_cut_short(tmp_path: Path, sig: str, status: int, during: str) -> None:
    """rig run --report: a SIGTERM while a run (or its report row's plot) was under way left the run out
    of index.html, junit.xml and summary.md: the report said 0 runs, as if nothing had been tried."""
    if during == "plot":
        pytest.importorskip("matplotlib")
    report, runs = tmp_path / "report", tmp_path / "runs"
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(_CUT_SHORT.format(sig=sig)), str(report), str(runs),
                           during], capture_output=True, text=True, timeout=120)
    assert proc.returncode == status, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "(1 runs;" in proc.stderr
    page = (report / "index.html").read_text()
    assert f"CUT SHORT by {sig}" in page and "standing" in page and "1 did not complete (1 cut short by a signal)" in page
    assert f"| standing on host | cut short by {sig} | cut short by {sig} after " in (report / "summary.md").read_text()
    assert 'type="CutShort"' in (report / "junit.xml").read_text()
    (entry,) = (report / "entries").glob("*.json")
    doc = json.loads(entry.read_text())
    assert doc["verdict"] == "error" and doc["cut_short"] == sig and doc["run_dir"]


# `rig run --report` whose rig is SIGKILLed in its run (as the OOM killer would): no finally, no atexit.
_KILLED = """
import os, signal, sys
import rig.cli as cli

def killed(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)

cli.run_scenario = killed
sys.exit(cli.main(["run", "standing", "--target", "host", "--report", sys.argv[1], "--runs-dir", sys.argv[2]]))
"""


def test_a_rig_run_killed_in_its_run_leaves_the_run_in_its_report(tmp_path: Path) -> None:
    """rig run --report wrote a run's row only when the run had ended: a rig SIGKILLed in the run (the OOM
    killer) left no trace of it in the report, where pytest's run_scenario leaves an under-way row."""
    from rig.report.directory import load_entries, summary_markdown

    report, runs = tmp_path / "report", tmp_path / "runs"
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(_KILLED), str(report), str(runs)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr[-2000:]
    (entry,) = (report / "entries").glob("*.json")
    doc = json.loads(entry.read_text())
    assert doc["verdict"] == "error" and doc["under_way"] and doc["scenario"] == "standing"
    assert "the process running it died" in doc["failures"][0]
    assert "never ended" in summary_markdown(load_entries([report]), "report")
