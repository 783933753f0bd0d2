"""The coverage campaign, a short run: the counters of the host build turn into a report of what ran."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from rig.coverage_campaign import main

pytestmark = pytest.mark.skipif(shutil.which("gcovr") is None and not (Path(sys.executable).parent / "gcovr").exists(),
                                reason="gcovr not installed: pip install gcovr")


def test_one_scenario_reaches_the_analyzer_and_application(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sprint", "--html", str(tmp_path / "cov"), "--runs-dir", str(tmp_path / "runs")]) == 0
    out = capsys.readouterr().out
    assert "ok   sprint" in out and "coverage of the firmware by 1 scenarios (1 passed their checks)" in out
    summary = json.loads((tmp_path / "cov" / "summary.json").read_text())
    files = {f["filename"]: f for f in summary["files"]}
    assert files["gait/src/gait_detect.c"]["line_percent"] > 50  # a sprint detects strides
    assert files["src/app.c"]["line_covered"] > 0 and files["ports/host/main.c"]["line_covered"] > 0
    assert not any(name.startswith("ports/stm32f4") for name in files)
    page = (tmp_path / "cov" / "index.html").read_text()
    assert "gait_detect.c" in page and "coverage by the scenario catalog" in page
