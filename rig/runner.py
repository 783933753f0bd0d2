"""Run a recording on a target: start it, replay over the link, stop it, keep everything.

run_scenario() is the one "synthesize, run, judge" the CLI, the pytest plugin and the bench share.
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rig.assertions import Report, check_result
from rig.errors import CaptureError, LinkError, RigError
from rig.inject import to_raw
from rig.link import Link
from rig.out_path import kind_of
from rig.progress_line import ProgressCallback
from rig.records import RunResult
from rig.session import ReplaySession, Timeouts
from rig.symbolize import symbolizer
from rig.targets.base import Target
from rig.targets.process import KILLED_BEFORE_STOP
from scenarios.catalog import synthesize
from scenarios.model import Recording


#: The run directories new_run_dir made in this process, the latest last.
_MADE: list[Path] = []
#: The run directories target_running started a target for, the latest last.
_STARTED: list[Path] = []


def latest_run_dir() -> Path | None:
    """The run directory new_run_dir made last in this process, when a target was started for it (None
    otherwise): where the captures of a command a signal ended are. A run directory whose target had not
    started (rig run still synthesizing its scenario) holds none: a signal then was told as 'the target was
    stopped; captures so far in DIR', of an empty DIR and a target that never ran."""
    if not _MADE:
        return None
    run_dir = _MADE[-1]
    # target.txt: how its target ended, written on every way out of target_running
    return run_dir if run_dir in _STARTED or (run_dir / "target.txt").exists() else None


def unstarted_run_dir() -> Path | None:
    """The run directory new_run_dir made last in this process when no target was started for it (None
    otherwise): a command a signal ended before its target started (rig run synthesizing, rig ble starting its
    phone) made it."""
    if not _MADE or latest_run_dir() is not None:
        return None
    return _MADE[-1]


#: Characters of a run's label (a scenario's or recording's name) in its directory's name.
RUN_LABEL_CHARS = 100


def new_run_dir(runs_dir: Path, label: str, target: str) -> Path:
    """A fresh directory for one run's captures: RUNS/YYYYmmdd-HHMMSS-LABEL-TARGET[-n].

    LABEL is cut to RUN_LABEL_CHARS: a recording named with 240 characters (a name its file system
    holds) made a directory name past the 255 bytes of one, and the run was refused as '--runs-dir:
    cannot create a run directory there (File name too long)'."""
    label = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)[:RUN_LABEL_CHARS]
    stem = f"{time.strftime('%Y%m%d-%H%M%S')}-{label}-{target}"
    for n in range(1000):
        path = runs_dir / (stem if n == 0 else f"{stem}-{n}")
        try:
            path.mkdir(parents=True)
            _MADE[:] = [path]
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            kind = kind_of(runs_dir)
            why = f"it is {kind}, not a directory" if kind not in (None, "a directory") else exc.strerror
            raise RigError(f"--runs-dir {runs_dir}: cannot create a run directory there ({why}); "
                           "give a writable directory") from None
    raise RigError(f"cannot create a run directory under {runs_dir}")


#: The targets target_running has started and not yet stopped: id of the Target -> its run directory.
_RUNNING: dict[int, Path] = {}


def require_stopped(target: Target) -> None:
    """RigError when target is running already (a test's dut, and run_scenario in the same test): a
    Target keeps one firmware, so a second start() would lose the first, which nothing would stop."""
    held = _RUNNING.get(id(target))
    if held is not None:
        raise RigError(f"target {target.name} is already running, for the run in {held}: a target runs one "
                       "firmware at a time, and starting it again would leave that one running with nothing to "
                       "stop it. In a test that has the dut fixture, replay the scenario on it (dut.replay(name)); "
                       "run_scenario belongs in a test without the dut fixture")


@contextmanager
def target_running(target: Target, run_dir: Path) -> Iterator[str]:
    """Start target for a run in run_dir and give its link URL; stop it on every way out of the block.

    However the block ends (done, a RigError, Ctrl-C or the exception a signal raises) the target
    is stopped and how it ended is written to run_dir/target.txt; a start() that fails half-way
    (an emulator launched, its port never served) is stopped all the same. A RigError is raised
    again with how the target ended and where the run directory is.

    A target already running is refused (require_stopped).
    """
    require_stopped(target)
    _RUNNING[id(target)] = run_dir
    _STARTED[:] = [run_dir]
    ended = ""
    try:
        yield target.start(run_dir)
    except RigError as exc:
        # a link that closed because the target could not go on (QEMU's relay on a full disk) says why
        cause = target.link_broken() if isinstance(exc, LinkError) else None
        ended = target.stop()
        if cause is not None:
            exc = cause
        if isinstance(exc, LinkError) and KILLED_BEFORE_STOP in ended:
            # 'writing to /dev/pts/N failed: Input/output error' said what followed; the target's end is the cause
            raise type(exc)(f"{ended}; its link failed with it: {exc}\n  run directory: {run_dir}") from None
        raise type(exc)(f"{exc}\n  target: {ended}\n  run directory: {run_dir}") from None
    finally:
        ending = sys.exc_info()[1]  # the error (or signal) that ends the run, if one does
        try:
            if not ended:
                ended = target.stop()
        finally:
            _RUNNING.pop(id(target), None)
        try:
            (run_dir / "target.txt").write_text(ended + "\n")
        except OSError as exc:
            if ending is None:  # else that error says more, and says how the target ended
                raise CaptureError.writing(run_dir / "target.txt", exc) from None


def run_recording(target: Target, rec: Recording, run_dir: Path, timeouts: Timeouts | None = None,
                  progress: ProgressCallback | None = None) -> RunResult:
    """Replay rec on target; captures and result.json land in run_dir; progress is told of each batch sent.

    On any failure the error says how the target ended and where the capture is;
    the capture files are kept either way.
    """
    raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
    run_s = target.feed(raw, run_dir) if target.sensor_fed else 0.0
    with target_running(target, run_dir) as url, \
            Link(url, run_dir, baud=target.baud, reopen_s=target.reopen_s, symbolize=symbolizer(target.image())) as link:
        # waits follow the target's own progress: a target slowed by a busy host is not hung
        session = ReplaySession(link, timeouts or Timeouts(), clock=target.progress_clock(), progress=progress,
                                hello_check=target.check_hello)
        result = session.run_live(raw, run_s) if target.sensor_fed else session.run(raw)
    write_capture(run_dir / "result.json", json.dumps(result.to_json(), indent=1) + "\n")
    if result.rsc:
        write_capture(run_dir / "app_view.json", json.dumps(result.app_view_json(), indent=1) + "\n")
    return result


def write_capture(path: Path, text: str) -> None:
    """Write a file of a run's captures whole or not at all (scenarios.whole_file); CaptureError naming it
    when that fails (a full file system): written in place, a result.json or app_view.json cut short by a
    full disk stayed as half a JSON under its name, read by a report or a script as the run's."""
    from scenarios.whole_file import write_whole

    def write(out: Path) -> None:
        out.write_text(text, encoding="utf-8")

    try:
        write_whole(path, write)
    except OSError as exc:
        raise CaptureError.writing(path, exc) from None


@dataclass(frozen=True)
class ScenarioRun:
    """A catalog scenario replayed on a target and judged against its truth."""

    name: str
    recording: Recording
    result: RunResult
    report: Report
    run_dir: Path


def run_scenario(target: Target, name: str, runs_dir: Path, seed: int | None = None,
                 timeouts: Timeouts | None = None, run_dir: Path | None = None,
                 progress: ProgressCallback | None = None) -> ScenarioRun:
    """Synthesize catalog scenario `name` (its own seed unless seed is given), replay it on target in
    a fresh run directory under runs_dir (or in run_dir, made by new_run_dir), and judge the result
    against the scenario's truth.

    Raises KeyError naming the catalog for an unknown scenario, RigError when the run fails.
    """
    rec = synthesize(name, seed=seed)
    if rec.truth is None:
        raise RigError(f"scenario {name!r} has no ground truth to judge a run by")
    run_dir = run_dir or new_run_dir(runs_dir, name, target.name)
    result = run_recording(target, rec, run_dir, timeouts, progress)
    return ScenarioRun(name, rec, result, check_result(result, rec.truth), run_dir)
