"""Smoke run of the sanitizer campaign: a scenario on the host firmware built with ASan and UBSan
passes its checks with no sanitizer report. `nox -s sanitizers` runs the whole catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.build import host_sanitized_binary
from rig.errors import RigError
from rig import sanitizer_campaign
from rig.sanitizer_campaign import main, run_scenario_sanitized, sanitizer_reports

pytestmark = pytest.mark.target("host")


def test_a_scenario_runs_clean_under_asan_and_ubsan(tmp_path: Path) -> None:
    ok, reports, how = run_scenario_sanitized("sprint", tmp_path, host_sanitized_binary())
    assert ok, how
    assert reports == []
    logs = list(tmp_path.glob("*/target.log"))
    assert len(logs) == 1


def test_sanitizer_reports_are_found(tmp_path: Path) -> None:
    log = tmp_path / "target.log"
    log.write_text("hello\n==12==ERROR: AddressSanitizer: stack-buffer-overflow on address 0x1\n"
                   "gait.c:10:5: runtime error: signed integer overflow\nbye\n")
    assert len(sanitizer_reports(log)) == 2
    assert sanitizer_reports(tmp_path / "missing.log") == []


@pytest.mark.parametrize("argv, message", [
    (["nosuch"], "argument scenarios: 'nosuch' is no scenario of the catalog; choose from: brisk_walk"),
    (["--runs-dir", ""], "argument --runs-dir: an empty path"),
    # run twice and counted twice: '2 scenarios ... 2 passed their checks'
    (["walk", "sprint", "walk"], "walk given twice; give each scenario once"),
])
def test_bad_arguments_are_refused_before_the_build(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                    message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """nox -s sanitizers -- nosuch built the sanitized firmware, then ended in an UnknownScenarioError traceback."""
    monkeypatch.setattr(sanitizer_campaign, "host_sanitized_binary", lambda: pytest.fail("the build began"))
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_build_that_fails_is_said_not_a_traceback(capsys: pytest.CaptureFixture[str],
                                                    monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A read-only checkout (mkdir build/host-san: Read-only file system) or a compiler without ASan ended the
    campaign in a RigError traceback."""
    def fail() -> Path:
        raise RigError("building the native firmware under ASan/UBSan failed: `make -s -C firmware_c host-san` "
                       "exited 2\nmkdir: cannot create directory 'build/host-san': Read-only file system")

    monkeypatch.setattr(sanitizer_campaign, "host_sanitized_binary", fail)
    assert main(["walk", "--runs-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m rig.sanitizer_campaign: error: building the native firmware") and "Read-only" in err
