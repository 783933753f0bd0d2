"""How fast the rig drives each target: benchmark figures, printed as ratios (`nox -s speed`).

    python -m rig.speed [--only overhead|host|qemu|cocotb ...] [--rounds N] [--json OUT]

Every figure is a ratio, so that a faster or slower machine, or one busy with other work,
moves both sides of it alike:

- ``overhead``: what the pytest ``dut`` fixture and a handshake cost per QEMU test (target
  made and checked, image looked up, QEMU started, link opened, HELLO received, link closed,
  QEMU ended), against bare QEMU on the same image: started by hand, its UART socket
  connected, the first byte received, the socket closed, QEMU terminated. Rounds alternate
  between the two; the medians are compared (goal: 1.3 at most).
- ``host``: the 30-minute run (``run_30min``) on the host target, from starting the firmware
  to the result, in real-time factors (goal: 1,000x), beside the analyzer alone in-process on
  the same recording (what is left to the link and the rig is their ratio), and with the
  synthesis of the waveform and the judging counted too.
- ``qemu``: ``steady_run`` (or ``--qemu-scenario``) replayed on the qemu target over the bulk
  link and with every byte through the emulated UART (or the ``--qemu-link`` chosen), real-time
  factors, and the CPU time QEMU and the rig took per minute of gait: on a busy machine the
  CPU figures still say what the replay costs.
- ``cocotb``: the catalog on the cocotb target's simulator: simulated seconds per wall second
  (goal: 10), summed over the runs.

The load average before and after is printed with them: with more runnable processes than
cores, every figure measured in wall time is the machine's as much as the rig's.
These are benchmark figures: printed, never asserted by the tests. Exit status 0, or 2 when a
target cannot run here or a run fails.
"""

from __future__ import annotations

import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import time
from argparse import Namespace
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rig import native
from rig.assertions import check_result
from rig.build import arm_elf
from rig.errors import RigError
from rig.link import Link
from rig.once import Once
from rig.out_path import out_dir, out_file, write_output
from rig.runner import new_run_dir, run_recording
from rig.session import ReplaySession, Timeouts
from rig.targets import make_target
from rig.targets.cocotb import CocotbTarget
from rig.targets.qemu import MACHINE_CFG, QEMU, QemuTarget
from rig.targets.sockets import free_port
from rig.tool_args import ArgumentParser
from scenarios.catalog import list_scenarios, synthesize

FIGURES = ("overhead", "host", "qemu", "cocotb")
OVERHEAD_GOAL = 1.3
HOST_GOAL_X = 1000.0
COCOTB_GOAL = 10.0
HOST_SCENARIO = "run_30min"
QEMU_SCENARIO = "steady_run"
QEMU_LINKS = ("bulk", "uart")


def _median_s(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


def bare_qemu_cycle(elf: Path, run_dir: Path, timeout_s: float = 10.0) -> float:
    """Seconds from launching QEMU on elf (UART on a loopback server) to its first byte, plus its teardown."""
    port = free_port()
    argv = [QEMU, "-readconfig", str(MACHINE_CFG), "-nodefaults", "-display", "none", "-monitor", "none",
            "-semihosting-config", "enable=on,target=native", "-serial", "null",
            "-serial", f"tcp:127.0.0.1:{port},server=on,wait=on", "-kernel", str(elf)]
    t0 = time.perf_counter()
    with open(run_dir / "bare-qemu.log", "wb") as log:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log)
    try:
        deadline = t0 + timeout_s
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=timeout_s)
                break
            except OSError:
                if time.perf_counter() > deadline or proc.poll() is not None:
                    raise RigError(f"bare {QEMU} did not serve port {port}; see {run_dir / 'bare-qemu.log'}") from None
                time.sleep(0.001)
        with sock:
            if not sock.recv(1):
                raise RigError(f"bare {QEMU} closed its UART before sending a byte")
        proc.terminate()
        proc.wait(timeout_s)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return time.perf_counter() - t0


def rig_qemu_cycle(run_dir: Path) -> float:
    """Seconds one QEMU test spends in the rig around its own work: the dut fixture plus a handshake."""
    t0 = time.perf_counter()
    target = make_target("qemu")
    avail = target.usable()
    if not avail.ok:
        raise RigError(f"target qemu is not available: {avail.reason}")
    try:
        with Link(target.start(run_dir), run_dir) as link:
            ReplaySession(link, Timeouts(), clock=target.progress_clock()).handshake()
    finally:
        target.stop()
    return time.perf_counter() - t0


#: Most --rounds of the overhead figure.
MAX_ROUNDS = 1000


def measure_overhead(runs_dir: Path, rounds: int) -> dict[str, Any]:
    """Per-test overhead on QEMU against bare QEMU (medians of `rounds` alternating cycles)."""
    if not QemuTarget.availability().ok:
        return {"skipped": QemuTarget.availability().reason}
    elf = arm_elf()
    rig_qemu_cycle(new_run_dir(runs_dir, "warm", "qemu"))  # builds, caches: what a session's first test pays
    bare, rig = [], []
    for i in range(rounds):
        bare.append(bare_qemu_cycle(elf, new_run_dir(runs_dir, f"bare{i}", "qemu")))
        rig.append(rig_qemu_cycle(new_run_dir(runs_dir, f"rig{i}", "qemu")))
    b, r = _median_s(bare), _median_s(rig)
    return {"rounds": rounds, "bare_qemu_s": b, "rig_per_test_s": r, "ratio": r / b, "goal_ratio": OVERHEAD_GOAL}


def measure_host(runs_dir: Path) -> dict[str, Any]:
    """The 30-minute run on the host target, end to end, beside the analyzer alone in-process."""
    t0 = time.perf_counter()
    rec = synthesize(HOST_SCENARIO)
    synth_s = time.perf_counter() - t0
    assert rec.truth is not None
    duration_s = float(rec.t_s[-1] - rec.t_s[0])
    t1 = time.perf_counter()
    native.analyze(rec)
    analyzer_s = time.perf_counter() - t1
    t2 = time.perf_counter()
    result = run_recording(make_target("host"), rec, new_run_dir(runs_dir, HOST_SCENARIO, "host"))
    replay_s = time.perf_counter() - t2
    t3 = time.perf_counter()
    report = check_result(result, rec.truth)
    judge_s = time.perf_counter() - t3
    return {
        "scenario": HOST_SCENARIO, "duration_s": duration_s, "passed": report.passed,
        "replay_s": replay_s, "replay_x_realtime": duration_s / replay_s,
        "analyzer_alone_x_realtime": duration_s / analyzer_s,
        "replay_vs_analyzer": analyzer_s / replay_s,
        "synth_s": synth_s, "judge_s": judge_s,
        "with_synthesis_x_realtime": duration_s / (synth_s + replay_s + judge_s),
        "goal_x_realtime": HOST_GOAL_X,
    }


def _cpu_s(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def measure_qemu(runs_dir: Path, scenario: str = QEMU_SCENARIO, links: Sequence[str] = QEMU_LINKS) -> dict[str, Any]:
    """A scenario on QEMU over the bulk link and with every byte through the emulated UART: real-time
    factors, and CPU seconds of QEMU and of the rig (its relay thread included) per minute of gait."""
    if not QemuTarget.availability().ok:
        return {"skipped": QemuTarget.availability().reason}
    arm_elf()  # built before the clock starts: make and the compiler are children too
    rec = synthesize(scenario)
    duration_s = float(rec.t_s[-1] - rec.t_s[0])
    out: dict[str, Any] = {"scenario": scenario, "duration_s": duration_s}
    for link in links:
        rig0, qemu0 = _cpu_s(resource.RUSAGE_SELF), _cpu_s(resource.RUSAGE_CHILDREN)
        result = run_recording(QemuTarget(link=link), rec, new_run_dir(runs_dir, scenario, f"qemu-{link}"))
        out[f"{link}_x_realtime"] = result.realtime_factor
        out[f"{link}_qemu_cpu_s_per_min"] = (_cpu_s(resource.RUSAGE_CHILDREN) - qemu0) * 60.0 / duration_s
        out[f"{link}_rig_cpu_s_per_min"] = (_cpu_s(resource.RUSAGE_SELF) - rig0) * 60.0 / duration_s
    if "bulk_x_realtime" in out and "uart_x_realtime" in out:
        out["bulk_vs_uart"] = out["bulk_x_realtime"] / out["uart_x_realtime"]
    return out


def measure_cocotb(runs_dir: Path, scenarios: Sequence[str]) -> dict[str, Any]:
    """Simulated seconds per wall second on the cocotb target over the scenarios (default: the catalog)."""
    target = CocotbTarget()
    avail = target.usable()
    if not avail.ok:
        return {"skipped": avail.reason}
    names = list(scenarios) or [s.name for s in list_scenarios()]
    sim_s = wall_s = run_wall_s = 0.0
    for name in names:
        rec = synthesize(name)
        t0 = time.perf_counter()
        run_recording(target, rec, new_run_dir(runs_dir, name, "cocotb"))
        run_wall_s += time.perf_counter() - t0
        speed = target.last_speed or {}
        sim_s += float(speed.get("simulated_s") or 0.0)
        wall_s += float(speed.get("wall_s") or 0.0)
    return {"simulator": target.simulator, "scenarios": len(names), "simulated_s": sim_s, "stream_wall_s": wall_s,
            "sim_s_per_wall_s": sim_s / wall_s if wall_s else None,
            "sim_s_per_run_wall_s": sim_s / run_wall_s if run_wall_s else None, "goal": COCOTB_GOAL}


def format_figures(fig: dict[str, Any]) -> str:
    """The figures as printed."""
    out = [f"load average (1 min) before / after: {fig['load_before']:.2f} / {fig['load_after']:.2f} "
           f"on {fig['cores']} cores"]
    o = fig.get("overhead")
    if o:
        out.append(f"qemu per-test overhead: {o['ratio']:.2f}x bare QEMU's start to first byte plus teardown "
                   f"(goal <= {o['goal_ratio']}): rig {o['rig_per_test_s'] * 1000:.0f} ms, bare "
                   f"{o['bare_qemu_s'] * 1000:.0f} ms, medians of {o['rounds']}" if "ratio" in o
                   else f"qemu per-test overhead: skipped: {o['skipped']}")
    h = fig.get("host")
    if h:
        out.append(f"host {h['scenario']}: {h['replay_x_realtime']:,.0f}x real time end to end (goal >= "
                   f"{h['goal_x_realtime']:,.0f}x), {h['replay_vs_analyzer']:.2f} of the analyzer alone in-process "
                   f"({h['analyzer_alone_x_realtime']:,.0f}x); {h['with_synthesis_x_realtime']:,.0f}x with the "
                   f"waveform's synthesis ({h['synth_s']:.1f} s) and judging ({h['judge_s']:.2f} s); "
                   f"checks {'passed' if h['passed'] else 'FAILED'}")
    q = fig.get("qemu")
    if q and "skipped" in q:
        out.append(f"qemu: skipped: {q['skipped']}")
    elif q:
        said = {"bulk": "over the bulk link", "uart": "with every byte through the emulated UART"}
        parts = [f"{q[f'{link}_x_realtime']:.1f}x real time {said[link]} (CPU per minute of gait: QEMU "
                 f"{q[f'{link}_qemu_cpu_s_per_min']:.2f} s, rig {q[f'{link}_rig_cpu_s_per_min']:.2f} s)"
                 for link in QEMU_LINKS if f"{link}_x_realtime" in q]
        apart = f" ({q['bulk_vs_uart']:.0f}x apart)" if "bulk_vs_uart" in q else ""
        out.append(f"qemu {q['scenario']}: " + "; ".join(parts) + apart)
    c = fig.get("cocotb")
    if c:
        out.append(f"cocotb on {c['simulator']}: {c['sim_s_per_wall_s']:.2f} simulated s per wall s over "
                   f"{c['scenarios']} scenarios ({c['simulated_s']:.0f} s simulated; {c['sim_s_per_run_wall_s']:.2f} "
                   f"counting start-up and handshake; goal >= {c['goal']:g})" if "sim_s_per_wall_s" in c
                   else f"cocotb: skipped: {c['skipped']}")
    return "\n".join(out)


def run_speed(only: Sequence[str], runs_dir: Path, rounds: int, cocotb_scenarios: Sequence[str],
              qemu_scenario: str = QEMU_SCENARIO, qemu_links: Sequence[str] = QEMU_LINKS) -> dict[str, Any]:
    """Measure the chosen figures (all by default); the dict format_figures prints."""
    fig: dict[str, Any] = {"cores": os.cpu_count(), "load_before": os.getloadavg()[0]}
    steps: dict[str, Callable[[], dict[str, Any]]] = {
        "overhead": lambda: measure_overhead(runs_dir, rounds),
        "host": lambda: measure_host(runs_dir),
        "qemu": lambda: measure_qemu(runs_dir, qemu_scenario, qemu_links),
        "cocotb": lambda: measure_cocotb(runs_dir, cocotb_scenarios),
    }
    for name in only or FIGURES:
        fig[name] = steps[name]()
    fig["load_after"] = os.getloadavg()[0]
    return fig


#: QEMU cycles of each kind the overhead figure takes unless --rounds says otherwise.
DEFAULT_ROUNDS = 20
#: The figure each option shapes.
SHAPES = {"rounds": ("--rounds", "overhead"), "qemu_scenario": ("--qemu-scenario", "qemu"),
          "qemu_link": ("--qemu-link", "qemu"), "cocotb_scenario": ("--cocotb-scenario", "cocotb")}


def _refuse_unmeasured(parser: ArgumentParser, args: Namespace) -> None:
    """parser.error() for an option of a figure --only leaves out: --only host --rounds 5 measured the host figure
    and ignored --rounds without a word."""
    for dest, (option, figure) in SHAPES.items():
        if args.only and figure not in args.only and getattr(args, dest) not in (None, []):
            parser.error(f"{option} shapes the {figure} figure, and --only {' --only '.join(args.only)} leaves it "
                         f"out: add --only {figure}, or drop {option}")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: measure, print, optionally write JSON."""
    parser = ArgumentParser(prog="python -m rig.speed", description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--only", action="append", choices=FIGURES, default=[],
                        help="measure only this figure (repeatable; default all)")
    parser.add_argument("--rounds", action=Once, type=int, default=None,
                        help=f"QEMU cycles of each kind for the overhead (default {DEFAULT_ROUNDS})")
    parser.add_argument("--cocotb-scenario", action="append", default=[], metavar="NAME",
                        help="scenario for the cocotb figure (repeatable; default the whole catalog)")
    parser.add_argument("--qemu-scenario", action=Once, default=None, metavar="NAME",
                        help=f"scenario for the qemu figure (default {QEMU_SCENARIO})")
    parser.add_argument("--qemu-link", action="append", choices=QEMU_LINKS, default=[],
                        help="link of the qemu figure (repeatable; default both)")
    parser.add_argument("--runs-dir", action=Once, type=out_dir("--runs-dir"), default=Path("runs") / "speed")
    # checked before minutes of measuring: a path that cannot be written failed only at the end
    parser.add_argument("--json", action=Once, type=out_file("--json"), default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    for option, values in (("--only", args.only), ("--qemu-link", args.qemu_link),
                           ("--cocotb-scenario", args.cocotb_scenario)):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            # each was measured again (minutes of QEMU or cocotb), a scenario counted twice in the cocotb figure
            parser.error(f"{option} {', '.join(twice)} given twice; give each once")
    _refuse_unmeasured(parser, args)
    args.rounds = DEFAULT_ROUNDS if args.rounds is None else args.rounds
    if args.qemu_scenario is not None and not args.qemu_scenario.strip():
        # an unset variable ("$SCENARIO") measured the default scenario as if it were the one asked for
        parser.error(f"--qemu-scenario {args.qemu_scenario!r} is empty; give a catalog scenario (rig list shows "
                     f"them) or leave --qemu-scenario out for {QEMU_SCENARIO}")
    args.qemu_scenario = args.qemu_scenario or QEMU_SCENARIO
    if args.rounds < 1:
        parser.error(f"--rounds {args.rounds}: give at least 1")
    if args.rounds > MAX_ROUNDS:
        # a typo's extra digits booted QEMU twice per round until stopped
        digits = str(args.rounds)
        shown = digits if len(digits) <= 20 else f"{digits[:20]}... ({len(digits)} digits)"
        parser.error(f"--rounds {shown}: at most {MAX_ROUNDS} (each is two QEMU boots; 20 give a steady median)")
    known = {s.name for s in list_scenarios()}
    if args.qemu_scenario not in known:
        parser.error(f"--qemu-scenario {args.qemu_scenario}: not in the catalog (rig list shows it)")
    unknown = [n for n in args.cocotb_scenario if n not in known]
    if unknown:
        parser.error(f"--cocotb-scenario {', '.join(unknown)}: not in the catalog (rig list shows it)")
    try:
        fig = run_speed(args.only, args.runs_dir, args.rounds, args.cocotb_scenario, args.qemu_scenario,
                        args.qemu_link or QEMU_LINKS)
    except RigError as exc:
        print(f"rig.speed: {exc}", file=sys.stderr)
        return 2
    print(format_figures(fig))
    if args.json:
        try:
            write_output(args.json, json.dumps(fig, indent=1) + "\n", "--json", "the figures are printed above")
        except RigError as exc:
            print(f"rig.speed: {exc}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
