"""The `rig` command line: list, run, replay, synth, plot, bench.

Exit status: 0 success, 1 a run finished but failed its checks, 2 bad input or
a target/link error (the message names the input and the capture).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from rig.assertions import format_run_report
from rig.bench import NATIVE, format_bench_report, run_bench
from rig.errors import RigError
from rig.explore import add_arguments as explore_arguments
from rig.explore import main as explore_main
from rig.inject import to_raw
from rig.resd_out import write_raw
from rig.runner import new_run_dir, run_recording, run_scenario
from rig.targets import TARGETS, available_targets, make_target
from scenarios.catalog import get_scenario, list_scenarios, synthesize
from scenarios.recording_csv import read_recording, write_recording

DEFAULT_RUNS_DIR = Path("runs")


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


def cmd_run(args: argparse.Namespace) -> int:
    """Synthesize each scenario, run it on the target, check it against its truth."""
    for name in args.scenarios:
        get_scenario(name)  # unknown names fail before anything starts
    target = make_target(args.target, args.port)
    failed = 0
    for name in args.scenarios:
        run = run_scenario(target, name, args.runs_dir, args.seed)
        print(format_run_report(name, target.name, run.result, run.report, run.run_dir))
        failed += not run.report.passed
    return 1 if failed else 0


def cmd_replay(args: argparse.Namespace) -> int:
    """Replay a recording CSV on a target; write the replay JSON contract."""
    rec = read_recording(args.csv)
    target = make_target(args.target, args.port)
    run_dir = new_run_dir(args.runs_dir, args.csv.stem, target.name)
    result = run_recording(target, rec, run_dir)
    doc = json.dumps(result.to_json(), indent=1) + "\n"
    if args.json is None or str(args.json) == "-":
        sys.stdout.write(doc)
    else:
        args.json.write_text(doc)
        s = result.summary or {}
        print(f"{args.csv}: {len(result.strides)} strides, {s.get('distance_m') or 0:.1f} m on {target.name} "
              f"-> {args.json} (captures in {run_dir})", file=sys.stderr)
    for problem in result.link_problems():
        print(f"link: {problem} (capture: {run_dir / 'rx.bin'})", file=sys.stderr)
    for note in result.notes():
        print(f"note: {note}", file=sys.stderr)
    return 1 if result.link_problems() else 0


def cmd_synth(args: argparse.Namespace) -> int:
    """Write a scenario's waveform as a recording CSV plus NAME.truth.json, and/or as Renode sensor data (RESD)."""
    if args.csv is None and args.resd is None:
        raise RigError("rig synth: say where to write the scenario: --csv OUT (recording CSV) and/or --resd OUT (RESD)")
    rec = synthesize(args.scenario, seed=args.seed, odr_hz=args.odr_hz)
    n = len(rec.truth.strides) if rec.truth else 0
    outs = []
    if args.csv is not None:
        write_recording(rec, args.csv)
        outs.append(str(args.csv))
    if args.resd is not None:
        write_raw(to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps)), args.resd)
        outs.append(str(args.resd))
    print(f"{args.scenario}: {len(rec.t_s)} samples, {rec.duration_s:.1f} s, {n} strides -> {', '.join(outs)}")
    return 0


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw a recording (CSV or scenario name), its truth and detected events to a PNG."""
    # matplotlib is heavy to import: only `rig plot` pays for it
    from scenarios.plot import plot_recording

    rec = read_recording(Path(args.source)) if args.source.endswith(".csv") else synthesize(args.source, seed=args.seed)
    detected = None
    if args.detected:
        try:
            detected = json.loads(args.detected.read_text())["strides"]
        except (OSError, ValueError, KeyError) as exc:
            raise RigError(f"{args.detected}: not a replay JSON with a 'strides' list ({exc})") from None
    t_range = (args.from_s, args.to_s) if args.from_s is not None or args.to_s is not None else None
    out = plot_recording(rec, args.png, detected=detected, t_range_s=t_range)
    print(out)
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the catalog (and recordings) through the analyzer, print accuracy and cost; 1 when a goal fails."""
    recordings = [Path(s) for s in args.scenarios if s.endswith(".csv")]
    names = [s for s in args.scenarios if not s.endswith(".csv")]
    report = run_bench(names, recordings, args.target, args.runs_dir, seed=args.seed)
    print(format_bench_report(report))
    if args.json:
        args.json.write_text(json.dumps(report.to_json(), indent=1) + "\n")
    return 0 if report.passed else 1


def cmd_explore(args: argparse.Namespace) -> int:
    """Draw gaits from the parameter and morphology space, judge the analyzer, shrink misses."""
    return explore_main(args)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `rig`."""
    ap = argparse.ArgumentParser(prog="rig", description="Stridelab HIL rig for the smart-shoe sensor firmware.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list scenarios and targets")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_list)

    def target_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--target", default="host", help=f"where the firmware runs: {', '.join(TARGETS)} (default host)")
        p.add_argument("--port", help="board link URL: /dev/ttyACM0, rfc2217://host:port, socket://host:port")
        p.add_argument("--runs-dir", type=Path, default=DEFAULT_RUNS_DIR, help="where captures go (default runs/)")

    p = sub.add_parser("run", help="run scenarios on a target and check them against ground truth")
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO")
    p.add_argument("--seed", type=int, default=None, help="override the scenario's seed")
    target_opts(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("replay", help="replay a recording CSV on a target, write the JSON result")
    p.add_argument("csv", type=Path, metavar="FILE.csv")
    p.add_argument("--json", type=Path, metavar="OUT", help="output file (default: stdout)")
    target_opts(p)
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser("synth", help="write a scenario as a recording CSV (+ NAME.truth.json) and/or RESD")
    p.add_argument("scenario")
    p.add_argument("--csv", type=Path, metavar="OUT")
    p.add_argument("--resd", type=Path, metavar="OUT", help="Renode sensor data: acceleration and angular rate, "
                   "channel 0 (Sensors.LSM6DSO_IMU FeedAccelerationSamplesFromRESD / FeedAngularRateSamplesFromRESD)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--odr-hz", type=float, default=416.0)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("plot", help="plot a recording or scenario with truth and detected events")
    p.add_argument("source", help="FILE.csv or a scenario name")
    p.add_argument("--png", type=Path, required=True, metavar="OUT")
    p.add_argument("--detected", type=Path, metavar="RESULT.json", help="replay JSON whose strides to draw")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--from", dest="from_s", type=float, default=None, metavar="S")
    p.add_argument("--to", dest="to_s", type=float, default=None, metavar="S")
    p.set_defaults(func=cmd_plot)

    p = sub.add_parser("bench", help="accuracy and cost of the analyzer over the catalog")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO|FILE.csv",
                   help="catalog scenarios and labelled recordings (default: the catalog and scenarios/data)")
    p.add_argument("--target", default=NATIVE, help=f"{NATIVE} (analyzer library, fast) or a rig target")
    p.add_argument("--seed", type=int, default=None, help="override the scenarios' seeds")
    p.add_argument("--runs-dir", type=Path, default=DEFAULT_RUNS_DIR)
    p.add_argument("--json", type=Path, metavar="OUT", help="also write the figures as JSON")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("explore", help="draw gaits from the whole space, find where the analyzer misses")
    explore_arguments(p)
    p.set_defaults(func=cmd_explore)
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `rig` and `python -m rig`."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except (RigError, ValueError, KeyError, OSError) as exc:
        msg = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"rig {args.command}: error: {msg}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
