"""Fault campaign: replay scenarios on a target through a FaultyLink and check the rig against what
the faulty link really did.

For each run it checks that
- no corrupt frame was accepted: every frame the rig decoded is one the firmware really sent;
- every byte was kept: the capture rx.bin is exactly what the link delivered to the rig;
- every gap was reported: a frame lost on its way to the rig (dropped or corrupted) shows as a
  corrupt frame or a sequence gap, and a frame lost on its way to the firmware (or an analyzer
  reset) shows in the run's link problems, or the run ends in an error that names the capture;
- the analyzer is back in step within one stride: every stride of the truth that starts more than
  one stride after a sample disturbed by a fault (a batch lost on the way to the firmware, an
  analyzer reset) is detected (IC within 60 ms), judged on the STRIDE frames the firmware sent;
  strides still in the analyzer's pipeline at a reset (the last one before a stop stays there
  until the run ends) are not counted.

    python -m rig.fault_campaign [SCENARIO...] [--target host|qemu] [--seed N] [--json OUT]

prints one line per run and the totals; exit status 1 if any check failed.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from frame_spec import FrameError, Message, MsgType, StreamDecoder, decode
from rig.errors import RigError
from rig.faults import FaultRates, FaultyLink
from rig.inject import RawStream, to_raw
from rig.link import Link
from rig.records import RunResult
from rig.runner import target_running
from rig.session import ReplaySession, Timeouts
from rig.targets import TARGETS, get_target_class
from rig.tool_args import ArgumentParser, scenario_name
from rig.once import Once
from rig.out_path import out_dir, out_file, write_output
from rig.explore import seed_arg

#: Fault rates of the campaign, per frame.
TO_RIG = FaultRates(corrupt=0.01, drop=0.01, duplicate=0.01, split=0.05, delay=0.01, stall=0.002)
TO_FIRMWARE = FaultRates(corrupt=0.005, drop=0.005, duplicate=0.01, split=0.05, delay=0.01, stall=0.002, reset=0.001)
#: Longest time a stride waits in the analyzer's delay line before its frame is sent, s.
PIPELINE_S = 0.35
#: A detected IC this close to the truth's is the same stride, s.
MATCH_S = 0.06
#: The default campaign: the catalog without its 10- and 30-minute runs.
LONG_SCENARIOS = ("fatigue_run", "run_30min")


@dataclass
class RunFigures:
    """What one faulty run did and how the rig fared."""

    scenario: str
    outcome: str  # "clean", "reported", "error"
    frames_to_rig: int = 0
    frames_to_firmware: int = 0
    lost_to_rig: int = 0
    lost_to_firmware: int = 0
    duplicated: int = 0
    resets: int = 0
    corrupt_accepted: int = 0
    bytes_unkept: int = 0
    gaps_unreported: int = 0
    strides_after_faults: int = 0
    strides_missed_after_faults: int = 0
    failures: list[str] = field(default_factory=list)
    error: str = ""


def _canonical(msg: Message) -> str:
    return json.dumps([msg.type.name, msg.seq, msg.payload], sort_keys=True, default=str)


def _accepted(rx: bytes) -> list[Message]:
    return [m for m in StreamDecoder().feed(rx) if not isinstance(m, FrameError)]


def _disturbed_s(faulty: FaultyLink, raw: RawStream) -> list[float]:
    """Recording times where the analyzer's input was disturbed: the first sample of each batch lost
    on the way to the firmware, and of each batch an analyzer reset came before."""
    up = faulty.to_firmware
    return sorted(float(raw.index_to_t_s(int(m.payload["first_index"]))) for m in up.lost_messages + up.reset_before
                  if m.type is MsgType.SAMPLE_BATCH)


def _sent_ics_s(faulty: FaultyLink, raw: RawStream) -> list[float]:
    """Recording times of the ICs of every STRIDE frame the firmware sent, whatever became of it."""
    ics = []
    for frame in faulty.to_rig.genuine:
        try:
            msg = decode(frame[:-1])
        except FrameError:
            continue
        if msg.type is MsgType.STRIDE:
            ics.append(float(raw.index_to_t_s(int(msg.payload["ic_us"]) * raw.odr_mhz / 1e9)))
    return sorted(ics)


def _recovery(sent_ics_s: list[float], raw: RawStream, truth: Any,
              disturbed_s: list[float]) -> tuple[int, int, list[str]]:
    """(truth strides more than one stride after the last disturbance before them, how many of those
    the analyzer missed (judged on the STRIDE frames it sent: what the rig then made of them is
    checked as link problems), a few examples of the missed)."""
    if truth is None or not disturbed_s:
        return 0, 0, []
    detected = np.array(sent_ics_s)
    ics = [s.ic_s for s in truth.strides]
    counted = missed = 0
    examples: list[str] = []
    for k, ic in enumerate(ics):
        period = (ics[k] - ics[k - 1]) if k > 0 else 1.5
        shadow = [t for t in disturbed_s if t <= ic]
        if not shadow or ic > raw.t_s[-1] - 2 * period:
            continue
        # A stride within one stride after a disturbance may be lost; so may a stride still in the
        # analyzer's pipeline when it is reset: until the next IC has passed its delay line or,
        # for the last stride before a stop, until the end of the run (its end is only certain then).
        nxt = ics[k + 1] if k + 1 < len(ics) else None
        pending_until = nxt + period + PIPELINE_S if nxt is not None and nxt - ic < 2 * period else raw.t_s[-1]
        if any(ic - period <= t <= pending_until for t in disturbed_s):
            continue
        counted += 1
        if not len(detected) or np.min(np.abs(detected - ic)) > MATCH_S:
            missed += 1
            if len(examples) < 3:
                examples.append(f"IC at {ic:.3f} s ({ic - max(shadow):.2f} s after a fault)")
    return counted, missed, examples


def run_one(target_name: str, scenario: str, seed: int, runs_dir: Path, to_rig: FaultRates = TO_RIG,
            to_firmware: FaultRates = TO_FIRMWARE) -> RunFigures:
    """One scenario on one target through a FaultyLink, checked as the module docstring says."""
    from scenarios.catalog import synthesize

    rec = synthesize(scenario)
    raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
    run_dir = runs_dir / f"{scenario}-{target_name}-seed{seed}"
    run_dir.mkdir(parents=True, exist_ok=True)
    target = get_target_class(target_name)()
    fig = RunFigures(scenario=scenario, outcome="clean")
    result: RunResult | None = None
    with target_running(target, run_dir) as url, FaultyLink(url, to_rig, to_firmware, seed=seed) as faulty:
        try:
            with Link(faulty.url, run_dir) as link:
                session = ReplaySession(link, Timeouts(hello_s=10, ack_s=5, summary_s=10),
                                        clock=target.progress_clock(), lossy=True)
                result = session.run(raw)
        except RigError as exc:
            fig.outcome = "error"
            fig.error = str(exc).splitlines()[0][:300]
    rx = (run_dir / "rx.bin").read_bytes()
    down, up = faulty.to_rig, faulty.to_firmware
    fig.frames_to_rig, fig.frames_to_firmware = down.frames, up.frames
    fig.lost_to_rig, fig.lost_to_firmware = down.lost, up.lost
    fig.duplicated, fig.resets = down.duplicated + up.duplicated, up.resets
    genuine = set()
    for frame in down.genuine:
        try:
            genuine.add(_canonical(decode(frame[:-1])))
        except FrameError:
            pass
    fig.corrupt_accepted = sum(_canonical(m) not in genuine for m in _accepted(rx))
    delivered = bytes(down.delivered)
    if delivered[:len(rx)] != rx:
        fig.bytes_unkept = sum(a != b for a, b in zip(delivered, rx)) + abs(len(delivered) - len(rx))
    if result is not None:
        problems = result.link_problems()
        fig.outcome = "reported" if problems else "clean"
        seen_down = result.seq_gaps + result.corrupt_frames
        if down.lost and not seen_down:
            fig.gaps_unreported += down.lost
            fig.failures.append(f"{down.lost} frame(s) lost on the way to the rig, none reported")
        if (up.lost or up.resets) and not problems:
            fig.gaps_unreported += up.lost + up.resets
            fig.failures.append(f"{up.lost} frame(s) lost on the way to the firmware and {up.resets} reset(s), "
                                "none reported")
        counted, missed, examples = _recovery(_sent_ics_s(faulty, raw), raw, rec.truth, _disturbed_s(faulty, raw))
        fig.strides_after_faults, fig.strides_missed_after_faults = counted, missed
        if missed:
            fig.failures.append(f"{missed} of {counted} strides after a fault not detected: {', '.join(examples)}")
    if fig.corrupt_accepted:
        fig.failures.append(f"{fig.corrupt_accepted} frame(s) accepted that the firmware never sent")
    if fig.bytes_unkept:
        fig.failures.append(f"the capture differs from the bytes delivered ({fig.bytes_unkept} bytes)")
    return fig


#: Targets the campaign runs on: those that start their own link and take samples over it (a board
#: needs its port, cocotb reads its emulated sensor).
CAMPAIGN_TARGETS = tuple(n for n, cls in TARGETS.items() if n != "board" and not cls.sensor_fed)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the campaign and print its figures."""
    from scenarios.catalog import list_scenarios

    ap = ArgumentParser(prog="python -m rig.fault_campaign", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("scenarios", nargs="*", type=scenario_name, help="default: the catalog without its long runs")
    # once: nox -s faults -- --target qemu made every pass of the session (host, then qemu) run on qemu
    ap.add_argument("--target", action=Once, default="host", choices=CAMPAIGN_TARGETS,
                    help="target the firmware runs on (default host)")
    ap.add_argument("--seed", action=Once, type=seed_arg, default=1, help="seed of the first run's faults (default 1)")
    ap.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=None)
    ap.add_argument("--json", action=Once, type=out_file("--json"), default=None)
    args = ap.parse_args(argv)
    avail = get_target_class(args.target).availability()
    if not avail.ok:
        ap.error(f"--target {args.target}: not available here: {avail.reason}")
    names = args.scenarios or [s.name for s in list_scenarios() if s.name not in LONG_SCENARIOS]
    runs_dir = args.runs_dir or Path(tempfile.mkdtemp(prefix="fault-campaign-"))
    figures = []
    for k, name in enumerate(names):
        fig = run_one(args.target, name, args.seed + k, runs_dir)
        figures.append(fig)
        verdict = "FAIL" if fig.failures else "ok"
        print(f"{verdict:4} {name:<24} {fig.outcome:<8} frames {fig.frames_to_rig}/{fig.frames_to_firmware} "
              f"lost {fig.lost_to_rig}/{fig.lost_to_firmware} dup {fig.duplicated} resets {fig.resets} "
              f"strides after faults {fig.strides_after_faults - fig.strides_missed_after_faults}/"
              f"{fig.strides_after_faults}" + (f"  [{fig.error}]" if fig.error else "")
              + "".join(f"\n       {f}" for f in fig.failures), flush=True)
    total = {k: sum(getattr(f, k) for f in figures) for k in (
        "frames_to_rig", "frames_to_firmware", "lost_to_rig", "lost_to_firmware", "duplicated", "resets",
        "corrupt_accepted", "bytes_unkept", "gaps_unreported", "strides_after_faults", "strides_missed_after_faults")}
    outcomes = {o: sum(f.outcome == o for f in figures) for o in ("clean", "reported", "error")}
    failed = sum(bool(f.failures) for f in figures)
    after = total["strides_after_faults"]
    recovered = after - total["strides_missed_after_faults"]
    print(f"fault campaign on {args.target}: {len(figures)} runs ({outcomes['clean']} clean, {outcomes['reported']} "
          f"with link problems reported, {outcomes['error']} ended in an error); frames {total['frames_to_rig']} to "
          f"the rig and {total['frames_to_firmware']} to the firmware, {total['lost_to_rig']} and "
          f"{total['lost_to_firmware']} of them lost, {total['duplicated']} repeated, {total['resets']} analyzer "
          f"resets; corrupt frames accepted {total['corrupt_accepted']}; bytes not kept {total['bytes_unkept']}; "
          f"gaps unreported {total['gaps_unreported']}; strides after a fault detected {recovered}/{after}"
          + (f" ({100.0 * recovered / after:.1f} %)" if after else "") + f"; runs failing a check: {failed}")
    print(f"captures in {runs_dir}")
    if args.json:
        try:
            write_output(args.json, json.dumps({"runs": [asdict(f) for f in figures], "total": total,
                                                "outcomes": outcomes}, indent=1, default=str) + "\n", "--json",
                         f"the totals are printed above, the captures in {runs_dir}")
        except RigError as exc:
            print(f"rig.fault_campaign: {exc}", file=sys.stderr)
            return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
