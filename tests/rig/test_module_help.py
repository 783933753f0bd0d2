"""`python -m TOOL --help` of every tool the rig and the frame spec ship: its description is the
docstring's first paragraph, whole (it was the first line of it, cut mid-sentence)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

TOOLS = ["rig.uart_line", "rig.linkbench", "rig.board_stand", "rig.coverage_campaign", "rig.farm_lab", "rig.speed",
         "rig.targets.cocotb_launch", "rig.ble.phone", "rig.fault_campaign", "rig.sanitizer_campaign", "rig.explore",
         "frame_spec.cgen", "frame_spec.golden", "frame_spec.rscs_golden", "emulated_chip.lsm6dso.bench",
         "scenarios.landmarks"]  # --help was taken for a scenario's name: "unknown scenario '--help'", exit 2


@pytest.mark.parametrize("tool", TOOLS)
def test_help_describes_the_tool_in_whole_sentences(tool: str) -> None:
    proc = subprocess.run([sys.executable, "-m", tool, "--help"], cwd=REPO, capture_output=True, text=True, timeout=60)
    if proc.returncode != 0 and "ModuleNotFoundError" in proc.stderr:
        pytest.skip(f"{tool} needs an optional extra: {proc.stderr.strip().splitlines()[-1]}")
    assert proc.returncode == 0, proc.stderr
    description = " ".join(proc.stdout.split("\n\n")[1].split())
    assert description.endswith("."), description
