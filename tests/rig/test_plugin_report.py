"""The plugin's --report and --shard, through pytester: a user's own scenario test in a report."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]


@pytest.mark.target("host")
def test_report_of_a_scenario_test(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(
        """
        def test_sprint(run_scenario):
            run = run_scenario("sprint")
            assert run.report.passed
        """
    )
    report = tmp_path / "report"
    result = pytester.runpytest("--target", "host", "--report", str(report), "--runs-dir", str(tmp_path / "runs"))
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"stridelab report: {report}/index.html*"])
    rows = ET.parse(report / "junit.xml").getroot()
    case = next(rows.iter("testcase"))
    assert (case.get("classname"), case.get("name")) == ("host.scenarios", "sprint")
    own = ET.parse(report / "pytest-junit-host.xml").getroot()  # pytest's own JUnit, figures as properties
    props = {p.get("name"): p.get("value") for p in own.iter("property")}
    assert props["scenario"] == "sprint" and props["recall"] == "1" and props["command"].endswith("--seed 4")
    assert next(own.iter("testcase")).get("classname", "").startswith("host.")
    entry = json.loads((report / "entries" / "host--sprint.json").read_text())
    assert entry["nodeid"] == "test_report_of_a_scenario_test.py::test_sprint" and entry["verdict"] == "passed"
    assert (report / entry["plot"]).is_file() and (report / entry["run_dir"] / "rx.bin").is_file()


def test_shards_split_the_collected_tests(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.parametrize("name", ["run_30min", "fatigue_run", "sprint", "walk", "standing"])
        def test_scenario(name):
            pass

        def test_other():
            pass
        """
    )
    durations = tmp_path / "durations.json"
    durations.write_text(json.dumps({"host::run_30min": 100.0, "host::fatigue_run": 40.0, "host::sprint": 5.0}))
    seen = []
    for k in (1, 2, 3):
        result = pytester.runpytest("--shard", f"{k}/3", "--shard-durations", str(durations), "-v")
        seen.append({line.split("::")[1].split(" ")[0] for line in result.outlines if " PASSED" in line})
    assert seen[0] == {"test_scenario[run_30min]"}
    assert seen[1] == {"test_scenario[fatigue_run]"}
    assert set().union(*seen) == {f"test_scenario[{n}]" for n in ("run_30min", "fatigue_run", "sprint", "walk",
                                                                   "standing")} | {"test_other"}
    assert sum(len(s) for s in seen) == 6


def test_bad_shard_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("def test_a(): pass")
    result = pytester.runpytest("--shard", "4/3")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--shard '4/3': give K/N with 1 <= K <= N*"])


@pytest.mark.target("host")
def test_a_rerun_that_passes_is_reported_as_retried(pytester: pytest.Pytester, tmp_path: Path) -> None:
    pytester.makepyfile(
        """
        import rig.assertions
        import rig.runner
        from rig.goals import AccuracyGoal

        attempts = []

        def test_sprint(run_scenario, monkeypatch):
            attempts.append(1)
            if len(attempts) == 1:  # the first attempt is judged against an IC limit no run meets
                strict = (AccuracyGoal("run", "ic_mae_ms", 0.0, "lower", "ms", "per run"),)
                monkeypatch.setattr(rig.runner, "check_result", lambda r, t: rig.assertions.check_result(r, t, strict))
            assert run_scenario("sprint").report.passed
        """
    )
    report = tmp_path / "report"
    result = pytester.runpytest("--target", "host", "--report", str(report), "--runs-dir", str(tmp_path / "runs"),
                                "--reruns", "1")
    # (pytest's 'module already imported so cannot be rewritten' warnings come with an editable install's finder)
    outcomes = {k: v for k, v in result.parseoutcomes().items() if k != "warnings"}
    assert outcomes == {"passed": 1, "rerun": 1}, result.stdout.str()[-2000:]
    entry = json.loads((report / "entries" / "host--sprint.json").read_text())
    assert entry["verdict"] == "passed" and entry["retried"][0]["verdict"] == "failed"
    assert "ic_mae_ms" in entry["retried"][0]["message"]
    assert "PASSED after 1 failed attempt(s)" in (report / "index.html").read_text()
    props = {p.get("name"): p.get("value") for p in ET.parse(report / "pytest-junit-host.xml").getroot().iter("property")}
    assert props["retried"] == "1 failed attempt(s) before"


def test_a_report_that_cannot_be_written_is_said_not_a_traceback(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """An entry cut short in the --report directory (a run killed while writing it, a full disk) ended the
    session in a 60-line traceback of the plugin's pytest_sessionfinish, exit 1."""
    report = tmp_path / "report"
    (report / "entries").mkdir(parents=True)
    (report / "entries" / "host--walk.json").write_text('{"scenario": "walk", "tar')
    pytester.makepyfile("def test_a(): pass")
    result = pytester.runpytest_subprocess("--report", str(report))
    assert result.ret == pytest.ExitCode.INTERNAL_ERROR
    result.stdout.fnmatch_lines([f"stridelab report: not written: {report}/entries/host--walk.json: not a report "
                                 "entry (Unterminated string*"])
    assert "Traceback" not in result.stdout.str() + result.stderr.str()


@pytest.mark.target("host")
def test_a_run_a_signal_cuts_short_stays_in_the_report(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """pytest --report: a run that SIGTERM (or Ctrl-C) cut short was left out of every page."""
    pytester.makepyfile(
        """
        import signal
        import rig.pytest_plugin as plugin
        from rig.pytest_signals import SessionSignal

        def test_cut(run_scenario, monkeypatch):
            def cut_short(*args, **kwargs):
                raise SessionSignal(signal.SIGTERM)
            monkeypatch.setattr(plugin, "run_scenario", cut_short)
            run_scenario("standing")
        """
    )
    report = tmp_path / "report"
    result = pytester.runpytest_subprocess("--target", "host", "--report", str(report), "--runs-dir",
                                           str(tmp_path / "runs"), "-p", "no:cacheprovider")
    assert result.ret == 2
    page = (report / "index.html").read_text()
    assert "CUT SHORT by SIGTERM" in page and "standing" in page
    entry = json.loads((report / "entries" / "host--standing.json").read_text())
    assert entry["cut_short"] == "SIGTERM" and entry["nodeid"].endswith("::test_cut")


@pytest.mark.target("host")
def test_two_tests_of_one_scenario_are_two_rows(pytester: pytest.Pytester, tmp_path: Path) -> None:
    """Two tests running the same scenario: the second was reported as a retry of the first."""
    pytester.makepyfile(
        """
        def test_first(run_scenario):
            assert run_scenario("standing").report.passed

        def test_second(run_scenario):
            assert run_scenario("standing").report.passed
        """
    )
    report = tmp_path / "report"
    result = pytester.runpytest("--target", "host", "--report", str(report), "--runs-dir", str(tmp_path / "runs"))
    result.assert_outcomes(passed=2)
    names = sorted(p.name for p in (report / "entries").glob("*.json"))
    assert names == ["host--standing--test_second.json", "host--standing.json"]
    assert not any(json.loads(p.read_text())["retried"] for p in (report / "entries").glob("*.json"))
