"""A report directory (layout in rig.report): entries recorded as runs end, pages written from them."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import re
import shutil
import signal
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rig.assertions import Report
from rig.errors import RigError
from rig.out_path import kind_of
from rig.records import RunResult
from rig.report.entry import CAPTURE_FILES, Entry, figures_of, first_failing_stride, rerun_command
from rig.report.html import render
from rig.report.junit import write_junit
from scenarios.input_file import loads_json
from scenarios.model import Recording
from scenarios.whole_file import write_whole

#: What a scenario or target name in a report entry may hold (it makes file names there).
_NAME = re.compile(r"[A-Za-z0-9_.+-]{1,100}")

ENTRIES = "entries"
PLOTS = "plots"
CAPTURES = "captures"


def _real(path: Path) -> Path:
    """path with its symbolic links resolved as far as they go: Path.resolve() ends in a RuntimeError
    traceback at a link that leads back to itself (merge LOOP R, an entry naming such a link)."""
    return Path(os.path.realpath(path))


def _writable_dir(path: Path, option: str) -> Path:
    try:
        os.stat(path)
    except OSError as exc:
        loop = exc.errno == errno.ELOOP
    else:
        loop = False
    if loop:
        raise RigError(f"{option} {path}: a symbolic link that leads back to itself (a loop); remove it, or give "
                       "another directory for the report")
    kind = kind_of(path)
    if kind not in (None, "a directory"):
        raise RigError(f"{option} {path}: is {kind}, not a directory; give a directory for the report "
                       "(it is made when missing)")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = path / f".probe-{uuid.uuid4().hex}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise RigError(f"{option} {path}: cannot write a report there ({exc.strerror}); give a writable directory") from None
    return path


class ReportDir:
    """Where one process (a `rig run`, a pytest session and its workers) records its runs.

    session: the same id in every process of one run (pytest-xdist workers share the controller's),
    so a second attempt of a scenario in the same session is reported as a retry, while a later
    session (another target of `nox -s hil`) adds its own rows beside the earlier ones.
    """

    def __init__(self, path: Path, session: str | None = None, option: str = "--report") -> None:
        self.path = _writable_dir(Path(path), option)
        self.option = option
        self.session = session or uuid.uuid4().hex
        for sub in (ENTRIES, PLOTS, CAPTURES):
            (self.path / sub).mkdir(exist_ok=True)

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """RigError naming the report (and the file, when the system says which) for a write that fails:
        a full file system, a directory made read-only meanwhile."""
        try:
            yield
        except OSError as exc:
            at = f" at {exc.filename}" if exc.filename else ""
            raise RigError(f"{self.option} {self.path}: cannot write the report ({exc.strerror or exc}{at}); free "
                           f"space on that file system, or give another {self.option} (the runs' own captures are "
                           "in their run directories)") from None

    def _inside(self, run_dir: Path) -> bool:
        try:
            _real(run_dir).relative_to(_real(self.path))
            return True
        except ValueError:
            return False

    def _keep_captures(self, run_dir: Path) -> str:
        """The run directory relative to the report, copied into captures/ when it lies elsewhere."""
        if not self._inside(run_dir):
            dest = self.path / CAPTURES / run_dir.name
            dest.mkdir(parents=True, exist_ok=True)
            for name in CAPTURE_FILES:
                if (run_dir / name).is_file():
                    # whole or not at all: a merge reading this report meanwhile, or a signal, sees no half capture
                    _copy_whole(run_dir / name, dest / name)
            run_dir = dest
        return Path(os.path.relpath(_real(run_dir), _real(self.path))).as_posix()

    def record_run(self, scenario: str, target: str, seed: int | None, rec: Recording, result: RunResult,
                   report: Report, run_dir: Path, port: str | None = None, nodeid: str | None = None,
                   label: str | None = None) -> Entry:
        """Record a run that completed (passed or failed its checks): figures, captures, plot.
        label: how the report names the target (default its name), e.g. board-rfc2217 for one way to a board."""
        with self._writing():
            return self._record_run(scenario, target, seed, rec, result, report, run_dir, port, nodeid, label)

    def _record_run(self, scenario: str, target: str, seed: int | None, rec: Recording, result: RunResult,
                    report: Report, run_dir: Path, port: str | None, nodeid: str | None, label: str | None) -> Entry:
        first = first_failing_stride(result, rec.truth) if rec.truth is not None and not report.passed else None
        entry = Entry(
            scenario=scenario, target=label or target, seed=seed, verdict="passed" if report.passed else "failed",
            catalog_seed=_catalog_seed(scenario, seed),
            command=rerun_command(scenario, target, seed, port), figures=figures_of(report),
            failures=list(report.failures), notes=list(result.notes()),
            strides_truth=report.scores.n_truth, strides_detected=report.scores.n_detected,
            realtime_factor=result.realtime_factor, wall_s=result.wall_s,
            run_dir=self._keep_captures(run_dir), nodeid=nodeid, session=self.session,
            first_failing_s=first[0] if first else None, first_failing_why=first[1] if first else None,
        )
        self._own_row(entry)  # the row, before its plot is named after it
        png = self.path / PLOTS / f"{entry.key}.png"
        from rig.report.plots import plot_run  # matplotlib only when a report is drawn
        plot_run(rec, result, png, entry.first_failing_s, entry.first_failing_why)
        entry.plot = f"{PLOTS}/{png.name}"
        return self._save(entry)

    def record_error(self, scenario: str, target: str, seed: int | None, error: BaseException,
                     run_dir: Path | None, port: str | None = None, nodeid: str | None = None,
                     wall_s: float | None = None, label: str | None = None) -> Entry:
        """Record a run that did not complete (a target or link error): the message, whatever was captured."""
        with self._writing():
            return self._record_error(scenario, target, seed, error, run_dir, port, nodeid, wall_s, label)

    def _record_error(self, scenario: str, target: str, seed: int | None, error: BaseException,
                      run_dir: Path | None, port: str | None, nodeid: str | None, wall_s: float | None,
                      label: str | None, save: bool = True) -> Entry:
        entry = Entry(scenario=scenario, target=label or target, seed=seed, verdict="error",
                      catalog_seed=_catalog_seed(scenario, seed),
                      command=rerun_command(scenario, target, seed, port), failures=[str(error)],
                      run_dir=self._keep_captures(run_dir) if run_dir is not None and run_dir.is_dir() else None,
                      nodeid=nodeid, session=self.session, wall_s=wall_s)
        return self._save(entry) if save else entry

    def record_cut_short(self, scenario: str, target: str, seed: int | None, interrupt: BaseException,
                         run_dir: Path | None, port: str | None = None, nodeid: str | None = None,
                         wall_s: float | None = None, label: str | None = None) -> Entry:
        """Record a run a signal cut short (before or while its row was written): an error row marked
        cut short, so the report lists it instead of leaving it out; its captures so far.
        interrupt: the KeyboardInterrupt that ended it (a signal's carries its number as signum; a plain
        one is Ctrl-C)."""
        signal_name = signal.Signals(getattr(interrupt, "signum", signal.SIGINT)).name
        after = f" after {wall_s:.1f} s" if wall_s is not None else ""
        error = RigError(f"cut short by {signal_name}{after}: the run did not complete, so it has no verdict; "
                         "what it captured so far is in its run directory; run it again to judge it")
        with self._writing():
            entry = self._record_error(scenario, target, seed, error, run_dir, port, nodeid, wall_s, label,
                                       save=False)
            entry.cut_short = signal_name
            return self._save(entry)

    def record_under_way(self, scenario: str, target: str, seed: int | None, run_dir: Path,
                         port: str | None = None, nodeid: str | None = None, label: str | None = None) -> Entry:
        """Record a run as it begins: an error row that its end (record_run, record_error, record_cut_short)
        replaces. Should its process die first (SIGKILL, a crash, the OOM killer) the row stays, so the
        report lists the run as not completed instead of leaving it out; record_crash says why when known."""
        error = RigError("under way: the run began and never ended; the process running it died before it "
                         "could record its end (killed, or crashed); what it captured is in its run directory")
        with self._writing():
            entry = self._record_error(scenario, target, seed, error, run_dir, port, nodeid, None, label, save=False)
            entry.under_way = True
            if not self._inside(run_dir):
                entry.source_dir = str(_real(run_dir))
            return self._save(entry)

    def record_crash(self, nodeid: str, why: str) -> list[Entry]:
        """Mark the rows of this session that the test nodeid left under way as crashed (its process died
        while it ran them: a pytest-xdist worker killed or crashed), with why; their captures so far are
        copied in. Returns the rows so marked."""
        marked = []
        with self._writing():
            for path in sorted((self.path / ENTRIES).glob("*.json")):
                try:
                    entry = Entry.from_json(json.loads(path.read_text()))
                except (OSError, ValueError, TypeError):
                    continue  # said when the pages are written
                if not (entry.under_way and entry.nodeid == nodeid and entry.session == self.session):
                    continue
                if entry.source_dir is not None and Path(entry.source_dir).is_dir():
                    entry.run_dir = self._keep_captures(Path(entry.source_dir))
                entry.under_way, entry.source_dir, entry.crashed = False, None, why
                entry.failures = [f"crashed: {why}; the run did not complete, so it has no verdict; what it "
                                  "captured so far is in its run directory; run it again to judge it"]
                entry.write(path)
                marked.append(entry)
        return marked

    def _before(self, entry: Entry) -> Entry | None:
        """The entry the row of entry holds now, or None."""
        try:
            return Entry.from_json(json.loads((self.path / ENTRIES / f"{entry.key}.json").read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def _own_row(self, entry: Entry) -> Entry | None:
        """Give entry a row of its own when another test of this session ran the same scenario on the
        same target (no retry of that test's run: pytest's rerun of the same test is); the entry its
        row holds now, or None."""
        before = self._before(entry)
        if (entry.test is None and before is not None and before.session == entry.session
                and before.nodeid is not None and entry.nodeid is not None and before.nodeid != entry.nodeid):
            entry.test = test_row_name(entry.nodeid)
            before = self._before(entry)
        return before

    def _save(self, entry: Entry) -> Entry:
        before = self._own_row(entry)
        path = self.path / ENTRIES / f"{entry.key}.json"
        if (before is not None and before.under_way and before.session == entry.session
                and before.nodeid == entry.nodeid):
            # the end of the run that row said was under way (or a new attempt after it): the row's
            # earlier attempts carry over, the under-way row itself was no attempt; so does its note that it
            # replaced an earlier run's row
            entry.retried = list(before.retried)
            entry.notes += [n for n in before.notes if n not in entry.notes]
        elif before is not None and before.session == entry.session:
            # the same scenario again in the same session: a retry, never silent
            entry.retried = before.retried + ([{"verdict": before.verdict, "message": "; ".join(before.failures)[:2000]}]
                                              if before.verdict != "passed" else [])
        elif before is not None:
            # another run (a later `rig run`, a second session at once) of the same row: it replaces the
            # row, and says so
            entry.notes.append(f"replaces the row of an earlier run in this report ({before.verdict}; its "
                               f"captures: {before.run_dir or 'none'})")
        entry.write(path)
        return entry

    def finish(self, title: str = "Stridelab scenario report") -> list[Entry]:
        """Write index.html, junit.xml, summary.md and durations.json from every entry in the directory."""
        with self._writing(), pages_lock(self.path):
            entries = load_entries([self.path])
            write_pages(self.path, entries, title)
        return entries


#: The lock file of a report directory's pages (see pages_lock).
PAGES_LOCK = ".pages.lock"


@contextmanager
def pages_lock(out: Path) -> Iterator[None]:
    """Hold the report directory out's pages for one writer: two `rig run --report DIR` (or a merge
    into DIR) finishing at once each read the entries and wrote the pages, and the one that had read
    fewer could write last, leaving a page without the other's run."""
    with open(Path(out) / PAGES_LOCK, "a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def test_row_name(nodeid: str) -> str:
    """A file-name-safe name of a pytest test for its own report row: the node id past its file,
    characters a report name does not hold as '_' (tests/x.py::TestA::test_b[host] -> TestA.test_b_host_)."""
    past_file = nodeid.split("::", 1)[-1].replace("::", ".")
    return re.sub(r"[^A-Za-z0-9_.+-]", "_", past_file).strip(".")[:80] or "test"


def _catalog_seed(scenario: str, seed: int | None) -> bool:
    """Whether seed is the scenario's own (or none was given, or the scenario is not in the catalog)."""
    from scenarios.catalog import get_scenario

    if seed is None:
        return True
    try:
        return bool(get_scenario(scenario).seed == seed)
    except KeyError:
        return True


def load_entries(dirs: Iterable[Path]) -> list[Entry]:
    """Every entry of the report directories (the last read wins for a scenario and target)."""
    found: dict[str, Entry] = {}
    for d in dirs:
        for path in sorted((Path(d) / ENTRIES).glob("*.json")):
            try:
                entry = Entry.from_json(loads_json(path.read_text()))
            except (OSError, ValueError, TypeError) as exc:
                raise RigError(f"{path}: not a report entry ({exc}); was it written by rig.report?") from None
            why = _unnamed(entry)
            if why:
                raise RigError(f"{path}: not a report entry: {why}; was it written by rig.report?")
            found[entry.key] = entry
    return list(found.values())


def _unnamed(entry: Entry) -> str | None:
    """What keeps an entry's scenario, target or test from naming its files (entries/, plots/,
    captures/: a target of '../../x' would write outside the report), or None."""
    for field in ("scenario", "target"):
        value = getattr(entry, field)
        if not isinstance(value, str) or not _NAME.fullmatch(value) or not value.strip("."):
            return f"its {field} {value!r} is no name rig.report writes (letters, digits, _ . + -)"
    if entry.test is not None and (not isinstance(entry.test, str) or not _NAME.fullmatch(entry.test)
                                   or not entry.test.strip(".")):
        return f"its test {entry.test!r} is no name rig.report writes (letters, digits, _ . + -)"
    return None


def write_pages(out: Path, entries: Sequence[Entry], title: str) -> None:
    """index.html, junit.xml, summary.md and durations.json of entries, in out."""
    present = {e.key: [n for n in CAPTURE_FILES if e.run_dir and (out / e.run_dir / n).is_file()] for e in entries}
    durations = {f"{e.target}::{e.scenario}": round(e.wall_s, 3) for e in entries if e.wall_s is not None}
    # each page whole or not at all: a reader (a browser, CI's upload, a shard's merge) never sees half
    _write_text(out / "index.html", render(entries, title, present))
    def junit(part: Path) -> None:
        write_junit(entries, part)

    write_whole(out / "junit.xml", junit)
    _write_text(out / "summary.md", summary_markdown(entries, title))
    _write_text(out / "durations.json", json.dumps(dict(sorted(durations.items())), indent=1) + "\n")


#: Errors of a copy that the destination's file system gives (shutil names the source file in them).
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


def _copy_whole(src: Path, dest: Path) -> None:
    """Copy src to dest (its times too) whole or not at all. A copy onto a full file system (no room, no quota,
    read-only) fails naming dest: shutil names src (and the part file), and the report's error then said
    '(No space left on device at RUN_DIR/tx.bin)', the capture read, not the copy that could not be written."""
    def copy(part: Path) -> None:
        try:
            shutil.copy2(src, part)
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                raise
            raise OSError(exc.errno, exc.strerror, str(dest)) from None

    write_whole(dest, copy)


def _write_text(path: Path, text: str) -> None:
    """Write text to path whole or not at all."""
    def write(part: Path) -> None:
        part.write_text(text)

    write_whole(path, write)


def summary_markdown(entries: Sequence[Entry], title: str) -> str:
    """Totals per target, then every run that failed, did not complete or passed only on a retry."""
    lines = [f"## {title}", "", "| target | runs | passed | of which retried | failed | error |", "|---|---|---|---|---|---|"]
    for target in sorted({e.target for e in entries}):
        rows = [e for e in entries if e.target == target]
        lines.append(f"| {target} | {len(rows)} | {sum(e.verdict == 'passed' for e in rows)} | "
                     f"{sum(e.retried_pass for e in rows)} | {sum(e.verdict == 'failed' for e in rows)} | "
                     f"{sum(e.verdict == 'error' for e in rows)} |")
    odd = sorted((e for e in entries if e.verdict != "passed" or e.retried), key=lambda e: (e.target, e.scenario))
    if odd:
        lines += ["", "| run | verdict | why | re-run |", "|---|---|---|---|"]
        for e in odd:
            why = (e.failures[0] if e.failures else e.retried[-1].get("message", "")).splitlines()[0][:160]
            verdict = (f"passed after {len(e.retried)} failed attempt(s)" if e.retried_pass
                       else "crashed" if e.crashed else f"cut short by {e.cut_short}" if e.cut_short
                       else "never ended" if e.under_way else e.verdict)
            lines.append(f"| {e.name} on {e.target} | {verdict} | {why.replace('|', '/')} | `{e.command}` |")
    if not entries:
        lines.append("\nNo scenario ran.")
    return "\n".join(lines) + "\n"


def _within(path: Path, top: Path) -> bool:
    """Whether path (symlinks resolved) lies inside the directory top."""
    try:
        _real(path).relative_to(_real(top))
        return True
    except ValueError:
        return False


def _refuse_rows_twice(loaded: Sequence[tuple[Path, list[Entry]]]) -> None:
    """RigError for a report given twice, or a row (a scenario on a target) that two reports hold: the last read
    replaced the other without a word, so merging a failed run's report before a passed one's reported a pass
    (exit 0); which of the two is the run to report cannot be told."""
    given: dict[Path, Path] = {}
    where: dict[str, Path] = {}
    for src, found in loaded:
        real = _real(src)
        if real in given:
            raise RigError(f"merge: {src} is given twice ({given[real]} and {src}); give each report once")
        given[real] = src
        for e in found:
            if e.key in where:
                raise RigError(f"merge: {e.name} on {e.target} is a row of both {where[e.key]} and {src}: which run "
                               "to report cannot be told; merge the reports of different runs (each job's or "
                               "shard's own), or leave one of the two out")
            where[e.key] = src


def merge_reports(out: Path, sources: Sequence[Path], title: str = "Stridelab scenario report") -> list[Entry]:
    """One report in out from several report directories: entries, plots and captures copied, pages rewritten."""
    for src in sources:
        if _real(Path(src)) == _real(Path(out)):
            # its captures and plots would be copied into it again under new names at every merge
            raise RigError(f"merge: OUT {out} is also a DIR to merge; give a new directory for the merged report "
                           f"(e.g. {Path(out).name}-merged)")
    # every DIR is read and checked before OUT is made: a bad one named after good ones left OUT
    # holding their captures and plots, and no entries or pages
    loaded: list[tuple[Path, list[Entry]]] = []
    for src in sources:
        if not (Path(src) / ENTRIES).is_dir():
            raise RigError(f"merge: {src} is no report directory (it has no {ENTRIES}/); give directories that "
                           "rig run --report or pytest --report wrote")
        found = load_entries([Path(src)])
        for e in found:
            for attr in ("run_dir", "plot"):
                rel = getattr(e, attr)
                if rel is not None and not _within(Path(src) / rel, Path(src)):
                    # what merge copies is the report's own: an entry naming / or /etc would copy that
                    raise RigError(f"merge: {src}: the entry of {e.scenario} on {e.target} names its {attr} {rel!r}, "
                                   f"outside that report; an entry's captures and plot lie inside its report "
                                   "directory (was it written by rig.report?)")
        loaded.append((Path(src), found))
    _refuse_rows_twice(loaded)
    earlier = sorted((Path(out) / ENTRIES).glob("*.json")) if (Path(out) / ENTRIES).is_dir() else []
    if earlier:
        # its rows stayed in entries/ (read by the next merge of OUT) while the page, junit.xml and the exit status
        # told of the merged ones alone: an earlier failure there was neither shown nor counted
        raise RigError(f"merge: OUT {out} holds a report already ({len(earlier)} row(s) in {ENTRIES}/); give a new "
                       f"directory for the merged report, or give {out} as a DIR to merge into another")
    out = _writable_dir(Path(out), "merge: OUT")
    entries: dict[str, Entry] = {}
    for src, found in loaded:
        for e in found:
            for attr in ("run_dir", "plot"):
                rel = getattr(e, attr)
                if rel is None:
                    continue
                source = Path(src) / rel
                dest = out / (CAPTURES if attr == "run_dir" else PLOTS) / f"{e.target}--{Path(rel).name}"
                if source.is_dir():
                    shutil.copytree(source, dest, dirs_exist_ok=True)
                elif source.is_file():
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, dest)
                setattr(e, attr, dest.relative_to(out).as_posix())
            entries[e.key] = e
    (out / ENTRIES).mkdir(exist_ok=True)
    with pages_lock(out):
        for e in entries.values():
            e.write(out / ENTRIES / f"{e.key}.json")
        merged = list(entries.values())
        write_pages(out, merged, title)
    return merged
