"""Report directories: entries, JUnit XML, the HTML page, plots, captures, retries and merging.

Runs come from the native firmware (the host target), judged as rig run judges them; a failing run
is made by moving one detected stride, so where the report marks it is known exactly.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rig.assertions import check_result
from rig.errors import LinkTimeout, RigError
from rig.records import RunResult
from rig.report import ReportDir, first_failing_stride, load_entries, merge_reports
from rig.report.__main__ import main as report_main
from rig.runner import run_recording
from rig.targets.host import HostTarget
from scenarios.catalog import synthesize
from scenarios.model import Recording


@pytest.fixture(scope="module")
def sprint(tmp_path_factory: pytest.TempPathFactory) -> tuple[Recording, RunResult]:
    rec = synthesize("sprint")
    result = run_recording(HostTarget(), rec, tmp_path_factory.mktemp("sprint"))
    return rec, dataclasses.replace(result, wall_s=1.0)


def _late(result: RunResult, index: int, late_s: float) -> RunResult:
    strides = list(result.strides)
    strides[index] = dataclasses.replace(strides[index], ic_s=strides[index].ic_s + late_s)
    return dataclasses.replace(result, strides=strides)


def _edited_entry(job: Path, **fields: object) -> Path:
    """A report at `job` holding one failed run's entry, with `fields` written over that entry's own;
    the entry's file."""
    ReportDir(job).record_error("walk", "host", None, RuntimeError("the run failed"), None)
    (entry_file,) = (job / "entries").glob("*.json")
    entry = json.loads(entry_file.read_text())
    entry.update(fields)
    entry_file.write_text(json.dumps(entry))
    return entry_file


def _run_dir(tmp_path: Path, name: str) -> Path:
    d = tmp_path / "runs" / name
    d.mkdir(parents=True)
    (d / "rx.bin").write_bytes(b"\x01\x02\x00")
    (d / "target.txt").write_text("ended\n")
    return d


def test_first_failing_stride_is_the_one_out_of_tolerance(sprint: tuple[Recording, RunResult]) -> None:
    rec, result = sprint
    assert rec.truth is not None
    assert first_failing_stride(result, rec.truth) is None
    bad = _late(_late(result, 12, 0.020), 20, 0.030)
    t_s, why = first_failing_stride(bad, rec.truth) or (None, "")
    assert t_s == pytest.approx(rec.truth.strides[12].ic_s, abs=0.01) or "stride_no 12" in why
    assert "IC off by +2" in why
    missing = dataclasses.replace(result, strides=[s for i, s in enumerate(result.strides) if i != 5])
    assert "was not detected" in (first_failing_stride(missing, rec.truth) or (0, ""))[1]


def test_report_of_a_pass_a_failure_and_an_error(tmp_path: Path, sprint: tuple[Recording, RunResult]) -> None:
    rec, result = sprint
    assert rec.truth is not None
    bad = _late(result, 12, 0.5)  # far off: a miss and a false alarm
    report = ReportDir(tmp_path / "report")
    report.record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth), _run_dir(tmp_path, "a"))
    failed = report.record_run("sprint", "qemu", 4, rec, bad, check_result(bad, rec.truth), _run_dir(tmp_path, "b"))
    report.record_error("walk", "qemu", 11, LinkTimeout("the firmware did not send HELLO"), _run_dir(tmp_path, "c"))
    entries = report.finish()
    assert {(e.target, e.scenario, e.verdict) for e in entries} == {
        ("host", "sprint", "passed"), ("qemu", "sprint", "failed"), ("qemu", "walk", "error")}
    assert failed.first_failing_s is not None and "not detected" in (failed.first_failing_why or "")

    out = tmp_path / "report"
    suites = ET.parse(out / "junit.xml").getroot()
    assert suites.get("tests") == "3" and suites.get("failures") == "1" and suites.get("errors") == "1"
    cases = {(c.get("classname"), c.get("name")): c for c in suites.iter("testcase")}
    assert set(cases) == {("host.scenarios", "sprint"), ("qemu.scenarios", "sprint"), ("qemu.scenarios", "walk")}
    props = {p.get("name"): p.get("value") for p in cases[("host.scenarios", "sprint")].iter("property")}
    assert props["recall"] == "1" and props["ic_mae_ms.tolerance"] == "<= 3 ms"
    assert props["command"] == "rig run sprint --target host --seed 4"
    assert cases[("qemu.scenarios", "sprint")].find("failure") is not None
    assert "did not send HELLO" in (cases[("qemu.scenarios", "walk")].find("error").get("message") or "")  # type: ignore[union-attr]

    page = (out / "index.html").read_text()
    assert "rig run walk --target qemu --seed 11" in page and "did not send HELLO" in page
    assert "<script" not in page and "http" not in page  # self-contained
    for e in entries:
        assert e.run_dir and (out / e.run_dir / "rx.bin").read_bytes() == b"\x01\x02\x00"
        assert f'href="{e.run_dir}/rx.bin"' in page
    for e in entries[:2]:
        assert e.plot and (out / e.plot).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = (out / "summary.md").read_text()
    assert "| qemu | 2 | 0 | 0 | 1 | 1 |" in summary and "`rig run sprint --target qemu --seed 4`" in summary
    assert json.loads((out / "durations.json").read_text())["host::sprint"] == 1.0


def test_a_retried_pass_is_reported_as_such(tmp_path: Path, sprint: tuple[Recording, RunResult]) -> None:
    rec, result = sprint
    assert rec.truth is not None
    bad = _late(result, 3, 0.5)
    report = ReportDir(tmp_path / "r", session="one")
    report.record_run("sprint", "host", 4, rec, bad, check_result(bad, rec.truth), _run_dir(tmp_path, "a"))
    entry = report.record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth), _run_dir(tmp_path, "b"))
    assert entry.verdict == "passed" and entry.retried_pass and entry.retried[0]["verdict"] == "failed"
    report.finish()
    case = next(ET.parse(tmp_path / "r" / "junit.xml").getroot().iter("testcase"))
    assert case.find("flakyFailure") is not None
    assert "PASSED after 1 failed attempt(s)" in (tmp_path / "r" / "index.html").read_text()
    assert "passed after 1 failed attempt(s)" in (tmp_path / "r" / "summary.md").read_text()
    # another session (the next target of nox -s hil, a new rig run) replaces the row: no retry
    later = ReportDir(tmp_path / "r", session="two").record_run(
        "sprint", "host", 4, rec, result, check_result(result, rec.truth), _run_dir(tmp_path, "c"))
    assert not later.retried


def test_two_tests_of_the_same_scenario_are_two_rows_not_a_retry(tmp_path: Path,
                                                                 sprint: tuple[Recording, RunResult]) -> None:
    """Two tests of one pytest session that ran the same scenario on the same target: the second was
    reported as a retry of the first ('PASSED after 1 failed attempt(s)', the first test's failure
    taken for an earlier attempt of the second) and the first test's row was gone."""
    rec, result = sprint
    assert rec.truth is not None
    bad = _late(result, 3, 0.5)
    report = ReportDir(tmp_path / "r", session="one")
    first = report.record_run("sprint", "host", 4, rec, bad, check_result(bad, rec.truth), _run_dir(tmp_path, "a"),
                              nodeid="tests/t.py::test_sprint_fails")
    second = report.record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth),
                               _run_dir(tmp_path, "b"), nodeid="tests/t.py::TestB::test_sprint[host]")
    assert first.verdict == "failed" and second.verdict == "passed" and not second.retried
    assert second.test == "TestB.test_sprint_host_" and second.key != first.key and second.plot != first.plot
    # the second test run again by pytest (a rerun): a retry of its own row
    again = report.record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth),
                              _run_dir(tmp_path, "c"), nodeid="tests/t.py::TestB::test_sprint[host]")
    assert again.key == second.key and not again.retried  # it passed before: nothing failed to retry
    entries = report.finish()
    assert sorted(e.verdict for e in entries) == ["failed", "passed"]
    page = (tmp_path / "r" / "index.html").read_text()
    assert "2 runs: 1 passed, 1 failed" in page and "PASSED after" not in page and "in TestB.test_sprint_host_" in page


def test_merge_of_job_reports(tmp_path: Path, sprint: tuple[Recording, RunResult], capsys: pytest.CaptureFixture[str]) -> None:
    rec, result = sprint
    assert rec.truth is not None
    bad = _late(result, 3, 0.5)
    ReportDir(tmp_path / "job1").record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth),
                                            _run_dir(tmp_path, "a"))
    ReportDir(tmp_path / "job2").record_run("sprint", "qemu", 4, rec, bad, check_result(bad, rec.truth),
                                            _run_dir(tmp_path, "b"))
    step_summary = tmp_path / "step_summary.md"
    code = report_main(["merge", str(tmp_path / "all"), str(tmp_path / "job1"), str(tmp_path / "job2"),
                        "--summary", str(step_summary)])
    assert code == 1  # one run failed
    merged = load_entries([tmp_path / "all"])
    assert {e.target for e in merged} == {"host", "qemu"}
    for e in merged:
        assert e.run_dir and (tmp_path / "all" / e.run_dir / "rx.bin").is_file()
        assert e.plot and (tmp_path / "all" / e.plot).is_file()
    assert "| qemu | 1 | 0 | 0 | 1 | 0 |" in step_summary.read_text()
    assert merge_reports(tmp_path / "again", [tmp_path / "all"])  # a merged report merges again
    assert report_main(["merge", str(tmp_path / "x"), str(tmp_path / "runs")]) == 2
    assert "is no report directory" in capsys.readouterr().err


def test_report_dir_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(Exception, match=r"--report .*file/report: cannot write a report there"):
        ReportDir(blocker / "report")


def test_a_report_that_cannot_be_written_names_the_report(tmp_path: Path) -> None:
    """rig run --report on a full file system ended with 'rig run: error: [Errno 28] No space left on
    device', naming neither the report nor what to do. Here index.html is the kernel's full device."""
    report = ReportDir(tmp_path / "rep")
    (tmp_path / "rep" / "index.html").symlink_to("/dev/full")
    report.record_error("walk", "host", None, RuntimeError("the run failed"), None)
    with pytest.raises(RigError, match=r"^--report .*rep: cannot write the report \(No space left on device\); free "
                                       r"space on that file system, or give another --report"):
        report.finish()


def test_a_capture_copied_onto_a_full_file_system_names_the_copy(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """--report on a full file system said '(No space left on device at RUN_DIR/tx.bin)': shutil names the
    file it copies from, a capture that was read whole; the file that could not be written is the report's copy."""
    import errno
    import shutil

    def full_copy(src: Path, dst: Path) -> None:  # what shutil.copy2 raises when the disk fills (sendfile)
        raise OSError(errno.ENOSPC, "No space left on device", str(src), None, str(dst))

    run_dir = _run_dir(tmp_path, "a")
    monkeypatch.setattr(shutil, "copy2", full_copy)
    report = ReportDir(tmp_path / "rep")
    with pytest.raises(RigError) as err:
        report.record_error("walk", "host", None, RuntimeError("the run failed"), run_dir)
    dest = tmp_path / "rep" / "captures" / "a" / "rx.bin"
    assert f"cannot write the report (No space left on device at {dest}); free space" in str(err.value), err.value
    assert str(run_dir) not in str(err.value)
    assert not list((tmp_path / "rep" / "captures" / "a").iterdir())  # no copy half made


@pytest.mark.parametrize("field, value", [("run_dir", "/"), ("run_dir", "../outside"), ("plot", "/etc/hostname")])
def test_merge_refuses_an_entry_that_names_files_outside_its_report(tmp_path: Path, field: str, value: str,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """An entry whose run_dir was '/' (or '../outside', or whose plot was /etc/hostname) had merge copy
    that into the merged report: the whole file system for '/', whatever an edited entry named."""
    (tmp_path / "outside").mkdir()
    _edited_entry(tmp_path / "job", **{field: value})
    assert report_main(["merge", str(tmp_path / "all"), str(tmp_path / "job")]) == 2
    assert f"names its {field} {value!r}, outside that report" in capsys.readouterr().err
    assert not (tmp_path / "all" / "captures").exists() or not any((tmp_path / "all" / "captures").iterdir())


@pytest.mark.parametrize("field, value", [("target", "../../pwned"), ("scenario", "a/b"), ("target", "..")])
def test_merge_refuses_an_entry_whose_names_would_write_outside_the_report(tmp_path: Path, field: str, value: str,
                                                                          capsys: pytest.CaptureFixture[str]) -> None:
    """An entry's target and scenario name its files (entries/TARGET--SCENARIO.json, plots/, captures/):
    an entry whose target was '../../pwned' had merge write pwned--walk.json two levels above the
    merged report."""
    entry_file = _edited_entry(tmp_path / "a" / "job", **{field: value, "catalog_seed": field != "seed"})
    assert report_main(["merge", str(tmp_path / "a" / "all"), str(tmp_path / "a" / "job")]) == 2
    assert f"not a report entry: its {field} {value!r} is no" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.rglob("*.json")) == [entry_file.name]


def test_merge_refuses_an_entry_holding_a_number_of_thousands_of_digits(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    """An entry whose seed had 5,000 digits was 'not a report entry (Exceeds the limit (4300 digits) for integer
    string conversion ...; use sys.set_int_max_str_digits() to increase the limit)', advice for no user."""
    report = ReportDir(tmp_path / "job")
    report.record_error("walk", "host", None, RuntimeError("the run failed"), None)
    (entry_file,) = (tmp_path / "job" / "entries").glob("*.json")
    entry_file.write_text(entry_file.read_text().replace('"seed": null', '"seed": 1' + "0" * 5000, 1))
    assert report_main(["merge", str(tmp_path / "all"), str(tmp_path / "job")]) == 2
    err = capsys.readouterr().err
    assert f"{entry_file}: not a report entry (line " in err and "a number of 5001 digits" in err, err
    assert "set_int_max_str_digits" not in err, err


_FIGURE = {"metric": "recall", "value": 1.0, "limit": 0.98, "better": "higher", "unit": "", "passed": True}


@pytest.mark.parametrize("field, value, words", [
    ("wall_s", "fast", 'its wall_s is "fast", not a number or null'),  # was TypeError from round()
    ("wall_s", 10 ** 400, "its wall_s is 1000"),  # was OverflowError
    ("verdict", "weird", 'its verdict is "weird", not one of "passed", "failed", "error"'),  # was IndexError
    ("notes", None, "its notes is null, not a list of strings"),  # was TypeError: not iterable
    ("retried", [1], "its retried is [1], not a list of objects"),  # was AttributeError
    ("plot", 5, "its plot is 5, not a string or null"),  # was TypeError from a path
    ("seed", "1/../x", 'its seed is "1/../x", not a whole number or null'),  # names the entry's files
    ("figures", [{**_FIGURE, "value": "high"}], 'its figures[0].value is "high", not a number or null'),
    ("figures", [{"metric": "recall"}], "its figures[0].value is missing"),
])
def test_merge_refuses_an_entry_whose_fields_are_not_of_their_types(tmp_path: Path, field: str, value: object,
                                                                   words: str, capsys: pytest.CaptureFixture[str]) -> None:
    """An entry edited by hand, its fields of other types than rig.report writes, ended merge in a traceback
    (exit 1) while it wrote the pages."""
    entry_file = _edited_entry(tmp_path / "job", **{field: value})
    assert report_main(["merge", str(tmp_path / "all"), str(tmp_path / "job")]) == 2
    err = capsys.readouterr().err
    assert f"{entry_file}: not a report entry ({words}" in err, err


def test_two_runs_finishing_one_report_at_once_both_stay_on_its_page(
        tmp_path: Path, sprint: tuple[Recording, RunResult], monkeypatch: pytest.MonkeyPatch) -> None:
    """Two `rig run --report DIR` finishing at once: each read the entries and wrote the pages, and the
    one that had read before the other's run was recorded could write last: the page lacked that run."""
    import threading

    import rig.report.directory as directory

    rec, result = sprint
    assert rec.truth is not None
    loaded, go = threading.Event(), threading.Event()
    load = directory.load_entries

    def slow_load(dirs: list[Path]) -> list[object]:
        found = load(dirs)
        if threading.current_thread().name == "first":
            loaded.set()
            go.wait(5)  # the other run is recorded and finishes meanwhile
        return found

    monkeypatch.setattr(directory, "load_entries", slow_load)
    one, two = ReportDir(tmp_path / "r", session="one"), ReportDir(tmp_path / "r", session="two")
    one.record_run("sprint", "host", 4, rec, result, check_result(result, rec.truth), _run_dir(tmp_path, "a"))
    first = threading.Thread(target=one.finish, name="first")
    first.start()
    assert loaded.wait(5)
    two.record_run("walk", "host", 4, rec, result, check_result(result, rec.truth), _run_dir(tmp_path, "b"))
    second = threading.Thread(target=two.finish, name="second")
    second.start()
    second.join(0.5)
    go.set()
    first.join(5)
    second.join(5)
    page = (tmp_path / "r" / "index.html").read_text()
    assert "2 runs" in page and "<b>walk</b>" in page and "<b>sprint</b>" in page


def test_merge_into_one_of_its_sources_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """merge R R copied R's captures and plots into R again under new names (host--NAME, then
    host--host--NAME...), at every merge."""
    report = ReportDir(tmp_path / "r", session="one")
    report.record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    before = sorted(p.name for p in (tmp_path / "r" / "captures").iterdir())
    assert report_main(["merge", str(tmp_path / "r"), str(tmp_path / "x" / ".." / "r")]) == 2
    assert "is also a DIR to merge; give a new directory for the merged report" in capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "r" / "captures").iterdir()) == before


def test_a_capture_copied_into_the_report_is_whole_or_absent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A run's captures were copied into the report's captures/ in place: a copy cut short (a signal, a
    full disk) left half an rx.bin under its name, which a merge meanwhile copied on as the capture."""
    import shutil

    import rig.report.directory as directory

    real_copy = shutil.copy2

    def half_then_signal(src: Path, dst: Path) -> None:
        if Path(src).name == "rx.bin":
            Path(dst).write_bytes(Path(src).read_bytes()[:1])
            raise KeyboardInterrupt
        real_copy(src, dst)

    monkeypatch.setattr(directory.shutil, "copy2", half_then_signal)
    report = ReportDir(tmp_path / "r", session="one")
    with pytest.raises(KeyboardInterrupt):
        report.record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    assert not (tmp_path / "r" / "captures" / "a" / "rx.bin").exists()
    assert not [p for p in (tmp_path / "r" / "captures" / "a").iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("summary, words", [
    ("DIR", "argument --summary: DIR is a directory; give a file path inside it"),
    ("nodir/s.md", "--summary nodir/s.md: its directory nodir is not there"),
    ("s.md", "--summary given twice (s.md and t.md)"),
])
def test_merge_refuses_a_summary_it_cannot_append_to_before_merging(summary: str, words: str, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch,
                                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """--summary naming a directory or a file in a directory that is not there was found once the merged report had
    been written (exit 2 after the work); --summary given twice appended to the last alone."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "DIR").mkdir()
    ReportDir(tmp_path / "r", session="one").record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    twice = ["--summary", "t.md"] if summary == "s.md" else []
    code: object
    try:
        code = report_main(["merge", "all", "r", "--summary", summary, *twice])
    except SystemExit as exc:
        code = exc.code
    assert code == 2
    assert words in capsys.readouterr().err
    assert not (tmp_path / "all").exists() and not (tmp_path / "s.md").exists()


@pytest.mark.parametrize("argv, words", [
    # OUT '' was the current directory: the merged pages, entries/, captures/ written among its files
    (["merge", "", "r"], ("argument OUT: an empty path",)),
    (["merge", "all", "r", ""], ("argument DIR: an empty path (''); give a report directory",)),
    # an unset $GITHUB_STEP_SUMMARY: the merge was written, then 'cannot append to it (Is a directory)'
    (["merge", "all", "r", "--summary", ""], ("argument --summary: an empty path (''); give the file to append",)),
])
def test_merge_refuses_an_empty_path(argv: list[str], words: tuple[str, ...], tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    ReportDir(tmp_path / "r", session="one").record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(SystemExit) as exc:
        report_main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    for w in words:
        assert w in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("bad", ["no report", "corrupt entry", "entry outside"])
def test_merge_with_a_bad_dir_after_good_ones_writes_nothing(tmp_path: Path, bad: str,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """merge OUT GOOD BAD copied GOOD's captures and plots into OUT before it found BAD wrong: OUT was
    left with captures/ and plots/ but no entries nor pages, a report that is none."""
    ReportDir(tmp_path / "good", session="one").record_error("walk", "host", None, RigError("no"),
                                                              _run_dir(tmp_path, "a"))
    (tmp_path / "good" / "plots").mkdir(exist_ok=True)
    if bad != "no report":
        ReportDir(tmp_path / "bad", session="one").record_error("sprint", "host", None, RigError("no"),
                                                                _run_dir(tmp_path, "b"))
        entry = next((tmp_path / "bad" / "entries").glob("*.json"))
        if bad == "corrupt entry":
            entry.write_text("{")
        else:
            doc = json.loads(entry.read_text())
            doc["run_dir"] = "../../elsewhere"
            entry.write_text(json.dumps(doc))
    assert report_main(["merge", str(tmp_path / "all"), str(tmp_path / "good"), str(tmp_path / "bad")]) == 2
    assert str(tmp_path / "bad") in capsys.readouterr().err
    assert not (tmp_path / "all").exists()


def test_a_report_path_that_is_a_link_to_itself_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """merge LOOP R ended in a traceback (pathlib's 'RuntimeError: Symlink loop from ...'), merge OUT LOOP
    too, and rig run --report LOOP said 'cannot write a report there (File exists)'."""
    ReportDir(tmp_path / "r", session="one").record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    assert report_main(["merge", str(loop), str(tmp_path / "r")]) == 2
    assert "OUT " + str(loop) + ": a symbolic link that leads back to itself" in capsys.readouterr().err
    assert report_main(["merge", str(tmp_path / "all"), str(loop)]) == 2
    assert f"merge: {loop} is no report directory" in capsys.readouterr().err
    with pytest.raises(RigError, match="a symbolic link that leads back to itself"):
        ReportDir(loop)


def test_merge_summary_onto_a_fifo_nobody_reads_ends(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--summary FIFO with no reader held the merge for ever (open() waits for one)."""
    import os
    import threading

    ReportDir(tmp_path / "r", session="one").record_error("walk", "host", None, RigError("no"), _run_dir(tmp_path, "a"))
    fifo = tmp_path / "summary.fifo"
    os.mkfifo(fifo)
    done: list[int] = []
    worker = threading.Thread(target=lambda: done.append(report_main(["merge", str(tmp_path / "all"),
                                                                      str(tmp_path / "r"), "--summary", str(fifo)])),
                              daemon=True)
    worker.start()
    worker.join(60)
    assert done == [2]
    assert "--summary " + str(fifo) + ": cannot append to it (no process read the FIFO" in capsys.readouterr().err


def test_a_run_under_way_is_a_row_until_it_ends_or_its_process_dies(tmp_path: Path) -> None:
    """A run whose process died (a pytest-xdist worker killed) had no row at all; the row written as it
    begins is replaced by its end, never counted as an attempt of its own."""
    report = ReportDir(tmp_path / "report", session="s1")
    runs = tmp_path / "runs"
    ended, died = runs / "walk", runs / "sprint"
    for run_dir in (ended, died):
        run_dir.mkdir(parents=True)
        report.record_under_way(run_dir.name, "host", None, run_dir, nodeid=f"t.py::test_{run_dir.name}")
    report.record_error("walk", "host", None, LinkTimeout("no answer"), ended, nodeid="t.py::test_walk")
    (died / "rx.bin").write_bytes(b"\x01\x02")  # captured after its row was written, before the process died
    entries = {e.scenario: e for e in report.finish()}
    assert not entries["walk"].under_way and entries["walk"].retried == [] and entries["walk"].failures == ["no answer"]
    assert entries["sprint"].under_way and "| sprint on host | never ended | under way: " in (
        report.path / "summary.md").read_text()
    assert 'type="UnderWay"' in (report.path / "junit.xml").read_text()
    (crashed,) = report.record_crash("t.py::test_sprint", "worker 'gw0' crashed while running 't.py::test_sprint'")
    assert crashed.crashed and not crashed.under_way and crashed.source_dir is None
    assert (report.path / crashed.run_dir / "rx.bin").read_bytes() == b"\x01\x02"
    report.finish()
    assert "| sprint on host | crashed | crashed: worker 'gw0' crashed" in (report.path / "summary.md").read_text()
    assert 'type="Crashed"' in (report.path / "junit.xml").read_text()
    assert report.record_crash("t.py::test_walk", "worker 'gw1' crashed") == []  # a run that ended stays as it ended


def test_merge_refuses_a_row_two_reports_hold(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """merge OUT B A, where B's run of walk on host failed and A's passed, reported the pass alone (the last read
    replaced the other), exit 0; the same report given twice likewise counted its rows once without a word."""
    _edited_entry(tmp_path / "b")
    _edited_entry(tmp_path / "a", verdict="passed", error=None)
    assert report_main(["merge", str(tmp_path / "out"), str(tmp_path / "b"), str(tmp_path / "a")]) == 2
    err = capsys.readouterr().err
    assert f"walk on host is a row of both {tmp_path / 'b'} and {tmp_path / 'a'}: which run to report cannot be told" in err
    (tmp_path / "x").mkdir()
    assert report_main(["merge", str(tmp_path / "out"), str(tmp_path / "a"), str(tmp_path / "x" / ".." / "a")]) == 2
    assert f"{tmp_path / 'x' / '..' / 'a'} is given twice" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_merge_into_an_earlier_report_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """merge OLD A, OLD a report whose run of walk failed: its row stayed in OLD's entries/ while the page, junit.xml
    and the exit status (0) told of A's rows alone."""
    _edited_entry(tmp_path / "old")
    ReportDir(tmp_path / "a").record_error("sprint", "host", None, RigError("no"), None)
    before = sorted(p.name for p in (tmp_path / "old").rglob("*"))
    assert report_main(["merge", str(tmp_path / "old"), str(tmp_path / "a")]) == 2
    assert f"merge: OUT {tmp_path / 'old'} holds a report already (1 row(s) in entries/); give a new directory" in \
        capsys.readouterr().err
    assert sorted(p.name for p in (tmp_path / "old").rglob("*")) == before
    assert report_main(["merge", str(tmp_path / "new"), str(tmp_path / "old"), str(tmp_path / "a")]) == 1  # walk: an error
    assert {e.scenario for e in load_entries([tmp_path / "new"])} == {"walk", "sprint"}
