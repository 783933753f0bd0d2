"""The nox sessions' own handling of their arguments (noxfile.py), without running a session."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


def _session(*args: Any, **kwargs: Any) -> Any:
    """nox.session, as a decorator with or without arguments: the function unchanged."""
    return args[0] if args and callable(args[0]) else (lambda f: f)


def _noxfile(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """noxfile.py loaded as a module; nox itself (absent from the sessions' environments) stands in
    as far as loading the file needs: decorators and options."""
    if importlib.util.find_spec("nox") is None:
        monkeypatch.setitem(sys.modules, "nox", SimpleNamespace(session=_session, Session=object,
                                                                 options=SimpleNamespace()))
    spec = importlib.util.spec_from_file_location("stridelab_noxfile", REPO / "noxfile.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("args, report", [
    (["--report", "d"], "d"),
    (["--report=d"], "d"),  # was ignored: the default report was used and cleared instead
    (["-k", "walk", "--report", "a", "--report=b"], "b"),
    (["--report"], ""),  # was None: the default report was cleared, then pytest refused the option
    (["--report", ""], ""),
    (["--report="], ""),
    ([], None),
])
def test_hil_finds_the_report_in_either_spelling(monkeypatch: pytest.MonkeyPatch, args: list[str],
                                                 report: str | None) -> None:
    assert _noxfile(monkeypatch).report_option(args) == report


def test_hil_clears_an_earlier_report_and_nothing_else(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    # the whole directory was removed, whatever else it held (a --report of one's home, say)
    for d in ("entries", "plots", "captures", "notes"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x").write_text("x")
    for f in ("index.html", "junit.xml", "pytest-junit-host.xml", "mine.txt"):
        (tmp_path / f).write_text("x")
    _noxfile(monkeypatch).clear_report(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt", "notes"]


class _Stop(Exception):
    """session.error: the session ends failed."""


class _Session:
    """What hil asks of a nox session; its pytest runs record the scenarios given as runs in the report."""

    def __init__(self, posargs: list[str], scenarios: list[str]) -> None:
        self.posargs = posargs
        self.scenarios = scenarios
        self.logs: list[str] = []
        self.pytest_runs = 0

    def install(self, *args: str) -> None:
        pass

    def run(self, *args: str, silent: bool = False, **kwargs: Any) -> Any:
        if silent:  # the availability of the targets
            return json.dumps({"host": [True, ""], "qemu": [True, ""]})
        self.pytest_runs += 1
        argv = list(args)
        target, report = argv[argv.index("--target") + 1], Path(argv[len(argv) - 1 - argv[::-1].index("--report") + 1])
        (report / "entries").mkdir(parents=True, exist_ok=True)
        for name in self.scenarios:
            (report / "entries" / f"{target}--{name}.json").write_text("{}")
        return True

    def log(self, message: str) -> None:
        self.logs.append(message)

    def error(self, message: str) -> None:
        raise _Stop(message)


@pytest.mark.parametrize("selection", [["-k", "sprnt"], ["--collect-only"]])
def test_hil_that_ran_no_scenario_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, selection: list[str]) -> None:
    """nox -s hil -- -k sprnt (a typo) or -- --collect-only ran nothing on every target, pytest exit 5 or 0,
    and ended 'hil: passed on host, qemu'."""
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "host,qemu")
    session = _Session([*selection, "--report", str(tmp_path / "r")], scenarios=[])
    with pytest.raises(_Stop, match=r"hil: no scenario ran on any target: the arguments after -- \(.*\) select none"):
        _noxfile(monkeypatch).hil(session)
    assert session.pytest_runs == 2
    assert "hil: no scenario ran on host (none was selected, or every one was skipped there)" in session.logs


def test_hil_counts_the_scenario_runs_of_each_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "host,qemu")
    session = _Session(["-k", "sprint", "--report", str(tmp_path / "r")], scenarios=["sprint", "sprint_gyro"])
    _noxfile(monkeypatch).hil(session)
    assert session.logs[-1].startswith("hil: passed on host (2 scenario runs), qemu (2 scenario runs); report ")


def test_an_empty_shard_is_no_failure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "host")
    session = _Session(["--shard", "40/40", "--report", str(tmp_path / "r")], scenarios=[])
    _noxfile(monkeypatch).hil(session)
    assert session.logs[-1].startswith("hil: passed on host (0 scenario runs)")


@pytest.mark.parametrize("args", [["--target", "qemu"], ["--target=qemu"]])
def test_hil_names_the_variable_that_chooses_targets(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    args: list[str]) -> None:
    """nox -s hil -- --target qemu failed at the first target with pytest's '--target given twice (host and
    qemu)', naming a --target the user never gave."""
    monkeypatch.delenv("STRIDELAB_HIL_TARGETS", raising=False)
    session = _Session([*args, "--report", str(tmp_path / "r")], scenarios=["sprint"])
    with pytest.raises(_Stop, match=r"hil: it gives each target its own --target; choose the targets with "
                                    r"STRIDELAB_HIL_TARGETS=qemu nox -s hil, not with -- --target"):
        _noxfile(monkeypatch).hil(session)
    assert session.pytest_runs == 0


def test_board_refuses_another_target(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(_Stop, match=r"board: it runs the suite on the board target; for another target: nox -s hil"):
        _noxfile(monkeypatch).board(_Session(["--target", "host"], scenarios=[]))


def test_faults_refuses_a_target_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """nox -s faults -- --target qemu ran both of the session's passes on qemu."""
    with pytest.raises(_Stop, match=r"faults: it runs the campaign on host, then qemu .*--target qemu"):
        _noxfile(monkeypatch).faults(_Session(["--target", "qemu"], scenarios=[]))


@pytest.mark.parametrize("port, workers", [("/dev/ttyACM0", "0"), ("", "auto")])
def test_hil_gives_one_board_one_worker(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, port: str,
                                        workers: str) -> None:
    """pytest refuses one board port for several pytest-xdist workers (each opened it, all but one found it busy):
    the board target at $STRIDELAB_PORT runs with -n 0, a labgrid pool with a worker per core."""
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "board")
    monkeypatch.setenv("STRIDELAB_PORT", port)
    session = _Session(["--report", str(tmp_path / "r")], scenarios=["sprint"])
    runs: list[list[str]] = []
    real_run = session.run

    def run(*args: str, silent: bool = False, **kwargs: Any) -> Any:
        if silent:
            return json.dumps({"board": [True, ""]})
        runs.append(list(args))
        return real_run(*args, **kwargs)

    monkeypatch.setattr(session, "run", run)
    _noxfile(monkeypatch).hil(session)
    (argv,) = runs
    assert argv[argv.index("-n") + 1] == workers


@pytest.mark.parametrize("args", [["--target", "host"], ["--target=renode"]])
def test_tests_refuses_a_target_of_its_own(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """nox -s tests -- --target host ran the whole first pass, then its qemu pass failed as '--target given twice
    (qemu and host)', an option the user gave once."""
    session = _Recorder()
    session.posargs = args
    with pytest.raises(_Stop, match=r"tests: it runs every test on host, then the target-marked ones .* "
                                    r"python -m pytest --target (host|renode) tests"):
        _noxfile(monkeypatch).tests(session)
    assert session.runs == []


@pytest.mark.parametrize("args", [["--json", "faults.json"], ["walk", "--json=faults.json"]])
def test_faults_refuses_one_json_for_both_passes(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """nox -s faults -- --json OUT had the host pass write OUT, then the qemu pass replace it: the host figures
    were lost without a word."""
    session = _Session(args, scenarios=[])
    with pytest.raises(_Stop, match=r"faults: its host and qemu passes would each write --json faults.json, the second "
                                    r"replacing the first; .*python -m rig.fault_campaign --target qemu --json faults.json"):
        _noxfile(monkeypatch).faults(session)
    assert session.pytest_runs == 0


@pytest.mark.parametrize("args", [["--junitxml", "out.xml"], ["--junit-xml=out.xml"]])
def test_hil_refuses_one_junit_file_for_every_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     args: list[str]) -> None:
    """nox -s hil -- --junitxml out.xml: every target's pytest wrote out.xml, which held the last target's alone."""
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "host,qemu")
    session = _Session([*args, "--report", str(tmp_path / "r")], scenarios=["sprint"])
    noxfile = _noxfile(monkeypatch)
    with pytest.raises(_Stop, match=r"hil: each target's pytest would write --junit-?xml out.xml, the last replacing "
                                    r"the others; .*pytest-junit-TARGET.xml"):
        noxfile.hil(session)
    assert session.pytest_runs == 0
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "qemu")  # one target: its file is the one asked for
    noxfile.hil(_Session([*args, "--report", str(tmp_path / "r")], scenarios=["sprint"]))


def test_tests_refuses_one_junit_file_for_both_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    """nox -s tests -- --junitxml out.xml: the qemu pass wrote out.xml after the first, which held its
    target-marked tests alone."""
    session = _Recorder(output=json.dumps({"qemu": [True, ""]}))
    session.posargs = ["--junitxml", "out.xml"]
    with pytest.raises(_Stop, match=r"tests: its pytest passes \(every test, then those marked for qemu\) would each "
                                    r"write --junitxml out.xml, the last replacing the others"):
        _noxfile(monkeypatch).tests(session)
    assert all(run[0] == "python" and "-c" in run for run in session.runs), "nothing but the availability asked"


class _FuzzSession:
    """What fuzz asks of a nox session: the commands it runs are recorded, each fuzzer says nothing."""

    def __init__(self, posargs: list[str]) -> None:
        self.posargs = posargs
        self.runs: list[tuple[str, ...]] = []
        self.logged: list[str] = []

    def run(self, *args: str, **kwargs: Any) -> str:
        self.runs.append(args)
        if any(a.startswith("-jobs=") for a in args):  # as libFuzzer does: each job's output in the current directory
            Path("fuzz-0.log").write_text("job 0\n")
        return ""

    def chdir(self, path: Path) -> contextlib.chdir[Path]:
        return contextlib.chdir(path)

    def log(self, message: str) -> None:
        self.logged.append(message)

    def error(self, message: str) -> None:
        raise _Stop(message)


@pytest.mark.parametrize("posargs, bound", [
    ([], "-runs=10000000"),
    (["-max_len=64"], "-runs=10000000"),  # was no bound at all: libFuzzer ran until stopped
    (["-runs=500"], "-runs=500"),
    (["-max_total_time=30"], "-max_total_time=30"),
])
def test_fuzz_keeps_a_bound(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, posargs: list[str], bound: str) -> None:
    noxfile = _noxfile(monkeypatch)
    monkeypatch.setattr(noxfile, "ROOT", tmp_path)
    session = _FuzzSession(posargs)
    noxfile.fuzz(session)
    fuzzers = [run for run in session.runs if "/firmware_c/build/fuzz/" in run[0]]
    assert len(fuzzers) == 4 and all(bound in run and run.count(bound) == 1 for run in fuzzers)
    assert all(sum(a.startswith(("-runs=", "-max_total_time=")) for a in run) == 1 for run in fuzzers)


def test_fuzz_refuses_a_bare_argument(monkeypatch: pytest.MonkeyPatch) -> None:
    """nox -s fuzz -- 1000 handed '1000' to libFuzzer as a corpus directory (and dropped the bound)."""
    session = _FuzzSession(["1000"])
    with pytest.raises(_Stop, match=r"fuzz: 1000: give libFuzzer flags as -flag=value \(e.g. -runs=1000"):
        _noxfile(monkeypatch).fuzz(session)
    assert session.runs == []  # refused before the build


class _Failed(Exception):
    """nox's CommandFailed: a command ended with an exit status not in success_codes."""

    def __init__(self, code: int) -> None:
        super().__init__(f"Returned code {code}")
        self.return_code = code


@pytest.mark.parametrize("posargs, exit_code, scenarios", [
    (["-k", "sprnt"], 5, []),  # pytest's 'no test selected' was taken as success
    (["--collect-only", "--report", "REPORT"], 0, []),
])
def test_board_that_ran_no_scenario_fails(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, posargs: list[str],
                                          exit_code: int, scenarios: list[str]) -> None:
    posargs = [str(tmp_path / "r") if a == "REPORT" else a for a in posargs]
    session = _Session(posargs, scenarios)

    def run(*args: str, success_codes: list[int], **kwargs: Any) -> bool:
        if exit_code not in success_codes:
            raise _Failed(exit_code)
        return True

    monkeypatch.setattr(session, "run", run)
    with pytest.raises(_Stop, match=r"board: no scenario ran: the arguments after -- \(.*\) select none"):
        _noxfile(monkeypatch).board(session)


@pytest.mark.parametrize("report, named", [([], False), (["--report", "r"], True)])
def test_board_names_the_target_only_in_a_report(monkeypatch: pytest.MonkeyPatch, report: list[str],
                                                 named: bool) -> None:
    """pytest refuses --report-as without --report: the session gives it only with a report."""
    session = _Session(["--shard", "1/2", *report], scenarios=[])
    runs: list[tuple[str, ...]] = []
    monkeypatch.setattr(session, "run", lambda *args, **kwargs: runs.append(args) or True)
    _noxfile(monkeypatch).board(session)
    (argv,) = runs
    assert ("--report-as" in argv) == named


def test_an_empty_board_shard_is_no_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    session = _Session(["--shard", "9/9"], scenarios=[])
    monkeypatch.setattr(session, "run", lambda *args, success_codes, **kwargs: 5 in success_codes)
    _noxfile(monkeypatch).board(session)


@pytest.mark.parametrize("name", [["--report-as", "bench-a"], ["--report-as=bench-a"]])
def test_board_counts_the_rows_under_the_name_given(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                    name: list[str]) -> None:
    """nox -s board -- --report R --report-as NAME: pytest put the rows under NAME (its last --report-as), and
    the session, looking for them under board-pty, ended 'board: no scenario ran' after every one had run."""
    report = tmp_path / "r"
    session = _Session(["--report", str(report), *name], scenarios=[])

    def run(*args: str, **kwargs: Any) -> bool:
        argv = [a for arg in args for a in arg.split("=", 1)]
        label = argv[len(argv) - 1 - argv[::-1].index("--report-as") + 1]  # pytest's: the last one
        (report / "entries").mkdir(parents=True, exist_ok=True)
        (report / "entries" / f"{label}--sprint.json").write_text("{}")
        return True

    monkeypatch.setattr(session, "run", run)
    _noxfile(monkeypatch).board(session)


def test_hil_refuses_one_name_for_every_target(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """nox -s hil -- --report-as ci put every target's rows under one name: qemu's run of each scenario
    replaced host's in the report."""
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", "host,qemu")
    session = _Session(["--report-as", "ci", "--report", str(tmp_path / "r")], scenarios=["sprint"])
    with pytest.raises(_Stop, match=r"hil: the report names each target by its own name; --report-as names a "
                                    r"session of one target"):
        _noxfile(monkeypatch).hil(session)
    assert session.pytest_runs == 0


class _Recorder:
    """A nox session that records what it would run."""

    def __init__(self, output: str = "") -> None:
        self.runs: list[tuple[str, ...]] = []
        self.posargs: list[str] = []
        self.output = output
        self.logged: list[str] = []

    def run(self, *args: str, **kwargs: Any) -> str:
        self.runs.append(args)
        return self.output

    def install(self, *args: str, **kwargs: Any) -> None:
        pass

    def chdir(self, path: Path) -> contextlib.AbstractContextManager[None]:
        return contextlib.nullcontext()

    def log(self, message: str) -> None:
        self.logged.append(message)

    def error(self, message: str) -> None:
        raise _Stop(message)


def test_gen_regenerates_everything_lint_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    # lint checked the RSCS golden C test, which gen never wrote: a change there left lint failing after nox -s gen
    noxfile = _noxfile(monkeypatch)
    lint, gen = _Recorder(), _Recorder()
    noxfile.lint(lint)
    noxfile.gen(gen)
    checked = [run[:-1] for run in lint.runs if run[-1] == "--check"]
    assert checked and all(run in gen.runs for run in checked), (checked, gen.runs)


def test_fuzz_does_not_report_a_short_campaign_as_0_per_s(monkeypatch: pytest.MonkeyPatch) -> None:
    # nox -s fuzz -- -runs=20000 ended 'fuzz_frame: 20000 executions, 0 per s': libFuzzer's rate in whole seconds
    session = _Recorder("stat::number_of_executed_units: 20000\nstat::average_exec_per_sec:     0\n"
                        "stat::peak_rss_mb:              35\n")
    session.posargs = ["-runs=20000"]
    _noxfile(monkeypatch).fuzz(session)
    assert session.logged and all("0 per s" not in line and "20000 executions, all within a second" in line
                                  for line in session.logged), session.logged


@pytest.mark.parametrize("value, words", [
    # ran the suite on host twice, the second session's rows replacing the first's
    ("host,qemu,host", "hil: $STRIDELAB_HIL_TARGETS names host twice; name each target once"),
    # set but naming none: every target ran, as if it were unset
    (" , ", "hil: $STRIDELAB_HIL_TARGETS=' , ' names no target; name them (e.g. host,qemu), or unset it"),
])
def test_hil_refuses_targets_named_twice_or_none(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str,
                                                 words: str) -> None:
    monkeypatch.setenv("STRIDELAB_HIL_TARGETS", value)
    session = _Session(["--report", str(tmp_path / "r")], scenarios=["sprint"])
    with pytest.raises(_Stop) as stop:
        _noxfile(monkeypatch).hil(session)
    assert words in str(stop.value)
    assert session.pytest_runs == 0


# A session (the noxfile loaded as in _noxfile) running a command that, on SIGTERM, SIGHUP or SIGINT, takes a while
# to write its report, as pytest stopping its targets does (and ignores further signals meanwhile, as pytest does).
_SESSION = """
import importlib.util, signal, subprocess, sys
from types import SimpleNamespace
# nox as a shell starts it: SIGINT at Python's default (a test worker that ignored SIGINT while cleaning up
# would hand that on to this child, and a signal ignored at start stays ignored, by design)
signal.signal(signal.SIGINT, signal.default_int_handler)
if importlib.util.find_spec("nox") is None:
    sys.modules["nox"] = SimpleNamespace(session=lambda *a, **k: a[0] if a and callable(a[0]) else (lambda f: f),
                                         Session=object, options=SimpleNamespace())
spec = importlib.util.spec_from_file_location("stridelab_noxfile", sys.argv[1])
noxfile = importlib.util.module_from_spec(spec)
spec.loader.exec_module(noxfile)
with noxfile.signals_passed_on(lambda line: print("nox >", line, flush=True)):
    sys.exit(subprocess.call([sys.executable, "-c", sys.argv[3], sys.argv[2]]))
"""
_COMMAND = """
import os, signal, sys, time
from pathlib import Path
out = Path(sys.argv[1])

def stop(signum, frame):
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)
    time.sleep(0.5)  # stopping targets, writing the report
    (out / "report").write_text(signal.Signals(signum).name)
    sys.exit(2)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, stop)
signal.signal(signal.SIGINT, stop)
(out / "ready.part").write_text(str(os.getpid()))
(out / "ready.part").rename(out / "ready")
time.sleep(60)
"""


@pytest.mark.parametrize("sig, group", [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGINT, False),
                                        (signal.SIGINT, True)], ids=["SIGTERM", "SIGHUP", "SIGINT", "Ctrl-C"])
def test_a_signal_to_nox_alone_reaches_the_command_and_ends_nox_by_it(tmp_path: Path, sig: signal.Signals,
                                                                       group: bool) -> None:
    """SIGTERM or SIGHUP sent to nox alone (not its process group) ended nox at once: pytest, its xdist
    workers and their emulators ran on, and no report was written. SIGINT alone (kill -INT, a CI runner
    cancelling) never reached the command: nox sent it SIGTERM 0.3 s later and SIGKILL 0.2 s after that, and
    a terminal's Ctrl-C (the whole process group) was cut short alike."""
    log = tmp_path / "nox.log"  # a file, not a pipe: a command left running would hold a pipe open
    with log.open("w") as f:
        nox_proc = subprocess.Popen([sys.executable, "-c", _SESSION, str(REPO / "noxfile.py"), str(tmp_path),
                                     _COMMAND], stdout=f, stderr=subprocess.STDOUT, text=True,
                                    start_new_session=group)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "ready").is_file() and time.monotonic() < deadline:
            assert nox_proc.poll() is None, log.read_text()
            time.sleep(0.05)
        if group:
            os.killpg(nox_proc.pid, sig)  # nox and its command, as a terminal's Ctrl-C
        else:
            nox_proc.send_signal(sig)
        nox_proc.wait(timeout=60)
        out = log.read_text()
        assert nox_proc.returncode == -sig, out  # ended by the same signal
        assert (tmp_path / "report").read_text() == sig.name  # the command got it and wrote its report first
        assert f"nox > {sig.name}: passed on to the command this session runs" in out
        assert "Traceback" not in out
    finally:
        if nox_proc.poll() is None:
            nox_proc.kill()
            nox_proc.wait()
        if (tmp_path / "ready").is_file():  # the command, should it have been left running
            with contextlib.suppress(ProcessLookupError):
                os.kill(int((tmp_path / "ready").read_text()), signal.SIGKILL)


@pytest.mark.parametrize("flag, words", [
    ("-runs=-1", "-runs=-1: give a whole number of executions per target, 1..1,000,000,000"),  # libFuzzer: no end
    ("-runs=1e6", "-runs=1e6: give a whole number"),  # atoi: 1 execution
    ("-runs=0", "-runs=0: out of range; give 1..1,000,000,000 executions per target"),
    ("-runs=99999999999999999999", "out of range"),
    ("-max_total_time=0", "-max_total_time=0: out of range; give 1..86,400 seconds"),  # libFuzzer: no limit
    ("-max_total_time=", "-max_total_time=: give a whole number of seconds"),
    ("-max_total_time=nan", "give a whole number of seconds"),
    ("-timeout=0", "-timeout=0: out of range; give 1..3,600 seconds"),  # libFuzzer: no timeout per input
    ("-timeout=abc", "-timeout=abc: give a whole number of seconds"),
])
def test_fuzz_refuses_a_bound_that_is_none(monkeypatch: pytest.MonkeyPatch, flag: str, words: str) -> None:
    """nox -s fuzz -- -runs=-1 (or -max_total_time=0, -timeout=0) ran every fuzzer without that bound;
    -runs=1e6 and -timeout=abc were read by libFuzzer's atoi as 1 and 0."""
    session = _FuzzSession([flag])
    with pytest.raises(_Stop) as stop:
        _noxfile(monkeypatch).fuzz(session)
    assert str(stop.value).startswith("fuzz: ") and words in str(stop.value), str(stop.value)
    assert session.runs == []  # refused before the build


def test_fuzz_takes_bounds_in_range(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    noxfile = _noxfile(monkeypatch)
    monkeypatch.setattr(noxfile, "ROOT", tmp_path)
    session = _FuzzSession(["-max_total_time=60", "-timeout=25", "-max_len=64"])
    noxfile.fuzz(session)
    assert len([run for run in session.runs if "/firmware_c/build/fuzz/" in run[0]]) == 4


@pytest.mark.parametrize("value", ["serial", "", " pty", "RFC2217"])
def test_board_names_the_variable_of_a_way_it_does_not_know(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    """STRIDELAB_BOARD_VIA=serial went on as board_stand's --via, refused as 'argument --via: invalid choice:
    'serial'', an option the user never gave, after the session's environment was installed."""
    monkeypatch.setenv("STRIDELAB_BOARD_VIA", value)
    session = _FuzzSession([])
    with pytest.raises(_Stop) as stop:
        _noxfile(monkeypatch).board(session)
    assert str(stop.value) == (f"board: $STRIDELAB_BOARD_VIA={value!r} is no way to the stand-in board; set it to one "
                               "of pty, rfc2217 (default pty), or unset it")
    assert session.runs == []


@pytest.mark.parametrize("args", [["-m", "not slow"], ["-mnot slow"], ["-m=not slow"], ["-m", "cocotb", "-m", "not slow"]])
def test_tests_keeps_its_emulator_selection_beside_a_mark_expression(monkeypatch: pytest.MonkeyPatch,
                                                                      args: list[str]) -> None:
    """nox -s tests -- -m EXPR: pytest takes the last -m, so the qemu pass ran every test EXPR selected, target-marked
    or not, in place of the target-marked ones; both selections now hold, the user's -m given once."""
    session = _Recorder(output=json.dumps({"qemu": [True, ""]}))
    session.posargs = [*args, "-k", "walk"]
    _noxfile(monkeypatch).tests(session)
    pytests = [run for run in session.runs if run[:3] == ("python", "-m", "pytest")]
    assert len(pytests) == 2
    assert pytests[0][-len(session.posargs):] == tuple(session.posargs)  # the first pass: as given
    qemu = pytests[1][3:]  # after python -m pytest
    assert sum(a.startswith("-m") for a in qemu) == 1, qemu
    assert qemu[qemu.index("-m") + 1] == "(target and not slow) and (not slow)", qemu
    assert qemu[-2:] == ("-k", "walk") and "--target" in qemu


def test_tests_without_a_mark_expression_runs_the_target_marked_tests(monkeypatch: pytest.MonkeyPatch) -> None:
    session = _Recorder(output=json.dumps({"qemu": [True, ""]}))
    _noxfile(monkeypatch).tests(session)
    qemu = [run for run in session.runs if run[:3] == ("python", "-m", "pytest")][1][3:]
    assert qemu[qemu.index("-m") + 1] == "target and not slow"


def test_fuzz_keeps_the_logs_of_its_jobs_out_of_the_project(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """nox -s fuzz -- -jobs=2: libFuzzer writes each job's output to fuzz-K.log in the current directory, which were
    left in the project's root, each fuzzer's over the one before; they are kept per fuzzer in its build directory,
    and the session says where."""
    noxfile = _noxfile(monkeypatch)
    monkeypatch.setattr(noxfile, "ROOT", tmp_path / "project")
    monkeypatch.chdir(tmp_path)
    session = _FuzzSession(["-jobs=2", "-runs=100"])
    noxfile.fuzz(session)
    assert not list(tmp_path.glob("fuzz-*.log"))
    build = tmp_path / "project" / "firmware_c" / "build" / "fuzz"
    for name in noxfile.FUZZ_TARGETS:
        assert (build / f"logs-{name}" / "fuzz-0.log").is_file()
        assert any(f"{name}: " in line and f"{build / f'logs-{name}'}/fuzz-*.log" in line for line in session.logged)
    assert Path.cwd() == tmp_path
