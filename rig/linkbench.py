"""Link utilization: how much of a serial line's byte rate a replay uses.

The native firmware runs behind a line model at the board's baud rate (rig.uart_line: baud/10 bytes a
second each way, 8N1); the rig replays a catalog scenario through it as fast as the firmware's
acknowledgements allow (the window of SAMPLE_BATCH frames its HELLO grants). The figure is the bytes
the rig sent while streaming over the time streaming took, as a fraction of the line's byte rate.

    python -m rig.linkbench [--baud 115200 --baud 921600] [--scenario steady_run] [--seconds 20]

Prints one line per baud rate; exit 1 when a rate is below the goal (80 %).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rig.errors import RigError
from rig.inject import to_raw
from rig.link import Link
from rig.session import ReplaySession
from rig.targets.host import HostTarget
from rig.uart_line import BAUD_RANGE as LINE_BAUD_RANGE
from rig.uart_line import BITS_PER_BYTE, line_speed
from rig.once import Once
from rig.tool_args import ArgumentParser, positive_int, positive_s, refuse_repeats, scenario_name
from scenarios.catalog import synthesize

#: Goal: the share of the line's byte rate a replay keeps busy.
GOAL_FRACTION = 0.80
DEFAULT_BAUDS = (115200, 921600)
#: Line speeds the benchmark measures, bits per second: below 1200 the firmware's answer to CONFIG takes
#: longer than the rig waits for it; above 12 Mbaud (the fastest USB-serial bridges) pyserial cannot set
#: the pty (a C int overflows past 2^31) and no board's line runs: the line model's own bound.
BAUD_RANGE = (1200, LINE_BAUD_RANGE[1])


#: The shortest replay measured, s: 832 samples at 416 Hz, more than the 640 (20 batches of 32) the native
#: firmware lets be in flight, so the figure is the stream's steady rate, not its start.
MIN_SECONDS = 2.0


def seconds_arg(text: str) -> float:
    """argparse type of --seconds: a finite number of seconds, at least MIN_SECONDS."""
    value = positive_s(text)
    if value < MIN_SECONDS:
        # --seconds 0.0001 replayed '0 samples in 0.00 s' and called the line's use below the goal (exit 1)
        raise argparse.ArgumentTypeError(f"{text}: replay at least {MIN_SECONDS:g} s; a shorter replay ends before "
                                         "the stream fills the line, so its figure is not the line's use")
    return value


#: argparse type of --baud: a whole number of bits per second within BAUD_RANGE.
baud_arg = line_speed(BAUD_RANGE[0], positive_int)


@dataclass(frozen=True)
class Utilization:
    """One replay's use of the line toward the firmware."""

    baud: int
    samples: int
    wire_bytes: int
    stream_s: float
    window: int
    batch_samples: int

    @property
    def line_bytes_per_s(self) -> float:
        """What the line can carry, bytes per second (8N1)."""
        return self.baud / BITS_PER_BYTE

    @property
    def achieved_bytes_per_s(self) -> float:
        """Bytes the rig sent per second while streaming."""
        return self.wire_bytes / self.stream_s

    @property
    def fraction(self) -> float:
        """Achieved over possible byte rate."""
        return self.achieved_bytes_per_s / self.line_bytes_per_s

    def line(self) -> str:
        """The figure as one line of text."""
        verdict = "ok" if self.fraction >= GOAL_FRACTION else f"below the goal of {GOAL_FRACTION:.0%}"
        return (f"{self.baud:>7} baud: {self.achieved_bytes_per_s:8.0f} of {self.line_bytes_per_s:6.0f} B/s = "
                f"{self.fraction:6.1%} ({self.wire_bytes} B, {self.samples} samples in {self.stream_s:.2f} s; "
                f"{self.window} batches of {self.batch_samples} in flight; "
                f"{self.samples / self.stream_s:.0f} samples/s) {verdict}")


def measure(baud: int, scenario: str, seconds: float, work: Path) -> Utilization:
    """Replay the first `seconds` of scenario through a line at baud; measure the streaming phase."""
    rec = synthesize(scenario)
    n = min(len(rec.t_s), int(seconds * rec.odr_hz))
    rec = type(rec)(rec.name, rec.odr_hz, rec.t_s[:n], rec.acc_g[:n], rec.gyro_dps[:n],
                    accel_fs_g=rec.accel_fs_g, gyro_fs_dps=rec.gyro_fs_dps)
    raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
    run_dir = work / f"{baud}"
    run_dir.mkdir(parents=True)
    fw = HostTarget()
    pty = fw.start(run_dir)
    line = subprocess.Popen([sys.executable, "-m", "rig.uart_line", "--baud", str(baud), pty],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert line.stdout is not None
        announced = line.stdout.readline().strip()
        if not announced.startswith("PTY "):
            raise RigError(f"the line model did not start (said {announced!r}, exit {line.poll()})")
        with Link(announced[4:], run_dir, baud=baud) as link:
            session = ReplaySession(link)
            session.handshake()
            session.configure(raw)
            tx = run_dir / "tx.bin"
            before = tx.stat().st_size
            t0 = time.monotonic()
            session.stream(raw)
            stream_s = time.monotonic() - t0
            wire = tx.stat().st_size - before
            session.finish()
        return Utilization(baud, n, wire, stream_s, session.window or 0, session.batch_samples)
    finally:
        line.terminate()
        line.wait(5)
        fw.stop()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: print the utilization at each baud rate; 1 when one is below the goal."""
    ap = ArgumentParser(prog="python -m rig.linkbench", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--baud", type=baud_arg, action="append",
                    help=f"line speed, {BAUD_RANGE[0]}..{BAUD_RANGE[1]} (repeatable; default 115200 and 921600)")
    ap.add_argument("--scenario", action=Once, type=scenario_name, default="steady_run",
                    help="catalog scenario to replay (default steady_run)")
    # a negative one replayed a negative number of samples and called the rate measured 'ok'
    ap.add_argument("--seconds", action=Once, type=seconds_arg, default=20.0,
                    help=f"seconds of it to replay (default 20, at least {MIN_SECONDS:g})")
    args = ap.parse_args(argv)
    refuse_repeats(ap, args.baud or [], "--baud")  # a line replayed twice, its figure printed twice
    figures = []
    with tempfile.TemporaryDirectory(prefix="linkbench-") as tmp:
        for baud in args.baud or DEFAULT_BAUDS:
            try:
                fig = measure(baud, args.scenario, args.seconds, Path(tmp))
            except RigError as exc:  # a firmware that did not answer: said, not a traceback
                print(f"python -m rig.linkbench: error: at {baud} baud: {exc}", file=sys.stderr)
                return 2
            print(f"link utilization {fig.line()}", flush=True)
            figures.append(fig)
    return 0 if all(f.fraction >= GOAL_FRACTION for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
