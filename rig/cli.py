"""The `rig` command line: list, run, replay, record, synth, plot, bench, explore, ble.

Exit status: 0 success, 1 a run finished but failed its checks, 2 bad input or
a target/link error (the message names the input and the capture).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from rig.assertions import format_run_report
from rig.boards import DEFAULT_PROFILE, PROFILE_ENV, PROFILES
from rig.once import Once
from rig.tool_args import ArgumentParser, file_with_slash, in_file, positive_s
from rig.bench import NATIVE, format_bench_report, run_bench
from rig.errors import RigError, TargetUnavailable
from rig.explore import add_arguments as explore_arguments
from rig.explore import main as explore_main
from rig.explore import seed_arg
from rig.inject import below_specified_rate, beyond_full_scale, to_raw
from rig.ble.hci_arg import hci_arg
from rig.out_path import (check_link, kind_of, out_dir, out_file, refuse_another_kind, refuse_overwriting_inputs,
                          write_output)
from rig.port_open import close_ahead
from rig.progress_line import ProgressLine
from rig.report import ReportDir
from rig.resd_out import write_raw
from rig.runner import latest_run_dir, new_run_dir, run_recording, run_scenario, target_running, unstarted_run_dir
from rig.shard import load_durations, parse_shard, shard_of, weights
from rig.summary_check import result_problems
from rig.targets import TARGETS, Target, available_targets, make_target
from scenarios.cache import cache_dir
from scenarios.catalog import get_scenario, list_scenarios, synthesize
from scenarios.input_file import bytes_quoted, excerpt, is_stdin
from scenarios.recording_csv import (ODR_RANGE_HZ, gravity_note, sample_rate_hz, rate_in_range, read_recording,
                                     write_recording)

#: Where captures go unless --runs-dir says (a string: argparse checks it as it checks a given one).
DEFAULT_RUNS_DIR = "runs"


def cmd_list(args: argparse.Namespace) -> int:
    """Print the scenario catalog and the targets with their availability."""
    scenarios = list_scenarios()
    targets = available_targets()
    if args.json:
        print(json.dumps({
            "scenarios": [{"name": s.name, "description": s.description, "duration_s": s.duration_s,
                           "tags": list(s.tags)} for s in scenarios],
            "targets": {n: {"available": a.ok, "reason": a.reason} for n, a in targets.items()},
        }, indent=1))
        return 0
    print(f"scenarios ({len(scenarios)}):")
    for s in scenarios:
        print(f"  {s.name:<24} {s.duration_s:7.0f} s  {s.description}")
    print("targets:")
    for name, avail in targets.items():
        state = "available" if avail.ok else f"unavailable: {avail.reason}"
        print(f"  {name:<8} {TARGETS[name].description}\n           {state}")
    return 0


def _refuse_stdin(name: str, command: str) -> None:
    """RigError for '-' given to a command that reads no recording from standard input (only rig replay does):
    `logger | rig plot - --png p.png` was told 'unknown scenario '-'', the catalog listed, no word of the pipe."""
    if is_stdin(name) and command in ("plot", "bench"):
        raise RigError(f"rig {command}: '-' (standard input) is no source rig {command} reads; save the recording "
                       "to a file and give its path (FILE.csv): only rig replay reads one from standard input")
    if is_stdin(name):
        raise RigError(f"rig {command}: '-' (standard input) is no catalog scenario, and rig {command} reads no "
                       "recording; to replay one piped in: COMMAND | rig replay - --target T")


def _catalog_name(name: str, command: str) -> str:
    """name when it is a catalog scenario; RigError saying what to do with a recording given in its place
    (it was refused as 'unknown scenario 'w.csv'', with the catalog listed and no word of the recording)."""
    if not name.strip():  # Path('') exists (the current directory): it was called 'a file'
        raise RigError(f"rig {command}: an empty scenario name ({name!r}); give a catalog scenario's name (rig list "
                       "shows them)")
    _refuse_stdin(name, command)
    known = {s.name for s in list_scenarios()}
    if name not in known and (name.endswith(".csv") or _exists(Path(name))):
        what = "a file" if _exists(Path(name)) else "a recording's name (*.csv)"
        raise RigError(f"{excerpt(name)} is {what}, and rig {command} takes a catalog scenario's name (rig list "
                       "shows them); to run a recording on a target: rig replay FILE.csv; to score it: "
                       "rig bench FILE.csv")
    get_scenario(name)
    return name


def _run_names(args: argparse.Namespace, target: str) -> list[str]:
    """The scenarios `rig run` runs: those named (or the catalog with --all), then its --shard."""
    if args.all and args.scenarios:
        raise RigError("rig run: name scenarios or give --all, not both")
    names = [s.name for s in list_scenarios()] if args.all else list(args.scenarios)
    if not names:
        raise RigError("rig run: name at least one scenario (rig list shows them) or give --all")
    for k, name in enumerate(names):
        _catalog_name(name, "run")  # unknown names fail before anything starts
        if name in names[:k]:
            # run twice, the second run took the first's report row as a retry of it, and the summary counted one
            raise RigError(f"rig run: {name} is given twice; give each scenario once (--retries N runs a failed "
                           "one again, reported as retried)")
    if args.shard is None:
        if args.durations is not None:
            raise RigError(f"rig run: --durations {args.durations} balances --shard only; give --shard K/N too, "
                           "or drop --durations")
        return names
    k, n = parse_shard(args.shard)
    lengths = {s.name: s.duration_s for s in list_scenarios()}
    mine = shard_of(names, k, n, weights(target, names, load_durations(args.durations), lengths))
    print(f"shard {k}/{n}: {len(mine)} of {len(names)} scenarios: {' '.join(mine) or '(none)'}", file=sys.stderr)
    return mine


#: The most times `rig run --retries` runs a failed scenario again.
MAX_RETRIES = 100


def cmd_run(args: argparse.Namespace) -> int:
    """Synthesize each scenario, run it on the target, check it against its truth.

    A failed attempt is run again up to --retries times (the same seed); a pass after that is
    reported as a retried pass, never as a plain one. With --report or --retries a run that could
    not complete is recorded and the others still run (exit 2 at the end); without them it ends the
    command at once, as it always has."""
    target = make_target(args.target, args.port, args.board_profile, args.place)
    names = _run_names(args, target.name)
    if args.retries < 0:
        raise RigError(f"--retries {args.retries}: give a number of retries >= 0")
    if args.retries > MAX_RETRIES:
        # a typo's extra digits reran a failing scenario, a run directory each time, until the disk was full
        digits = str(args.retries)
        shown = digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits)} digits)"
        raise RigError(f"--retries {shown}: at most {MAX_RETRIES}; a scenario that fails that often in a row fails")
    target.require()  # a target missing here: said once, before any run directory or report is made
    report = ReportDir(args.report) if args.report is not None else None
    failed = errors = retried = 0
    try:
        for name in names:
            seed = args.seed if args.seed is not None else get_scenario(name).seed
            for attempt in range(1, args.retries + 2):
                last = attempt == args.retries + 1
                run_dir = new_run_dir(args.runs_dir, name, target.name)
                t0 = time.monotonic()
                progress = ProgressLine(f"{name} on {target.name}")
                try:
                    if report is not None:
                        # a row before the run, which its end replaces: should the rig die in it (SIGKILL, the
                        # OOM killer) the report still lists the run, as never ended, with its captures so far
                        report.record_under_way(name, target.name, seed, run_dir, args.port)
                    run = run_scenario(target, name, args.runs_dir, seed, run_dir=run_dir, progress=progress)
                except RigError as exc:
                    progress.close()
                    if report is not None:  # (a target missing here too: its row must not say the rig died)
                        report.record_error(name, target.name, seed, exc, run_dir, args.port,
                                            wall_s=time.monotonic() - t0)
                    if (report is None and args.retries == 0) or isinstance(exc, TargetUnavailable):
                        raise  # a target missing here is missing for every attempt and every scenario
                    print(f"ERROR {name} on {target.name} (attempt {attempt}): {exc}", file=sys.stderr)
                    if last:
                        errors += 1
                    continue
                except KeyboardInterrupt as exc:  # a signal (Terminated): the run stays in the report, cut short
                    progress.close()
                    if report is not None:
                        report.record_cut_short(name, target.name, seed, exc, run_dir, args.port,
                                                wall_s=time.monotonic() - t0)
                    raise
                progress.close()
                if report is not None:
                    try:
                        report.record_run(name, target.name, seed, run.recording, run.result, run.report,
                                          run.run_dir, args.port)
                    except KeyboardInterrupt as exc:  # cut short while its row (its plot) was written
                        report.record_cut_short(name, target.name, seed, exc, run_dir, args.port,
                                                wall_s=time.monotonic() - t0)
                        raise
                print(format_run_report(name, target.name, run.result, run.report, run.run_dir))
                if run.report.passed:
                    if attempt > 1:
                        retried += 1
                        print(f"  passed on attempt {attempt} of {args.retries + 1}: a retried pass, not a plain one")
                    break
                if last:
                    failed += 1
                else:
                    print(f"  attempt {attempt} failed; running it again (--retries {args.retries})")
    finally:
        if report is not None:
            entries = report.finish()
            print(f"report: {report.path / 'index.html'} ({len(entries)} runs; junit.xml, plots, captures beside it)",
                  file=sys.stderr)
    if retried:
        print(f"{retried} scenario(s) passed only after a retry", file=sys.stderr)
    return 2 if errors else 1 if failed else 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a recording CSV on a target; write the replay JSON contract."""
    if not _exists(args.csv) and str(args.csv) in {s.name for s in list_scenarios()}:
        raise RigError(f"{args.csv}: no such file, and {args.csv} is a catalog scenario: rig run {args.csv} runs it "
                       "on a target (rig replay takes a recording CSV)")
    refuse_overwriting_inputs(args.json, "--json", [] if is_stdin(args.csv) else [args.csv], ".json")
    refuse_another_kind(args.json, "--json", "the replay's result as JSON", "json")
    target = make_target(args.target, args.port, args.board_profile, args.place)
    target.require()  # a target missing here (a board's port): said before the recording is read, nothing made
    rec = read_recording(args.csv)  # '-': standard input (logger | rig replay -)
    for note in (below_specified_rate(rec), beyond_full_scale(rec), gravity_note(rec), *rec.notes):
        if note:
            print(f"note: {note}", file=sys.stderr)
    run_dir = new_run_dir(args.runs_dir, rec.name, target.name)
    result = run_recording(target, rec, run_dir)
    doc = json.dumps(result.to_json(), indent=1) + "\n"
    if args.json is None or str(args.json) == "-":
        sys.stdout.write(doc)
    else:
        _write_out(args.json, doc, "--json", f"the result is also in {run_dir / 'result.json'}")
        distance_m = (result.summary.distance_m if result.summary else None) or 0.0
        print(f"{args.csv}: {len(result.strides)} strides, {distance_m:.1f} m on {target.name} "
              f"-> {args.json} (captures in {run_dir})", file=sys.stderr)
    for problem in result.link_problems():
        print(f"link: {problem} (capture: {run_dir / 'rx.bin'})", file=sys.stderr)
    # a SUMMARY of NaN duration (or any figure that cannot be) was written to the JSON with exit 0
    corrupt = result_problems(result)
    for problem in corrupt:
        print(f"corrupt report: {problem} (capture: {run_dir / 'rx.bin'})", file=sys.stderr)
    for note in result.notes():
        print(f"note: {note}", file=sys.stderr)
    return 1 if result.link_problems() or corrupt else 0


def _not_a_truth_name(option: str, out: Path, example: str) -> None:
    """RigError when a recording is to be written under a truth sidecar's name (NAME.truth.json): written there,
    it replaced the truth of NAME.csv (read next as 'invalid JSON'), and its own truth went to
    NAME.truth.truth.json. A character device is written through, and replaces nothing."""
    if out.name.endswith(".truth.json") and kind_of(out) != "a character device":
        raise RigError(f"{option} {out}: the name of a truth sidecar (the truth of {out.name[:-len('.truth.json')]}"
                       f".csv, read beside it); writing the recording there would replace that truth: give a "
                       f"recording's name (e.g. {example})")


def _a_recording_name(option: str, out: Path, example: str) -> None:
    """RigError unless out may be written as a recording: a name ending in .csv (a device or a FIFO is written
    through and named nothing). rig synth walk --csv x.json wrote CSV text under a JSON's name, with its truth in
    x.truth.json; rig bench then took x.json for a scenario's name, and a result.json was written over unasked."""
    _not_a_truth_name(option, out, example)
    if out.name.endswith(".csv") or kind_of(out) in ("a character device", "a FIFO"):
        return
    raise RigError(f"{option} {out}: a recording is named *.csv (rig bench and rig plot take a file for a "
                   f"recording by that ending, and its truth goes beside it as NAME.truth.json); give a name "
                   f"ending in .csv (e.g. {out.with_suffix('.csv')})")


def cmd_record(args: argparse.Namespace) -> int:
    """Stream the sensor of the firmware at --port (or of a host/qemu target with its synthetic sensor) into a CSV."""
    from rig.record import check_settings, record
    from rig.targets.host import HostTarget
    from rig.targets.qemu import QemuTarget

    if args.target == "board":
        target: Target = make_target("board", args.port, args.board_profile, args.place)
    elif args.port is not None or args.board_profile is not None or args.place is not None:
        raise RigError(f"--port, --place and --board-profile are for --target board; target {args.target!r} starts "
                       "its own link")
    elif args.target == "host":
        target = HostTarget(synth_sensor=True)
    elif args.target == "qemu":
        target = QemuTarget(synth_sensor=True)
    else:
        raise RigError(f"rig record --target {args.target}: record from board (--port URL), or from host or qemu "
                       "(their synthetic sensor)")
    check_settings(args.duration, args.odr_hz)  # before the firmware starts and a run directory is made
    _a_recording_name("--out", args.out, "run.csv")
    stale = args.out.with_suffix(".truth.json")
    if kind_of(args.out) in (None, "a regular file") and _exists(stale):
        # read beside the new recording, another recording's labels would be taken for its truth
        raise RigError(f"--out {args.out}: {stale} lies beside it, the truth of what was there before; the new "
                       "recording would be read and scored with it: remove or rename it, or give another --out")
    target.require()
    run_dir = new_run_dir(args.runs_dir, args.out.stem, target.name)
    with target_running(target, run_dir) as url:
        result = record(url, args.out, run_dir, args.duration, args.odr_hz,
                        hello_check=target.check_hello, baud=target.baud, reopen_s=target.reopen_s, pid=target.pid)
    print(f"{result.line()} (captures in {run_dir})")
    if result.dropped or result.seq_gaps:
        print(f"note: {result.dropped} samples lost by the sensor or the link; {result.seq_gaps} frame(s) lost "
              f"on the link (capture: {run_dir / 'rx.bin'})", file=sys.stderr)
    return 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Write a scenario's waveform as a recording CSV plus NAME.truth.json, and/or as Renode sensor data (RESD)."""
    if args.csv is None and args.resd is None:
        raise RigError("rig synth: say where to write the scenario: --csv OUT (recording CSV) and/or --resd OUT (RESD)")
    if args.csv is not None:
        _a_recording_name("--csv", args.csv, f"{args.scenario}.csv")
        if not _is_device(args.csv):
            _sidecar_writable(args.csv)
    if args.csv is not None and args.resd is not None:
        sidecar = args.csv.with_suffix(".truth.json")
        for name, path in (("--csv", args.csv), ("its truth sidecar", sidecar)):
            if os.path.realpath(args.resd) == os.path.realpath(path) and not _is_device(path):
                # written one after the other, the RESD replaced the recording (or its truth) without a word
                raise RigError(f"--resd {args.resd} is the file {name} writes ({path}); give the RESD another path "
                               f"(e.g. {args.csv.with_suffix('.resd')})")
    if args.resd is not None and args.resd.name.lower().endswith((".csv", ".truth.json")):
        # written as asked: a recording (or its truth) there replaced by binary data every command then refused
        kind = "a truth sidecar" if args.resd.name.lower().endswith(".truth.json") else "a recording CSV"
        raise RigError(f"--resd {args.resd}: names {kind}, and a RESD file is binary sensor data no command reads "
                       f"as one; give the RESD a name of its own (e.g. {args.resd.name.split('.')[0] or 'OUT'}.resd), "
                       "or --csv to write the recording")
    lo, hi = ODR_RANGE_HZ
    if not lo <= args.odr_hz <= hi:  # was 'odr_hz=nan: must be within 10..10000 Hz', the library's name for it
        raise RigError(f"--odr-hz {args.odr_hz:g}: give a sensor rate within {lo:g}..{hi:g} Hz (the LSM6DSO's: "
                       "12.5, 26, 52, 104, 208, 416, 833, 1666, 3333, 6667)")
    rec = synthesize(_catalog_name(args.scenario, "synth"), seed=args.seed, odr_hz=args.odr_hz)
    rate_hz = sample_rate_hz(rec.t_s)
    if not rate_in_range(rate_hz):  # the scenario's sensor clock runs off nominal: no recording the rig replays
        raise RigError(f"{args.scenario} --odr-hz {args.odr_hz:g}: the scenario's sensor clock "
                       f"({rate_hz / args.odr_hz - 1:+.2%}) puts its samples at {rate_hz:.6g} Hz, outside the "
                       f"{lo:g}..{hi:g} Hz of a recording the rig replays; give --odr-hz within "
                       f"{lo * args.odr_hz / rate_hz:.6g}..{hi * args.odr_hz / rate_hz:.6g}")
    n = len(rec.truth.strides) if rec.truth else 0
    outs = []
    if args.csv is not None:
        device = kind_of(args.csv) == "a character device"
        try:
            # through a device the recording goes, never its truth beside it (/dev/null.truth.json)
            write_recording(dataclasses.replace(rec, truth=None) if device else rec, args.csv)
        except OSError as exc:
            raise RigError(f"--csv {args.csv}: cannot write the recording ({exc.strerror}); "
                           "give a writable path with room for it") from None
        if device:
            raise RigError(f"--csv {args.csv}: is a character device, not a file: the recording went through it, "
                           f"but its truth (NAME.truth.json) cannot go beside it; give the path of a regular file")
        outs.append(str(args.csv))
    if args.resd is not None:
        try:
            write_raw(to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps)), args.resd)
        except OSError as exc:
            raise RigError(f"--resd {args.resd}: cannot write the sensor data ({exc.strerror}); "
                           "give a writable path with room for it") from None
        outs.append(str(args.resd))
    print(f"{args.scenario}: {len(rec.t_s)} samples, {rec.duration_s:.1f} s, {n} strides -> {', '.join(outs)}")
    return 0


def _sidecar_writable(csv: Path) -> None:
    """RigError when the truth sidecar beside csv cannot be written (a directory, a FIFO, a link leading nowhere):
    found once the scenario was synthesized, and told as 'cannot write the recording (Is a directory)', naming the
    recording, not its sidecar."""
    sidecar = csv.with_suffix(".truth.json")
    try:
        check_link(str(sidecar))
    except argparse.ArgumentTypeError as exc:
        raise RigError(f"--csv {csv}: its truth goes beside it, and {exc}") from None
    kind = kind_of(sidecar)
    if kind not in (None, "a regular file"):
        raise RigError(f"--csv {csv}: its truth goes beside it as {sidecar}, which is {kind}; remove or rename that, "
                       "or give --csv another name")


def _is_device(path: Path) -> bool:
    """Whether path is a character device (/dev/null, /dev/full: written through, never replaced)."""
    try:
        return path.is_char_device()
    except OSError:
        return False


def _exists(path: Path) -> bool:
    """Whether path names something; False for a name no file system holds (too long: OSError)."""
    try:
        return path.exists()
    except OSError:
        return False


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw a recording (CSV or scenario name), its truth and detected events to a PNG."""
    # matplotlib is heavy to import: only `rig plot` pays for it
    from scenarios.plot import plot_recording

    if not args.source.strip():  # Path('') is the current directory
        raise RigError("rig plot: an empty source; give a recording (FILE.csv) or a scenario's name (rig list)")
    _refuse_stdin(args.source, "plot")
    not_a_dir = file_with_slash(args.source)
    if not_a_dir:  # Path() drops the slash: walk.csv/ was drawn as walk.csv
        raise RigError(not_a_dir)
    source = Path(args.source)
    is_file = args.source.endswith(".csv") or _exists(source)
    if is_file:
        refuse_overwriting_inputs(args.png, "--png", [source], ".png")
    refuse_another_kind(args.png, "--png", "a PNG image", "png")
    if is_file and args.seed is not None:
        raise RigError(f"--seed {args.seed} synthesizes a catalog scenario, and {source} is a recording, drawn as "
                       "it was recorded: drop --seed, or give a scenario's name")
    rec = read_recording(source) if is_file else synthesize(args.source, seed=args.seed)
    detected = _detected_strides(args.detected) if args.detected else None
    if detected:
        _refuse_detected_elsewhere(args.detected, detected, args.source, float(rec.t_s[0]), float(rec.t_s[-1]))
    for opt, v in (("--from", args.from_s), ("--to", args.to_s)):
        if v is not None and not math.isfinite(v):
            raise RigError(f"{opt} {v}: not a time; give seconds from the start of the recording")
    t_range = None
    if args.from_s is not None or args.to_s is not None:
        first, last = float(rec.t_s[0]), float(rec.t_s[-1])
        lo = args.from_s if args.from_s is not None else first
        hi = args.to_s if args.to_s is not None else last
        # name only the options given: an end left out is the recording's own
        given = " ".join(f"{opt} {v:g} s" for opt, v in (("--from", args.from_s), ("--to", args.to_s)) if v is not None)
        if hi <= lo:
            start = f"--from {lo:g} s" if args.from_s is not None else f"the recording's start ({lo:g} s)"
            end = f"--to {hi:g} s" if args.to_s is not None else f"the recording's end ({hi:g} s)"
            raise RigError(f"{start} is not before {end}; give a time range that ends after it starts")
        if hi < first or lo > last:
            raise RigError(f"{given}: the recording runs from {first:g} to {last:g} s, so that "
                           "plot would be empty; give a range that overlaps it")
        inside = int(((rec.t_s >= lo) & (rec.t_s <= hi)).sum())
        if inside < 2:
            # a range between two samples drew empty axes (a line needs two), exit 0, as if there were no signal
            period_ms = 1e3 / rec.odr_hz
            raise RigError(f"{given}: holds {inside} sample(s) of the recording ({period_ms:.3g} ms apart), and a "
                           f"plot draws lines between two or more; give a range at least {2 * period_ms:.3g} ms long")
        t_range = (lo, hi)
    try:
        out = plot_recording(rec, args.png, detected=detected, t_range_s=t_range)
    except OSError as exc:
        raise RigError(f"--png {args.png}: cannot write the picture ({exc.strerror}); give a writable path") from None
    print(out)
    return 0


def _refuse_detected_elsewhere(path: Path, strides: list[dict[str, Any]], source: str, first_s: float,
                               last_s: float) -> None:
    """RigError when every detected contact lies outside the recording drawn: the result of another recording
    (or scenario) was drawn as a plot with no detected event, as if the firmware had found none."""
    ics = [float(s["ic_s"]) for s in strides if s.get("ic_s") is not None]
    if ics and not any(first_s <= t <= last_s for t in ics):
        raise RigError(f"--detected {path}: its {len(ics)} detected contact(s) lie at {min(ics):g}..{max(ics):g} s, "
                       f"all outside {source} ({first_s:g}..{last_s:g} s): it is the result of another recording; "
                       f"give the replay JSON of this one (rig replay FILE.csv --json OUT)")


def _detected_strides(path: Path) -> list[dict[str, Any]]:
    """The strides of a replay JSON, each an object whose ic_s/tc_s are numbers or null."""
    from scenarios.errors import RecordingError
    from scenarios.input_file import excerpt, finite_float, loads_json, read_bytes

    what = "not a replay JSON (an object with a 'strides' list, as rig replay writes)"
    try:
        data = read_bytes(path, "replay JSON", 64 << 20)
    except RecordingError as exc:
        raise RigError(f"--detected {exc}") from None
    try:
        doc = loads_json(data.decode("utf-8-sig"))  # a byte-order mark (an editor's UTF-8) as truth sidecars
    except (ValueError, RecursionError) as exc:
        raise RigError(f"--detected {path}: {what}: {excerpt(str(exc), 120)}") from None
    strides = doc.get("strides") if isinstance(doc, dict) else None
    if not isinstance(strides, list):
        raise RigError(f"--detected {path}: {what}")
    for i, s in enumerate(strides):
        if not isinstance(s, dict):
            raise RigError(f"--detected {path}: strides[{i}] is {excerpt(json.dumps(s), 60)}; each stride must be an "
                           "object whose ic_s and tc_s are numbers (or null)")
        for k in ("ic_s", "tc_s"):
            v = s.get(k)
            if v is not None and finite_float(v) is None:  # math.isfinite(10**400) raised OverflowError
                # the value as written: json.dumps gave 1e400 as 'Infinity'
                shown = str(v) if isinstance(v, float) else json.dumps(v)
                raise RigError(f"--detected {path}: strides[{i}].{k} is {excerpt(shown, 60)}; each stride must be "
                               "an object whose ic_s and tc_s are finite numbers (or null)")
    return strides


def _write_out(path: Path, text: str, option: str, fallback: str) -> None:
    """Write an output file whole, or raise RigError naming the option, the path and the reason."""
    write_output(path, text, option, fallback)


def _refuse_paths_as_names(names: Sequence[str]) -> None:
    """RigError for a bench argument that is no scenario but a path: a directory (bench reads no
    directory) or a file whose name does not end in .csv (read as a scenario name, it was 'unknown')."""
    known = {s.name for s in list_scenarios()}
    for name in names:
        _refuse_stdin(name, "bench")
        if name in known or not os.path.lexists(name):
            continue
        if os.path.isdir(name):
            raise RigError(f"rig bench: {name} is a directory; bench reads scenario names and recording files "
                           f"named *.csv: give the recordings in it (e.g. {os.path.join(name, '*.csv')})")
        raise RigError(f"rig bench: {name} is a file whose name does not end in .csv, so it was read as a scenario "
                       "name (there is none of that name); give a recording named *.csv (rename or link it)")


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the catalog (and recordings) through the analyzer, print accuracy and cost; 1 when a goal fails."""
    if any(not s.strip() for s in args.scenarios):  # an unset variable ("$REC") was an unknown scenario ''
        raise RigError("rig bench: an empty argument; give catalog scenarios' names (rig list) and recordings "
                       "(FILE.csv), or none for the whole catalog")
    recordings = [Path(s) for s in args.scenarios if s.endswith(".csv")]
    names = [s for s in args.scenarios if not s.endswith(".csv")]
    _refuse_paths_as_names(names)
    seen: dict[object, str] = {}
    for given, key in [(str(r), ("file", os.path.realpath(r))) for r in recordings] + [(n, ("name", n)) for n in names]:
        if key in seen:  # scored twice, it would weigh twice in every pooled figure
            raise RigError(f"rig bench: {given} is given twice ({seen[key]} and {given}); give each scenario and "
                           "recording once")
        seen[key] = given
    refuse_overwriting_inputs(args.json, "--json", recordings, ".bench.json")
    refuse_another_kind(args.json, "--json", "the bench's figures as JSON", "json")
    if args.seed is not None and recordings and not names:
        raise RigError(f"--seed {args.seed} synthesizes catalog scenarios, and only recordings are given "
                       f"({recordings[0]}{', ...' if len(recordings) > 1 else ''}): a recording is as it was "
                       "recorded; drop --seed, or name the scenarios it is for")
    report = run_bench(names, recordings, args.target, args.runs_dir, seed=args.seed)
    print(format_bench_report(report))
    if args.json:
        _write_out(args.json, json.dumps(report.to_json(), indent=1) + "\n", "--json", "the figures are printed above")
    return 0 if report.passed else 1


#: How long `rig ble` with a real controller waits for a central to subscribe, s (--wait-s).
BLE_WAIT_S = 120.0
#: The longest --wait-s: an hour to walk to a phone and connect it is plenty; 1e300 s was taken.
BLE_MAX_WAIT_S = 3600.0


def cmd_ble(args: argparse.Namespace) -> int:
    """Run a scenario with the shoe on Bluetooth LE (Running Speed and Cadence service) and judge
    what a phone app receives."""
    if args.wait_s is not None and args.wait_s > BLE_MAX_WAIT_S:
        # every wait has a bound: --wait-s 1e300 (a typo's exponent) advertised for ever
        raise RigError(f"--wait-s {args.wait_s:g}: at most {BLE_MAX_WAIT_S:g} s (an hour) for a central to subscribe; "
                       f"give a shorter wait (default {BLE_WAIT_S:g})")
    if args.wait_s is not None and args.hci == "virtual":
        # the virtual link's phone subscribes at once: a wait given for a real central would be ignored
        raise RigError(f"--wait-s {args.wait_s:g} is how long a real controller waits for a central to subscribe; "
                       "with --hci virtual (the default) the rig's own phone subscribes at once: drop --wait-s, or "
                       "give the shoe's controller (--hci usb:0)")
    _catalog_name(args.scenario, "ble")
    try:
        from rig.ble.run import run_ble
    except ImportError as exc:
        raise RigError(f"the BLE shoe needs Bumble ({exc}): pip install -e '.[ble]'") from None
    target = make_target(args.target, args.port)
    target.require()  # a target missing here (a board's port): said before a run directory is made
    run = run_ble(target, args.scenario, args.runs_dir, args.seed, hci=args.hci,
                  wait_s=BLE_WAIT_S if args.wait_s is None else args.wait_s)
    print(format_run_report(args.scenario, f"{target.name} over BLE ({args.hci})", run.result, run.report, run.run_dir))
    if args.hci == "virtual":
        steps = [f"{e['event']} {e.get('request', e.get('uuid', e.get('op', '')))} -> {e.get('value', e.get('error', ''))}"
                 for e in run.phone_events if e.get("event") in ("read", "indication", "att_error")]
        print(f"  phone: received {len(run.received)} of {len(run.sent)} RSC Measurements; " + "; ".join(steps))
    return 0 if run.report.passed else 1


def cmd_explore(args: argparse.Namespace) -> int:
    """Draw gaits from the parameter and morphology space, judge the analyzer, shrink misses."""
    return explore_main(args)


def _command(sub: Any, name: str, summary: str) -> argparse.ArgumentParser:
    """A subcommand whose `rig NAME --help` opens with the same summary `rig --help` lists."""
    parser: argparse.ArgumentParser = sub.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
    return parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rig`."""
    ap = ArgumentParser(prog="rig", description="Stridelab HIL rig for the smart-shoe sensor firmware.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = _command(sub, "list", "list scenarios and targets")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    def target_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--target", action=Once, default="host",
                       help=f"where the firmware runs: {', '.join(TARGETS)} (default host)")
        p.add_argument("--port", action=Once, help="board link URL: /dev/ttyACM0, rfc2217://host:port, socket://host:port")
        p.add_argument("--board-profile", action=Once, metavar="NAME", help=f"the board's profile: {', '.join(PROFILES)} "
                       f"(default ${PROFILE_ENV}, else {DEFAULT_PROFILE})")
        p.add_argument("--place", action=Once, metavar="NAME[,NAME...]",
                       help="a labgrid place (or pool) to acquire for the board "
                       "instead of --port; the coordinator is $LG_COORDINATOR (default $LG_PLACE)")
        p.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=DEFAULT_RUNS_DIR,
                       help="where captures go (default runs/)")

    p = _command(sub, "run", "run scenarios on a target and check them against ground truth")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO")
    p.add_argument("--all", action="store_true", help="every scenario of the catalog")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None, help="override the scenario's seed")
    p.add_argument("--report", action=Once, type=out_dir("--report"), metavar="DIR",
                   help="write a report: index.html, junit.xml, a plot per run, the captures (see rig.report)")
    p.add_argument("--retries", action=Once, type=int, default=0, metavar="N",
                   help="run a failed scenario again up to N times; a later pass is reported as retried")
    p.add_argument("--shard", action=Once, metavar="K/N", help="run only the K-th of N shards, balanced by recorded durations")
    p.add_argument("--durations", action=Once, type=in_file("the durations file (a report's durations.json)"), metavar="FILE",
                   help="durations to balance --shard by (default .ci/durations.json; a report's durations.json)")
    target_opts(p)
    p.set_defaults(func=cmd_run)

    p = _command(sub, "replay", "replay a recording CSV on a target, write the JSON result")
    p.add_argument("csv", type=in_file("the recording to replay (FILE.csv)"), metavar="FILE.csv",
                   help="the recording; - reads it from standard input")
    p.add_argument("--json", action=Once, type=out_file("--json", dash_is_stdout=True), metavar="OUT",
                   help="output file (default, or -: stdout)")
    target_opts(p)
    p.set_defaults(func=cmd_replay)

    p = _command(sub, "record", "stream a board's own sensor into a recording CSV (Ctrl-C stops and keeps it)")
    p.add_argument("--out", action=Once, type=out_file("--out"), required=True, metavar="FILE.csv")
    p.add_argument("--duration", action=Once, type=float, default=None, metavar="S", help="stop after S seconds of samples")
    p.add_argument("--odr-hz", action=Once, type=float, default=416.0,
                   help="sensor output rate, one of the LSM6DSO's (default 416)")
    p.add_argument("--target", action=Once, default="board", choices=("board", "host", "qemu"),
                   help="board (default; --port URL), or host/qemu with their synthetic sensor")
    p.add_argument("--port", action=Once, help="board link URL: /dev/ttyACM0, rfc2217://host:port, socket://host:port")
    p.add_argument("--board-profile", action=Once, metavar="NAME", help=f"the board's profile: {', '.join(PROFILES)}")
    p.add_argument("--place", action=Once, metavar="NAME[,NAME...]",
                   help="a labgrid place (or pool) to acquire instead of --port")
    p.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=DEFAULT_RUNS_DIR,
                   help="where captures go (default runs/)")
    p.set_defaults(func=cmd_record)

    p = _command(sub, "synth", "write a scenario as a recording CSV (+ NAME.truth.json) and/or RESD")
    p.add_argument("scenario")
    p.add_argument("--csv", action=Once, type=out_file("--csv", sidecar="NAME.truth.json"), metavar="OUT")
    p.add_argument("--resd", action=Once, type=out_file("--resd"), metavar="OUT",
                   help="Renode sensor data: acceleration and angular rate, channel 0 "
                   "(Sensors.LSM6DSO_IMU FeedAccelerationSamplesFromRESD / FeedAngularRateSamplesFromRESD)")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None)
    p.add_argument("--odr-hz", action=Once, type=float, default=416.0)
    p.set_defaults(func=cmd_synth)

    p = _command(sub, "plot", "plot a recording or scenario with truth and detected events")
    p.add_argument("source", help="FILE.csv or a scenario name")
    p.add_argument("--png", action=Once, type=out_file("--png"), required=True, metavar="OUT")
    p.add_argument("--detected", action=Once, type=in_file("the replay JSON whose strides to draw (rig replay --json OUT)"),
                   metavar="RESULT.json", help="replay JSON whose strides to draw")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None)
    p.add_argument("--from", action=Once, dest="from_s", type=float, default=None, metavar="S")
    p.add_argument("--to", action=Once, dest="to_s", type=float, default=None, metavar="S")
    p.set_defaults(func=cmd_plot)

    p = _command(sub, "bench", "accuracy and cost of the analyzer over the catalog")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO|FILE.csv",
                   help="catalog scenarios and labelled recordings (default: the catalog and scenarios/data)")
    p.add_argument("--target", action=Once, default=NATIVE, help=f"{NATIVE} (analyzer library, fast) or a rig target")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None, help="override the scenarios' seeds")
    p.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=DEFAULT_RUNS_DIR)
    p.add_argument("--json", action=Once, type=out_file("--json"), metavar="OUT", help="also write the figures as JSON")
    p.set_defaults(func=cmd_bench)

    p = _command(sub, "explore", "draw gaits from the whole space, find where the analyzer misses")
    explore_arguments(p)
    p.set_defaults(func=cmd_explore)

    p = _command(sub, "ble", "run a scenario with the shoe on Bluetooth LE and a phone app subscribed")
    p.add_argument("scenario")
    p.add_argument("--seed", action=Once, type=seed_arg, default=None, help="override the scenario's seed")
    p.add_argument("--hci", action=Once, type=hci_arg, default="virtual",
                   help="virtual (default: Bumble's virtual link and a phone app process on a loopback socket), "
                        "or the shoe's own controller as a Bumble transport, e.g. usb:0 (a USB dongle) for a real phone")
    p.add_argument("--wait-s", action=Once, type=positive_s, default=None,
                   help=f"with a real controller: how long to wait for a central to subscribe, s (default {BLE_WAIT_S:g}, "
                        f"at most {BLE_MAX_WAIT_S:g})")
    target_opts(p)
    p.set_defaults(func=cmd_ble)
    return ap


#: The commands that synthesize catalog scenarios (through the synthesis cache).
SYNTHESIZING = ("run", "synth", "plot", "bench", "ble", "explore")

#: The signals that end a command: Ctrl-C, what timeout and CI send, a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP: unwinds like Ctrl-C, so every target is stopped and its capture closed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _terminate(signum: int, frame: object) -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # a second signal (Ctrl-C pressed twice) must not cut the clean-up short
    raise Terminated(signum)


def _ended_by(command: str, signum: int) -> str:
    """What a command a signal ended says: the signal, that the target was stopped, where the captures are."""
    run_dir = latest_run_dir()
    if run_dir is None:  # no run began (rig explore, rig bench in-process, a signal before the first run)
        said = f"rig {command}: ended by {signal.Signals(signum).name}; no target was running"
        made = unstarted_run_dir()
        if made is not None:
            try:
                made.rmdir()  # empty: a signal while rig run synthesized left runs/ one directory of nothing more
            except FileNotFoundError:
                pass
            except OSError:  # not empty (rig ble's phone logs): kept, and said where
                return f"{said}; what it wrote so far is in {made}"
        return said
    return f"rig {command}: ended by {signal.Signals(signum).name}; the target was stopped; captures so far in {run_dir}"


def _names_as_given(stream: Any) -> None:
    """Let stream print a file name that is no UTF-8 (a byte a Latin-1 system wrote) as the bytes it is. Under
    a UTF-8 locale standard output refuses such a name's characters (Python keeps them as lone surrogates):
    rig synth --csv $'walk\\xe9.csv' wrote the recording and its truth, then failed on the line naming them,
    'rig synth: error: 'utf-8' codec can't encode character '\\udce9'...', exit 2."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None and getattr(stream, "errors", "") == "strict":
        try:
            reconfigure(errors="surrogateescape")
        except (ValueError, OSError):  # a stream that takes no new settings: left as it is
            pass


def main(argv: Sequence[str] | None = None, *, ignore_signals_after: bool = False) -> int:
    """Entry point of `rig` and `python -m rig`.

    SIGINT (Ctrl-C), SIGTERM (what timeout and CI send) and SIGHUP end the command alike: the target
    is stopped and target.txt written, whatever further signals come meanwhile; the command says so
    and where the captures are; the exit status is 128 + the signal number. ignore_signals_after
    (rig.entry, which ends the process next): the signals are ignored once the command is over, never
    set back to their default, which would let a signal in that moment kill the process silently with
    its status lost and its buffered output unwritten; else the handlers it found are given back (called
    in-process, as tests do, it used to set Python's defaults, dropping a pytest session's own)."""
    _names_as_given(sys.stdout)
    args = build_parser().parse_args(argv)
    if sys.stdout is None:
        # started with standard output closed (>&-): rig replay ended in a traceback once its run was done
        # ('NoneType' object has no attribute 'write'), the result lost; rig list said nothing with exit 0
        print(f"rig {args.command}: error: standard output is closed (started with >&-), so what rig {args.command} "
              "prints would be lost; give it somewhere to go (> FILE, or > /dev/null to drop it)", file=sys.stderr)
        return 2
    before = {sig: signal.signal(sig, _terminate) for sig in STOP_SIGNALS}
    try:
        if args.command in SYNTHESIZING:
            cache_dir()  # a $STRIDELAB_SYNTH_CACHE that can be no directory: refused before a run directory is made
        return int(args.func(args))
    except Terminated as exc:
        print(_ended_by(args.command, exc.signum), file=sys.stderr)
        return 128 + exc.signum
    except BrokenPipeError:
        # the reader of the output went away (rig ... | head): end as a pipeline expects, without the
        # interpreter's own complaint when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        run_dir = latest_run_dir()  # rig explore --list | head was told 'stopped, the target too', of none
        stopped = ("stopped; no target was running" if run_dir is None
                   else f"stopped, the target too; captures so far in {run_dir}")
        print(f"rig {args.command}: its output was closed by the reader (a pipe); {stopped}", file=sys.stderr)
        return 128 + signal.SIGPIPE
    except (RigError, ValueError, KeyError, OSError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"rig {args.command}: error: {bytes_quoted(msg)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:  # a second signal that abandoned rig record's orderly stop
        print(_ended_by(args.command, signal.SIGINT), file=sys.stderr)
        return 130
    finally:
        close_ahead()  # a board's network port opened by its check that no run took (the command failed first)
        if ignore_signals_after:
            for sig in STOP_SIGNALS:
                signal.signal(sig, signal.SIG_IGN)
        else:
            for sig, handler in before.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
