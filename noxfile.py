"""Stridelab sessions. `nox -l` lists them; `nox -s hil` is the main job."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType

import nox

nox.options.sessions = ["tests", "hil"]
nox.options.reuse_existing_virtualenvs = True

ROOT = Path(__file__).parent
#: Targets `hil` tries, in order; each one that is unavailable here is reported and skipped.
HIL_TARGETS = ("host", "qemu", "cocotb", "renode", "board")


#: What a report directory holds (rig.report): clearing one removes these and nothing else.
REPORT_PARTS = ("entries", "plots", "captures", "index.html", "junit.xml", "summary.md", "durations.json")


def last_option(args: list[str], option: str) -> str | None:
    """The value of the last `option VALUE` or `option=VALUE` in pytest arguments, None without one,
    "" for one with no value (an empty one, or none after it)."""
    found = None
    for i, arg in enumerate(args):
        if arg == option:
            found = args[i + 1] if i + 1 < len(args) else ""
        elif arg.startswith(option + "="):
            found = arg.split("=", 1)[1]
    return found


def junit_option(args: list[str]) -> str | None:
    """pytest's --junitxml FILE (or --junit-xml) in pytest arguments, as the option and its last value; None without."""
    for option in ("--junitxml", "--junit-xml"):
        value = last_option(args, option)
        if value is not None:
            return f"{option} {value or 'FILE'}"
    return None


def report_option(args: list[str]) -> str | None:
    """The directory of the last --report DIR or --report=DIR in pytest arguments (see last_option)."""
    return last_option(args, "--report")


def scenario_rows(report: Path, label: str) -> int:
    """How many scenario runs of the target the report names label (rig.report's entries/LABEL--*.json) it holds."""
    return len(list((report / "entries").glob(f"{label}--*.json")))


def clear_report(report: Path) -> None:
    """Remove an earlier report's parts from report (never the directory, nor anything else in it)."""
    if not (report / "entries").is_dir():
        return
    for part in REPORT_PARTS:
        path = report / part
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.is_file() or path.is_symlink():
            path.unlink()
    for junit in report.glob("pytest-junit-*.xml"):
        junit.unlink()


#: How long a session waits, after passing SIGTERM, SIGHUP or SIGINT on to the command it runs (pytest), for
#: that command to stop its targets and write its report before nox ends, s.
PASS_ON_GRACE_S = 60.0
#: The signals a session passes on to the command it runs. SIGINT from a terminal (Ctrl-C) reaches the command
#: already, and again from nox, a copy pytest ignores (rig.pytest_signals); sent to nox alone (`kill -INT`, a CI
#: runner cancelling) it reached it not at all: nox's own handling sent it SIGTERM 0.3 s later, then SIGKILL.
PASSED_ON = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


def _proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name (state, ppid, ...), None for no such process."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def _parents() -> dict[int, int]:
    """Each process's parent pid, by its pid, from /proc."""
    parent: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        stat = _proc_stat(int(entry.name)) if entry.name.isdigit() else None
        if stat is not None:
            parent[int(entry.name)] = int(stat[1])
    return parent


def _descendants(root: int) -> list[int]:
    """Every process below root (children first), from /proc."""
    parent = _parents()
    found: list[int] = []
    todo = [root]
    while todo:
        top = todo.pop(0)
        below = [pid for pid, ppid in parent.items() if ppid == top and pid not in found]
        found += below
        todo += below
    return found


def _running(pid: int) -> bool:
    """Whether pid is a process that has not ended (a zombie has)."""
    stat = _proc_stat(pid)
    return stat is not None and stat[0] != "Z"


@contextlib.contextmanager
def signals_passed_on(log: Callable[[str], object], grace_s: float = PASS_ON_GRACE_S) -> Iterator[None]:
    """While the body runs: SIGTERM, SIGHUP or SIGINT sent to nox (a CI timeout, `kill PID`, Ctrl-C) is passed
    on to the command the session runs (pytest stops its targets and writes its report); once that has ended,
    or after grace_s (then what is left of it is killed), nox ends by the same signal. Further signals
    meanwhile are ignored. Without it nox died at once and left pytest, its xdist workers and their
    emulators running, and no report was written; on SIGINT nox sent the command SIGTERM after 0.3 s and
    SIGKILL after 0.5 s, before it had stopped its targets."""
    def pass_on(signum: int, frame: FrameType | None) -> None:
        for sig in PASSED_ON:
            signal.signal(sig, signal.SIG_IGN)  # the command's clean-up must not be cut short
        name = signal.Signals(signum).name
        direct = [pid for pid, ppid in _parents().items() if ppid == os.getpid()]
        for pid in direct:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)
        if direct:
            log(f"{name}: passed on to the command this session runs (pid {', '.join(map(str, direct))}); waiting "
                f"up to {grace_s:.0f} s for it to stop its targets and write its report")
        deadline = time.monotonic() + grace_s
        while any(_running(pid) for pid in direct) and time.monotonic() < deadline:
            time.sleep(0.05)
        left = [pid for pid in _descendants(os.getpid()) if _running(pid)]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        log(f"{name}: the session ends by it" + (f"; killed {len(left)} process(es) still running after "
                                                  f"{grace_s:.0f} s" if left else ""))
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # ends nox as the signal would have: its status says which
    # only a signal left at its default (SIGINT's is Python's KeyboardInterrupt): one ignored (nohup, a job
    # started with & by a script) stays ignored
    before = {sig: signal.signal(sig, pass_on) for sig in PASSED_ON
              if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def passing_signals_on(body: Callable[[nox.Session], None]) -> Callable[[nox.Session], None]:
    """A session whose commands get the SIGTERM, SIGHUP or SIGINT nox gets (signals_passed_on)."""
    @functools.wraps(body)
    def session_body(session: nox.Session) -> None:
        with signals_passed_on(session.log):
            body(session)

    return session_body


def _install(session: nox.Session, *extras: str) -> None:
    spec = f".[{','.join(('test',) + extras)}]"
    session.install("-e", spec)


def _pytest(session: nox.Session, *args: str, allow_empty: bool = False, posargs: list[str] | None = None) -> None:
    """Run pytest with strict markers; posargs (the session's unless given) go through. Exit code 5 (nothing
    collected) is fine if allowed."""
    codes = [0, 5] if allow_empty else [0]
    given = list(session.posargs) if posargs is None else posargs
    session.run("python", "-m", "pytest", "--strict-markers", *args, *given, success_codes=codes)


def mark_option(args: list[str]) -> tuple[str | None, list[str]]:
    """The last -m EXPR of pytest arguments (-m EXPR, -mEXPR or -m=EXPR; None without one), and the arguments
    without any -m."""
    expr, rest = None, []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "-m":
            expr = args[i + 1] if i + 1 < len(args) else ""
            i += 2
            continue
        if arg.startswith("-m") and not arg.startswith("--"):
            expr = arg[2:].removeprefix("=")
        else:
            rest.append(arg)
        i += 1
    return expr, rest


def _availability(session: nox.Session) -> dict[str, list]:
    """Each target's [available, reason] on this machine, asked of the installed rig."""
    return json.loads(
        session.run("python", "-c", "import json; from rig.targets import available_targets as a; "
                    "print(json.dumps({n: [v.ok, v.reason] for n, v in a().items()}))", silent=True)
    )


def _available(session: nox.Session, target: str) -> bool:
    ok, reason = _availability(session).get(target, [False, "not a registered target"])
    if not ok:
        session.log(f"target {target} skipped: {reason}")
    return bool(ok)


@nox.session
@passing_signals_on
def tests(session: nox.Session) -> None:
    """Unit and integration tests: C units under ASan/UBSan, then pytest on every available target."""
    named = last_option(list(session.posargs), "--target")
    if named is not None:
        # the second pass gives --target qemu: pytest refused the user's (--target given twice) only after the
        # whole first pass had run
        session.error(f"tests: it runs every test on host, then the target-marked ones on each emulator available; "
                      f"for one target: python -m pytest --target {named or 'qemu'} tests")
    _install(session, "cocotb", "ble", "labgrid")
    # Tests marked for an emulator run again with that target where it is installed
    # (-m target: only tests that say which targets they run on).
    emulators = [target for target in ("qemu",) if _available(session, target)]
    junit = junit_option(list(session.posargs))
    if junit is not None and emulators:
        # the second pass wrote it too: the file held the target-marked tests of the last pass alone
        session.error(f"tests: its pytest passes (every test, then those marked for {', '.join(emulators)}) would each "
                      f"write {junit}, the last replacing the others; run pytest yourself for one file: python -m "
                      f"pytest tests {junit}")
    session.run("make", "-C", "firmware_c", "test", external=True)
    _pytest(session, "-n", "auto", "tests")
    # a -m of the user's after ours replaced it (pytest takes the last): the qemu pass ran every test it
    # selected, target-marked or not; both must hold
    expr, rest = mark_option(list(session.posargs))
    marks = "target and not slow" if expr is None else f"(target and not slow) and ({expr})"
    for target in emulators:
        _pytest(session, "-n", "auto", "-m", marks, "--target", target, "tests", allow_empty=True, posargs=rest)


#: Where `nox -s hil` writes its report unless `-- --report DIR` says otherwise.
HIL_REPORT = "runs/hil-report"


@nox.session
@passing_signals_on
def hil(session: nox.Session) -> None:
    """Main job: the scenario suite on every available target (or $STRIDELAB_HIL_TARGETS), report in runs/hil-report."""
    _install(session, "cocotb")
    avail = _availability(session)
    given = os.environ.get("STRIDELAB_HIL_TARGETS", "")
    chosen = [t.strip() for t in given.split(",") if t.strip()]
    if given and not chosen:
        # set but naming none (' , ', an unset substitution): every target ran, as if it were unset
        session.error(f"hil: $STRIDELAB_HIL_TARGETS={given!r} names no target; name them (e.g. host,qemu), or unset "
                      f"it for every target available")
    unknown = [t for t in chosen if t not in HIL_TARGETS]
    if unknown:
        session.error(f"hil: $STRIDELAB_HIL_TARGETS names {', '.join(unknown)}; targets: {', '.join(HIL_TARGETS)}")
    twice = sorted({t for t in chosen if chosen.count(t) > 1})
    if twice:
        # the suite ran again on that target, its second session's rows replacing the first's in the report
        session.error(f"hil: $STRIDELAB_HIL_TARGETS names {', '.join(twice)} twice; name each target once")
    args = list(session.posargs)
    named = last_option(args, "--target")
    if named is not None:
        # pytest would refuse it at the first target ('--target given twice (host and qemu)'), naming a
        # --target the user never wrote
        session.error(f"hil: it gives each target its own --target; choose the targets with "
                      f"STRIDELAB_HIL_TARGETS={named or 'qemu'} nox -s hil, not with -- --target")
    if last_option(args, "--report-as") is not None:
        # every target's rows under one name: each target's run of a scenario replaced the one before
        session.error("hil: the report names each target by its own name; --report-as names a session of one "
                      "target (pytest --target qemu --report-as NAME, nox -s board)")
    junit = junit_option(args)
    if junit is not None and sum(bool(avail.get(t, [False])[0]) for t in chosen or HIL_TARGETS) > 1:
        # each target's pytest wrote it: the file held the last target's tests alone
        session.error(f"hil: each target's pytest would write {junit}, the last replacing the others; each target's "
                      "JUnit XML is in the report (pytest-junit-TARGET.xml, and junit.xml of every scenario run): "
                      "drop it")
    given = report_option(args)
    if given == "":
        # refused before anything is cleared: the default report must not be emptied for a typo
        session.error("hil: --report needs a directory (e.g. -- --report runs/my-report); none was given")
    report = Path(given) if given else ROOT / HIL_REPORT
    if given is None:
        args += ["--report", str(report)]
    clear_report(report)  # a report of this session only: rows from an earlier one would mislead
    ran: dict[str, int] = {}  # target -> scenario runs in the report
    for target in chosen or HIL_TARGETS:
        ok, reason = avail.get(target, [False, "not a registered target"])
        if not ok:
            session.log(f"hil: target {target} skipped: {reason}")
            if chosen:
                session.error(f"hil: target {target} was asked for but cannot run here: {reason}")
            continue
        session.log(f"hil: running the scenario suite on {target}")
        # one board at $STRIDELAB_PORT serves one worker (pytest refuses more); a labgrid pool serves several
        workers = "0" if target == "board" and os.environ.get("STRIDELAB_PORT", "").strip() else "auto"
        session.run("python", "-m", "pytest", "--strict-markers", "-n", workers, "tests/hil", "--target", target,
                    "--runs-dir", f"runs/hil-{target}", *args, success_codes=[0, 5])
        ran[target] = scenario_rows(report, target)
        if not ran[target]:
            session.log(f"hil: no scenario ran on {target} (none was selected, or every one was skipped there)")
    if not ran:
        session.error("hil: no target is available on this machine")
    if not any(ran.values()) and last_option(args, "--shard") is None:  # a shard may be empty, a selection not
        session.error(f"hil: no scenario ran on any target: the arguments after -- ({' '.join(session.posargs)}) "
                      "select none of the scenario suite's tests, or run none (--collect-only); name scenarios of "
                      "the catalog, e.g. nox -s hil -- -k sprint")
    session.log(f"hil: passed on {', '.join(f'{t} ({n} scenario runs)' for t, n in ran.items())}; "
                f"report {report / 'index.html'}, captures under runs/")


#: How `nox -s board` reaches the stand-in board ($STRIDELAB_BOARD_VIA; python -m rig.board_stand --via).
BOARD_VIAS = ("pty", "rfc2217")


@nox.session(default=False)
@passing_signals_on
def board(session: nox.Session) -> None:
    """The scenario suite on the board target through a stand-in board: the native firmware over a pty, or RFC 2217."""
    via = os.environ.get("STRIDELAB_BOARD_VIA", "pty")
    if via not in BOARD_VIAS:
        # handed on as board_stand's --via: refused as 'argument --via: invalid choice', naming an option nobody gave
        session.error(f"board: $STRIDELAB_BOARD_VIA={via!r} is no way to the stand-in board; set it to one of "
                      f"{', '.join(BOARD_VIAS)} (default pty), or unset it")
    _install(session)
    if last_option(list(session.posargs), "--target") not in (None, "board"):
        session.error("board: it runs the suite on the board target; for another target: nox -s hil")
    args = list(session.posargs)
    sharded = last_option(args, "--shard") is not None  # a shard may be empty, a selection not
    nothing = (f"board: no scenario ran: the arguments after -- ({' '.join(args)}) select none of the scenario "
               "suite's tests, or run none (--collect-only); name scenarios of the catalog, e.g. nox -s board -- -k sprint")
    # the way to the board names the target in a report (pytest refuses --report-as without --report)
    named = ["--report-as", f"board-{via}"] if report_option(args) else []
    try:
        # one firmware serves the whole suite, one run after the other (no -n)
        session.run("python", "-m", "rig.board_stand", "--via", via, "--", "python", "-m", "pytest", "--strict-markers",
                    "tests/hil", "--target", "board", *named, "--runs-dir", f"runs/hil-board-{via}", *args,
                    success_codes=[0, 5] if sharded else [0])
    except Exception as exc:  # nox's CommandFailed: pytest's exit 5 is 'no test selected'
        if getattr(exc, "return_code", None) == 5:
            session.error(nothing)
        raise
    report = report_option(args)
    # pytest takes the last --report-as: a name given after -- is the one the rows are under
    label = last_option(args, "--report-as") or f"board-{via}"
    if report and not sharded and not scenario_rows(Path(report), label):
        session.error(nothing)


@nox.session
def bench(session: nox.Session) -> None:
    """Accuracy and cost of the analyzer over the scenario catalog (prints the figures)."""
    _install(session)
    session.run("rig", "bench", *session.posargs)


@nox.session(default=False)
def speed(session: nox.Session) -> None:
    """Speed figures as ratios: QEMU per-test overhead, host 30-minute run, QEMU replay, cocotb catalog."""
    _install(session, "cocotb")
    session.run("python", "-m", "rig.speed", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Static checks: ruff and strict mypy over every package, the GitHub workflow, generated C is current."""
    _install(session, "cocotb", "ble")  # mypy checks the testbenches and the BLE shoe against their libraries' types
    session.install("ruff", "mypy")
    session.run("ruff", "check", "rig", "frame_spec", "scenarios", "emulated_chip", "tests", "noxfile.py")
    session.run("mypy")  # every package, as [tool.mypy] in pyproject.toml says
    workflows = [str(p) for p in sorted((ROOT / ".github" / "workflows").glob("*.yml"))]
    session.run("actionlint", *workflows)
    session.run("check-jsonschema", "--builtin-schema", "vendor.github-workflows", *workflows)
    session.run("python", "-m", "frame_spec.cgen", "firmware_c/gen", "--check")
    session.run("python", "-m", "frame_spec.golden", "--check")
    session.run("python", "-m", "frame_spec.rscs_golden", "--check")


@nox.session(default=False)
def faults(session: nox.Session) -> None:
    """Fault campaign: the catalog through a link that corrupts, drops, repeats, splits, delays, stalls and resets."""
    if last_option(list(session.posargs), "--target") is not None:
        session.error("faults: it runs the campaign on host, then qemu (each where available); for one target: "
                      "python -m rig.fault_campaign --target qemu")
    given = last_option(list(session.posargs), "--json")
    if given is not None:
        # each pass wrote it: the qemu campaign's figures replaced the host campaign's without a word
        session.error(f"faults: its host and qemu passes would each write --json {given or 'OUT'}, the second replacing "
                      f"the first; for one target's figures as JSON: python -m rig.fault_campaign --target qemu --json "
                      f"{given or 'OUT'}")
    _install(session)
    for target in ("host", "qemu"):
        if _available(session, target):
            session.run("python", "-m", "rig.fault_campaign", "--target", target, *session.posargs)


@nox.session(default=False)
def linkbench(session: nox.Session) -> None:
    """Link utilization: replay through a line at 115200 and 921600 baud, print the share of its byte rate used."""
    _install(session)
    session.run("python", "-m", "rig.linkbench", *session.posargs)


@nox.session(default=False)
def sanitizers(session: nox.Session) -> None:
    """The whole scenario catalog on the native firmware built with AddressSanitizer and UBSan."""
    _install(session)
    session.run("python", "-m", "rig.sanitizer_campaign", *session.posargs)


@nox.session(default=False)
def coverage(session: nox.Session) -> None:
    """Coverage of the firmware by the catalog: gcov on the host build, the ARM image under QEMU; HTML in runs/coverage."""
    _install(session)
    session.install("gcovr")
    arm = ["--arm"] if _available(session, "qemu") else []  # the ARM image under QEMU too, where it runs
    session.run("python", "-m", "rig.coverage_campaign", *arm, *session.posargs)


#: Executions per libFuzzer target in `nox -s fuzz` unless -runs=N or -max_total_time=S is given after --.
FUZZ_RUNS = 10_000_000
#: The range each bounding libFuzzer flag may take (libFuzzer reads -runs=-1, -max_total_time=0 and
#: -timeout=0 as no bound at all): executions per target, seconds per target, seconds per input.
FUZZ_BOUNDS = {"-runs": (1, 1_000_000_000), "-max_total_time": (1, 86_400), "-timeout": (1, 3_600)}


def fuzz_bound_problems(args: list[str]) -> list[str]:
    """What is wrong with each -runs=, -max_total_time= and -timeout= in libFuzzer arguments: a value that is
    no whole number, or one outside FUZZ_BOUNDS. -runs=-1 ran each fuzzer until stopped; -runs=1e6 and
    -timeout=abc were read by libFuzzer's atoi as 1 and 0 (no timeout), without a word."""
    problems = []
    for arg in args:
        flag, _, value = arg.partition("=")
        if flag not in FUZZ_BOUNDS:
            continue
        lo, hi = FUZZ_BOUNDS[flag]
        what = "executions per target" if flag == "-runs" else "seconds"
        if not re.fullmatch(r"[0-9]+", value.strip()):
            problems.append(f"{arg}: give a whole number of {what}, {lo}..{hi:,}")
        elif not lo <= int(value) <= hi:
            problems.append(f"{arg}: out of range; give {lo}..{hi:,} {what}")
    return problems
FUZZ_TARGETS = ("fuzz_frame", "fuzz_config", "fuzz_rx", "fuzz_codec")


@nox.session(default=False, python=False)
def fuzz(session: nox.Session) -> None:
    """libFuzzer campaign on the firmware's frame decoder, CONFIG parser, receive path and message codec under ASan/UBSan."""
    args = list(session.posargs)
    strays = [a for a in args if not re.fullmatch(r"-\w+=.*", a)]
    if strays:
        # libFuzzer takes a bare argument for a corpus directory: '100' would be fuzzed into as one
        session.error(f"fuzz: {' '.join(strays)}: give libFuzzer flags as -flag=value (e.g. -runs=1000, "
                      "-max_total_time=60)")
    problems = fuzz_bound_problems(args)
    if problems:
        session.error(f"fuzz: {'; '.join(problems)} (libFuzzer would run without that bound, or read the number "
                      "as another)")
    if not any(a.startswith(("-runs=", "-max_total_time=")) for a in args):
        # another flag alone (-max_len=64) took the bound away: libFuzzer runs until stopped
        args.append(f"-runs={FUZZ_RUNS}")
    session.run("make", "-C", "firmware_c", "fuzz", external=True)
    figures = []
    for name in FUZZ_TARGETS:
        corpus = ROOT / "firmware_c" / "build" / "fuzz" / f"corpus-{name}"
        corpus.mkdir(parents=True, exist_ok=True)
        # libFuzzer's -jobs=N writes each job's output to fuzz-K.log in the current directory: they were left in
        # the project's root, each fuzzer's over the one before
        logs = corpus.parent / f"logs-{name}"
        logs.mkdir(exist_ok=True)
        with session.chdir(logs):
            out = session.run(str(corpus.parent / name), str(corpus), "-print_final_stats=1",
                              f"-artifact_prefix={corpus.parent}/{name}-", *args, external=True, silent=True,
                              stderr=subprocess.STDOUT)
        stats = dict(re.findall(r"^stat::(\w+):\s*(\S+)", str(out), re.MULTILINE))
        done = [line for line in str(out).splitlines() if " DONE " in line]
        per_s = stats.get('average_exec_per_sec', '?').strip()
        # libFuzzer divides by whole seconds: a short campaign (-runs=N done within a second) says 0 per s
        rate = "all within a second" if per_s == "0" else f"{per_s} per s"
        figures.append(f"{name}: {stats.get('number_of_executed_units', '?').strip()} executions, "
                       f"{rate}, peak RSS "
                       f"{stats.get('peak_rss_mb', '?').strip()} MB, no crash"
                       + (f"; {done[-1].split('DONE')[1].split('exec/s')[0].strip()}" if done else "")
                       + (f"; its jobs' output: {logs}/fuzz-*.log" if any(logs.glob("fuzz-*.log")) else ""))
    for line in figures:
        session.log(f"fuzz: {line}")


@nox.session(default=False)
def gen(session: nox.Session) -> None:
    """Regenerate the C message codec and the golden vectors from frame_spec (everything lint checks is current)."""
    _install(session)
    session.run("python", "-m", "frame_spec.cgen", "firmware_c/gen")
    session.run("python", "-m", "frame_spec.golden")
    session.run("python", "-m", "frame_spec.rscs_golden")


if __name__ == "__main__":
    sys.exit(subprocess.call([sys.executable, "-m", "nox", *sys.argv[1:]]))
