"""pytest plugin of the rig (registered through the pytest11 entry point).

Options: --target NAME (default host), --port URL (board link), --runs-dir DIR,
         --report DIR (rig.report: HTML, JUnit XML, plots, captures), --shard K/N (rig.shard).
Marker:  @pytest.mark.target("host", "qemu") runs a test only on those targets
         (skipped elsewhere); a marker without names or with an unknown name is
         an error, not a silent skip.
Fixtures: rig_target (the Target, skipped with the reason if unavailable here),
          dut (rig.dut.Dut: a started target, its open Link, expect/send), run_scenario (synthesize,
          replay and check a catalog scenario), runs_dir.
Signals: SIGTERM, SIGHUP and SIGINT unwind the session like Ctrl-C, so every started target is stopped
         (rig.pytest_signals); a pytest-xdist controller passes them on to its workers and ends once
         they have stopped their targets and recorded their runs.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from rig.dut import Dut
from rig.errors import RigError, TargetUnavailable
from rig.link import Link
from rig.report import ReportDir
from rig.seed import checked_seed
from rig.out_path import kind_of, out_dir
from rig.port_open import close_ahead
from rig.once import Once
from rig.pytest_signals import SessionSignal, WorkerSignals, restore_signals, take_signals
from rig.runner import ScenarioRun, new_run_dir, require_stopped, run_scenario, target_running
from rig.shard import load_durations, parse_shard, shard_of, weights
from rig.symbolize import symbolizer
from rig.targets import TARGETS, make_target
from rig.farm import PLACE_ENV, PlaceLease, place_pool
from rig.targets.base import Target
from scenarios.catalog import get_scenario, list_scenarios
from rig.targets.board import PORT_ENV, BoardTarget

__all__ = ["Dut", "ScenarioRun", "dut", "rig_target", "run_scenario_fixture", "runs_dir"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """Add the rig's command-line options."""
    group = parser.getgroup("stridelab", "Stridelab HIL rig")
    group.addoption("--target", action=Once, default="host", metavar="NAME",
                    help=f"rig target the firmware runs on: {', '.join(TARGETS)} (default host)")
    group.addoption("--port", action=Once, default=None, metavar="URL",
                    help="board link URL for --target board: /dev/ttyACM0, rfc2217://host:port, socket://host:port")
    group.addoption("--board-profile", action=Once, default=None, metavar="NAME",
                    help="board profile for --target board (rig.boards): the HELLO it must answer")
    group.addoption("--place", action=Once, default=None, metavar="NAME[,NAME...]",
                    help="labgrid place, or a pool, for --target board: each pytest-xdist worker acquires a different "
                         "one for the session (coordinator: $LG_COORDINATOR; default $LG_PLACE)")
    group.addoption("--runs-dir", action="store", default=None, metavar="DIR",
                    help="keep run captures here (default: pytest's temporary directory)")
    group.addoption("--report", action=Once, default=None, metavar="DIR",
                    help="write a scenario report there: index.html, junit.xml (one testcase per scenario per "
                         "target), a plot per run, the captures; and pytest's own JUnit XML of every test")
    group.addoption("--report-as", action="store", default=None, metavar="NAME",
                    help="name the target so in the report (default its name), e.g. board-rfc2217")
    group.addoption("--shard", action=Once, default=None, metavar="K/N",
                    help="run only the K-th of N shards of the collected tests, balanced by recorded durations")
    group.addoption("--shard-durations", action=Once, default=None, metavar="FILE",
                    help="durations to balance --shard by (default .ci/durations.json)")


REPORT_KEY = pytest.StashKey[ReportDir]()
#: The signal handlers the session took (rig.pytest_signals), given back at its end.
SIGNALS_KEY = pytest.StashKey[dict[int, Any]]()
#: The session's handler of SIGTERM, SIGHUP and SIGINT, which knows the pytest-xdist workers to pass them on to.
WORKER_SIGNALS_KEY = pytest.StashKey[WorkerSignals]()
#: The longest --report-as: it names the report's files (plots/LABEL--SCENARIO--seedN.png), each at most 255 bytes.
MAX_LABEL = 64
#: The id one pytest run's processes share (the controller's, handed to pytest-xdist workers).
SESSION_INPUT = "stridelab_report_session"
#: The durations --shard balances by, read once by pytest_configure.
DURATIONS_KEY = pytest.StashKey[dict[str, float]]()
#: Those durations as the controller read them, handed to pytest-xdist workers (a pipe is read once).
DURATIONS_INPUT = "stridelab_shard_durations"


@pytest.hookimpl(tryfirst=True)  # before pytest's junitxml plugin reads --junitxml
def pytest_configure(config: pytest.Config) -> None:
    """Register the marker and check the target name early; open the --report directory."""
    config.addinivalue_line("markers", "target(*names): run only on the named rig targets")
    # SIGTERM/SIGHUP unwind like Ctrl-C: the fixtures stop their targets (none is left running)
    # (a pytest-xdist controller passes them on to its workers, which stop theirs)
    relay = config.stash[WORKER_SIGNALS_KEY] = WorkerSignals()
    config.stash[SIGNALS_KEY] = take_signals(relay.handle)
    for option in ("--target", "--runs-dir", "--report", "--report-as", "--shard", "--shard-durations",
                   "--board-profile"):
        value = config.getoption(option)
        # an empty value (an unset variable: --report "$DIR") would read as the option not given:
        # no report, every test instead of a shard, all with exit 0
        if value is not None and not str(value).strip():
            raise pytest.UsageError(f"{option} {value!r} is empty; give a value or leave {option} out")
    if config.getoption("--report-as") is not None and config.getoption("--report") is None:
        # it names the target in a report, and none was written: the session ran as if no name had been given
        raise pytest.UsageError(f"--report-as {config.getoption('--report-as')} names the target in a report, and no "
                                "--report DIR is given; give --report DIR too, or drop --report-as")
    if config.getoption("--shard-durations") is not None and config.getoption("--shard") is None:
        # every test ran, balanced by nothing, as if the session were the shard asked for (rig run refuses it)
        raise pytest.UsageError(f"--shard-durations {config.getoption('--shard-durations')} balances --shard only; "
                                "give --shard K/N too, or drop --shard-durations")
    name = config.getoption("--target")
    if name not in TARGETS:
        raise pytest.UsageError(f"--target {name!r} is not a rig target; choose one of: {', '.join(TARGETS)}")
    try:
        # a port or profile for a target that starts its own link, say
        target = make_target(name, config.getoption("--port"), config.getoption("--board-profile"),
                             config.getoption("--place"))
        if isinstance(target, BoardTarget) and target.usable().ok:
            _one_worker_per_port(config, target)
            # a --port that is no serial device (/dev/null, a directory) failed every test, each alike
            target.require()
            if not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no":
                # a pytest-xdist controller runs no test: the port its check opened is no link's; its workers
                # open their own
                close_ahead(target.port)
    except TargetUnavailable:
        pass  # each test that needs it is skipped with the reason (no port given, $STRIDELAB_PORT's missing)
    except RigError as exc:
        raise pytest.UsageError(str(exc)) from None
    runs = config.getoption("--runs-dir")
    kind = kind_of(runs) if runs else None
    if kind not in (None, "a directory"):
        # found at the first run otherwise, once per test
        raise pytest.UsageError(f"--runs-dir {runs}: is {kind}, not a directory; give a directory for the run "
                                "captures (it is made when missing)")
    if runs:
        try:  # one that cannot be written (a read-only file system) failed every test that ran a target, each alike
            out_dir("--runs-dir")(runs)
        except argparse.ArgumentTypeError as exc:
            raise pytest.UsageError(str(exc)) from None
    report = config.getoption("--report")
    if report:
        worker = getattr(config, "workerinput", None)
        try:
            config.stash[REPORT_KEY] = ReportDir(Path(report), worker[SESSION_INPUT] if worker else None)
        except RigError as exc:
            raise pytest.UsageError(str(exc)) from None
        label = config.getoption("--report-as") or name
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", label):
            # it names files in the report (pytest-junit-LABEL.xml, plots/LABEL--SCENARIO.png): no path in it
            raise pytest.UsageError(f"--report-as {label!r}: not a target name; use letters, digits, '.', '_' "
                                    "and '-' (e.g. board-rfc2217)")
        if len(label) > MAX_LABEL:
            # it names files (pytest-junit-LABEL.xml, plots/LABEL--SCENARIO.png): a 300-character one ran every
            # test, then ended the session in a traceback (OSError: File name too long), exit 1
            raise pytest.UsageError(f"--report-as {label[:40]}... ({len(label)} characters): a target name in the "
                                    f"report is at most {MAX_LABEL} characters (it names the report's files); "
                                    "give a shorter one, e.g. board-rfc2217")
        if not config.option.xmlpath:
            config.option.xmlpath = str(Path(report) / f"pytest-junit-{label}.xml")
        if not getattr(config.option, "junitprefix", None):
            config.option.junitprefix = label  # the same test on two targets: two testcases
    if config.getoption("--shard"):
        worker = getattr(config, "workerinput", None)
        try:
            parse_shard(config.getoption("--shard"))
            # read once, here, and kept for the collection (a pytest-xdist worker takes the controller's): a pipe
            # (--shard-durations <(...)) read again there delivered nothing, an INTERNALERROR after 5 s
            config.stash[DURATIONS_KEY] = (dict(worker[DURATIONS_INPUT]) if worker and DURATIONS_INPUT in worker else
                                           load_durations(Path(config.getoption("--shard-durations"))
                                                          if config.getoption("--shard-durations") else None,
                                                          "--shard-durations"))
        except RigError as exc:
            raise pytest.UsageError(str(exc)) from None


def _xdist_workers(config: pytest.Config) -> int:
    """How many pytest-xdist workers this session starts (0 without xdist): -n N, -n auto (resolved by then), --tx."""
    if hasattr(config, "workerinput") or config.getoption("dist", "no") == "no":
        return 0
    specs = config.getoption("tx", None) or []
    return sum(int(spec.split("*", 1)[0]) if re.match(r"[0-9]+\*", spec) else 1 for spec in specs)


def _one_worker_per_port(config: pytest.Config, target: BoardTarget) -> None:
    """UsageError for one board port (--port, $STRIDELAB_PORT) given to several pytest-xdist workers: each opened
    it, and every test of all but one failed as 'serial port ... is busy', held by its sibling worker."""
    workers = _xdist_workers(config)
    if target.place and workers > 1:
        places = place_pool(target.place)
        if len(places) < workers:
            # a place is one worker's for the session: the others found none free, and every test of theirs failed
            given = f"--place {target.place}" if config.getoption("--place") else f"${PLACE_ENV}={target.place}"
            raise pytest.UsageError(f"{given} is {len(places)} board(s), and -n starts {workers} "
                                    f"pytest-xdist workers that each acquire one for the session (all but "
                                    f"{len(places)} finding none free); give a place per worker, or -n {len(places)}")
    if target.place or not target.port or workers <= 1:
        return
    given = f"${PORT_ENV}={target.port}" if target.port_from_env else f"--port {target.port}"
    raise pytest.UsageError(f"{given} is one board, and -n starts {workers} pytest-xdist workers that would each open "
                            f"it (all but one finding it busy); run on one board without -n (or -n 0), or give a "
                            f"pool of boards with --place NAME,NAME...")


def pytest_unconfigure(config: pytest.Config) -> None:
    """Give back the signal handlers pytest_configure took; close a board's port its check opened that no test took."""
    close_ahead()
    relay = config.stash.get(WORKER_SIGNALS_KEY, None)
    if relay is not None:
        relay.close()
    restore_signals(config.stash.get(SIGNALS_KEY, {}))


def pytest_sessionstart(session: pytest.Session) -> None:
    """Let the session's signal handler stop the session (rig.pytest_signals.WorkerSignals)."""
    relay = session.config.stash.get(WORKER_SIGNALS_KEY, None)
    if relay is not None:
        relay.session = session


def _worker_pid(node: Any) -> int | None:
    """The process id of a pytest-xdist worker on this machine (execnet's popen gateway), else None."""
    pid = getattr(getattr(getattr(getattr(node, "gateway", None), "_io", None), "popen", None), "pid", None)
    return pid if isinstance(pid, int) else None


@pytest.hookimpl(optionalhook=True)
def pytest_testnodeready(node: Any) -> None:
    """pytest-xdist (in the controller): a worker is up; SIGTERM, SIGHUP and SIGINT are passed on to it."""
    relay = node.config.stash.get(WORKER_SIGNALS_KEY, None)
    pid = _worker_pid(node)
    if relay is not None and pid is not None:
        relay.add(str(node.gateway.id), pid)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """pytest-xdist (in the controller): a worker has ended."""
    relay = node.config.stash.get(WORKER_SIGNALS_KEY, None)
    if relay is not None:
        relay.remove(str(node.gateway.id))
        if relay.signum is not None:
            # a worker the passed-on signal ended is not replaced: pytest-xdist would start a new one (its
            # interpreter, the rig, the collection) only to shut it down, seconds the session waited for
            # (pytest-xdist has no public switch for it; without this attribute it is replaced as before)
            dsession = node.config.pluginmanager.getplugin("dsession")
            if isinstance(getattr(dsession, "_max_worker_restart", None), int):
                dsession._max_worker_restart = 0


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Any:
    """A pytest-xdist controller that passed SIGTERM, SIGHUP or SIGINT on to its workers goes on until they have
    ended (their runs recorded), then ends the session naming that signal (rather than the workers'
    "keyboard-interrupt" that pytest-xdist reports)."""
    relay = session.config.stash.get(WORKER_SIGNALS_KEY, None)
    try:
        return (yield)
    finally:
        if relay is not None and relay.signum is not None:
            relay.close()
            raise SessionSignal(relay.signum)


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """pytest-xdist: every worker records into the controller's report session and shards by the durations it read."""
    report = node.config.stash.get(REPORT_KEY, None)
    if report is not None:
        node.workerinput[SESSION_INPUT] = report.session
    durations = node.config.stash.get(DURATIONS_KEY, None)
    if durations is not None:
        node.workerinput[DURATIONS_INPUT] = durations


@pytest.hookimpl(optionalhook=True)
def pytest_handlecrashitem(crashitem: str, report: pytest.TestReport, sched: Any) -> None:
    """pytest-xdist (in the controller): a worker died while it ran the test crashitem (killed, a
    segfault). Its runs that were under way become "crashed" rows of the report, their captures so far
    kept: without this they were missing from summary.md and junit.xml, as if never run."""
    worker = getattr(report, "node", None)  # xdist's WorkerController of the worker that died
    config = getattr(worker, "config", None) or getattr(sched, "config", None)
    if not isinstance(config, pytest.Config):
        return
    report_dir = config.stash.get(REPORT_KEY, None)
    if report_dir is None:
        return
    try:
        report_dir.record_crash(crashitem, str(report.longrepr))
    except RigError as exc:  # a full disk: said with the pages, not as a traceback of the controller
        config.stash[REPORT_ERROR_KEY] = str(exc)


def _scenario_of(item: pytest.Item) -> str | None:
    """The catalog scenario a test runs, when it is parametrized by one (tests/hil)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    names = {s.name for s in list_scenarios()}
    for value in params.values():
        if isinstance(value, str) and value in names:
            return value
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """--shard K/N: keep the K-th of N shards, balanced by recorded durations (rig.shard)."""
    text = config.getoption("--shard")
    if not text:
        return
    k, n = parse_shard(text)
    target = config.getoption("--target")
    durations = config.stash[DURATIONS_KEY]
    lengths = {s.name: s.duration_s for s in list_scenarios()}
    scenario = {item.nodeid: _scenario_of(item) for item in items}
    by_scenario = weights(target, [s for s in scenario.values() if s], durations, lengths)
    weight = {nodeid: by_scenario[s] if s else durations.get(nodeid, 1.0) for nodeid, s in scenario.items()}
    keep = set(shard_of([item.nodeid for item in items], k, n, weight))
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item.nodeid in keep]


#: Why the report's pages could not be written, said in the terminal summary.
REPORT_ERROR_KEY = pytest.StashKey[str]()


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Write the report's pages once every worker has recorded its runs (in the controller).

    A report that cannot be written (a full file system, an entry cut short) is said in the summary and
    fails a session that had passed (exit 3), instead of a traceback of the rig's own code."""
    report = session.config.stash.get(REPORT_KEY, None)
    if report is not None and not hasattr(session.config, "workerinput"):
        try:
            report.finish()
        except RigError as exc:
            session.config.stash[REPORT_ERROR_KEY] = str(exc)
            if session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED):
                session.exitstatus = pytest.ExitCode.INTERNAL_ERROR


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Say where the report is, or why it could not be written."""
    report = config.stash.get(REPORT_KEY, None)
    error = config.stash.get(REPORT_ERROR_KEY, None)
    if error is not None:
        terminalreporter.write_line(f"stridelab report: not written: {error}", red=True, bold=True)
    elif report is not None:
        terminalreporter.write_line(f"stridelab report: {report.path / 'index.html'} (junit.xml, plots, captures beside it)")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Skip tests whose target marker excludes this session's target; reject bad markers."""
    current = item.config.getoption("--target")
    for mark in item.iter_markers(name="target"):
        names = mark.args
        if not names or not all(isinstance(n, str) for n in names):
            pytest.fail(f"{item.nodeid}: @pytest.mark.target needs target names, e.g. target('host', 'qemu')",
                        pytrace=False)
        unknown = [n for n in names if n not in TARGETS]
        if unknown:
            pytest.fail(f"{item.nodeid}: @pytest.mark.target names unknown target(s) {unknown}; "
                        f"known: {', '.join(TARGETS)}", pytrace=False)
        if current not in names:
            pytest.skip(f"runs on target(s) {', '.join(names)}; this session's --target is {current}")


@pytest.fixture(scope="session")
def runs_dir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where this session keeps run captures."""
    opt = request.config.getoption("--runs-dir")
    return Path(opt) if opt else tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="session")
def board_lease(request: pytest.FixtureRequest) -> Iterator[PlaceLease | None]:
    """With --target board and --place (or $LG_PLACE): the labgrid place this worker holds for the whole
    session, a different one for each xdist worker; released at the end, or by the keeper if the worker dies."""
    if request.config.getoption("--target") != "board" or request.config.getoption("--port"):
        yield None
        return
    target = make_target("board", None, request.config.getoption("--board-profile"), request.config.getoption("--place"))
    assert isinstance(target, BoardTarget)
    if not target.place:
        yield None
        return
    lease = PlaceLease.acquire(place_pool(target.place), target.coordinator)
    try:
        yield lease
    finally:
        lease.release()


@pytest.fixture
def rig_target(request: pytest.FixtureRequest, board_lease: PlaceLease | None) -> Target:
    """The session's target, not started; skips with the reason if it cannot run here."""
    name = request.config.getoption("--target")
    if board_lease is not None:
        board = BoardTarget(port=board_lease.url, profile=request.config.getoption("--board-profile"))
        board.place_label = board_lease.place
        return board
    target = make_target(name, request.config.getoption("--port"), request.config.getoption("--board-profile"),
                         request.config.getoption("--place"))
    avail = target.usable()
    if not avail.ok:
        pytest.skip(f"target {name} unavailable: {avail.reason}")
    return target


@pytest.fixture
def dut(rig_target: Target, runs_dir: Path, request: pytest.FixtureRequest) -> Iterator[Dut]:
    """The firmware started on the session's target, with its link open (rig.dut.Dut: expect, expect_sequence,
    send, replay); stopped afterwards, its captures in its own run directory."""
    run_dir = new_run_dir(runs_dir, request.node.name, rig_target.name)
    # a target that failed half-way up is stopped too; how it ended goes to target.txt
    with target_running(rig_target, run_dir) as url, \
            Link(url, run_dir, symbolize=symbolizer(rig_target.image())) as link:
        device = Dut(rig_target, link, run_dir)
        try:
            yield device
        finally:
            device.stop(f"its target was stopped when {request.node.nodeid} ended")


@pytest.fixture(name="run_scenario")
def run_scenario_fixture(rig_target: Target, runs_dir: Path, request: pytest.FixtureRequest) -> Callable[..., ScenarioRun]:
    """Callable: run_scenario(name, seed=None) synthesizes, replays and checks a scenario (rig.runner.run_scenario).

    With --report the run becomes a row of the report, and its key figures properties of the test in
    the JUnit XML (a run that cannot complete is recorded as an error, then raised)."""
    report = request.config.stash.get(REPORT_KEY, None)
    port = request.config.getoption("--port")
    label = request.config.getoption("--report-as")

    def run(name: str, seed: int | None = None) -> ScenarioRun:
        seed = checked_seed(seed, f"run_scenario({name!r})")
        seed = seed if seed is not None else get_scenario(name).seed
        require_stopped(rig_target)  # the dut of this test holds it: refused before a run directory is made
        run_dir = new_run_dir(runs_dir, name, rig_target.name)
        t0 = time.monotonic()
        if report is not None:
            # a row before the run: should this process die in it (a pytest-xdist worker killed or
            # crashed), the run is still in the report (pytest_handlecrashitem marks it crashed)
            report.record_under_way(name, rig_target.name, seed, run_dir, port, request.node.nodeid, label)
        try:
            done = run_scenario(rig_target, name, runs_dir, seed, run_dir=run_dir)
        except RigError as exc:
            if report is not None:
                report.record_error(name, rig_target.name, seed, exc, run_dir, port, request.node.nodeid,
                                    time.monotonic() - t0, label)
            place = getattr(rig_target, "place_label", None)
            if place:  # a farm's failure names its place first: many boards, one summary
                raise type(exc)(f"labgrid place {place}: {exc}") from None
            raise
        except KeyboardInterrupt as exc:  # Ctrl-C or a SessionSignal: the run stays in the report, cut short
            if report is not None:
                report.record_cut_short(name, rig_target.name, seed, exc, run_dir, port, request.node.nodeid,
                                        time.monotonic() - t0, label)
            raise
        except Exception as exc:  # not the rig's own error: its row must not say the process died
            if report is not None:
                report.record_error(name, rig_target.name, seed, exc, run_dir, port, request.node.nodeid,
                                    time.monotonic() - t0, label)
            raise
        if report is not None:
            try:
                entry = report.record_run(name, rig_target.name, seed, done.recording, done.result, done.report,
                                          done.run_dir, port, request.node.nodeid, label)
            except KeyboardInterrupt as exc:  # cut short while its row (its plot) was written
                report.record_cut_short(name, rig_target.name, seed, exc, run_dir, port, request.node.nodeid,
                                        time.monotonic() - t0, label)
                raise
            request.node.user_properties += [("scenario", name), ("seed", seed), ("command", entry.command)]
            request.node.user_properties += [(f.metric, f"{f.value:.6g}") for f in entry.figures if f.value is not None]
            if entry.retried:
                request.node.user_properties.append(("retried", f"{len(entry.retried)} failed attempt(s) before"))
        return done

    return run
