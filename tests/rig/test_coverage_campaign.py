"""The coverage campaign, a short run: the counters of the host build turn into a report of what ran."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from rig import coverage_campaign
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


@pytest.mark.target("qemu")
def test_the_arm_image_under_qemu_shows_lines_run_and_never_run(rig_target: object, tmp_path: Path) -> None:
    from rig.arm_coverage import arm_report
    from rig.build import arm_elf
    from rig.symbolize import code_lines

    ran, code, passed = arm_report(["sprint"], tmp_path / "runs", tmp_path / "arm")
    assert passed == 1 and 0 < ran < code
    page = (tmp_path / "arm" / "index.html").read_text()
    assert "firmware_c/gait/src/gait_detect.c" in page and "firmware_c/ports/stm32f4/main.c" in page
    # the crash on purpose is in the image and never runs in a replay
    fault_lines = code_lines(arm_elf())["firmware_c/ports/stm32f4/main.c"]
    assert fault_lines and 'class="never"' in page
    cover = next((tmp_path / "runs").glob("*/pc_cover.txt")).read_text().split()
    assert cover and all(0x08000000 <= int(a, 16) < 0x08100000 for a in cover)


@pytest.mark.parametrize("argv, message", [
    (["--html", "", "standing"], "argument --html: an empty path; give the directory --html writes into"),
    (["--runs-dir", "", "standing"], "argument --runs-dir: an empty path"),
    (["--html", "a", "--html", "b"], "--html given twice (a and b): it takes one value"),
    (["nosuch"], "argument scenarios: 'nosuch' is no scenario of the catalog; choose from: brisk_walk"),
    # run twice and counted twice: 'coverage of the firmware by 2 scenarios (2 passed their checks)'
    (["standing", "standing"], "standing given twice; give each scenario once"),
])
def test_bad_arguments_are_refused_before_the_build(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                    message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """nox -s coverage -- --html '' ran the catalog and wrote gcovr's index.html, a page per source file and
    summary.json into the current directory; an unknown scenario was named only after the coverage build."""
    monkeypatch.setattr(coverage_campaign, "host_coverage_binary", lambda: pytest.fail("the build began"))
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_an_earlier_report_is_replaced_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # gcovr wrote its pages among the earlier campaign's: a page of a file no longer reported, and arm/ of a run
    # with --arm, stayed in DIR, read as this campaign's (gcovr stood in for: two campaigns share the counters)
    def report(binary: Path, html_dir: Path) -> dict[str, object]:
        (html_dir / "index.html").write_text("coverage by the scenario catalog")
        (html_dir / "summary.json").write_text("{}")
        return {}

    monkeypatch.setattr(coverage_campaign, "host_coverage_binary", lambda: tmp_path / "build" / "firmware")
    monkeypatch.setattr(coverage_campaign, "run_catalog", lambda names, runs_dir, binary: len(names))
    monkeypatch.setattr(coverage_campaign, "gcovr", report)
    cov = tmp_path / "cov"
    (cov / "arm").mkdir(parents=True)
    for name in ("index.html", "summary.json", "index.old_file.c.html", "arm/index.html"):
        (cov / name).write_text("earlier campaign")
    assert main(["standing", "--html", str(cov), "--runs-dir", str(tmp_path / "runs")]) == 0
    assert not (cov / "index.old_file.c.html").exists() and not (cov / "arm").exists()
    assert "coverage by the scenario catalog" in (cov / "index.html").read_text()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary directory left


def test_a_directory_of_other_files_is_refused_before_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coverage_campaign, "host_coverage_binary", lambda: pytest.fail("the build began"))
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(SystemExit) as exit_:
        main(["standing", "--html", str(tmp_path)])
    assert exit_.value.code == 2
    assert "holds 1 file(s) of no coverage report (notes.txt)" in capsys.readouterr().err
    assert (tmp_path / "notes.txt").read_text() == "mine"
