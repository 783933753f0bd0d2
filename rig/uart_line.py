"""A serial line at a set baud rate between two ptys: what a UART and its cable let through.

A pty moves bytes as fast as the processes at its ends; a board's UART moves baud/10 bytes a second
(8N1: a start bit, 8 data bits, a stop bit). `python -m rig.uart_line --baud 115200 DEVICE` opens
DEVICE (the native firmware's pty), creates a pty of its own, prints ``PTY <path>`` and forwards
between them, each direction no faster than the line: the link-utilization benchmark
(rig.linkbench) runs the rig through it. Bytes are never dropped: when the line is busy the sender
waits (the pty's buffer fills and its writes block), as behind a UART with flow control.
"""

from __future__ import annotations

import argparse
import os
import select
import signal
import sys
import termios
import time
import tty
from collections.abc import Callable, Sequence

from rig.once import Once
from rig.tool_args import ArgumentParser

#: Bits on the wire per byte at 8N1.
BITS_PER_BYTE = 10
#: Line speeds the model runs at, bits per second: from the slowest rate a UART is set to, to the
#: fastest USB-serial bridges' 12 Mbaud (pyserial cannot set a pty past 2^31; no board's line runs faster).
BAUD_RANGE = (300, 12_000_000)


def line_speed(lo: int, number: Callable[[str], int]) -> Callable[[str], int]:
    """An argparse type of --baud: a whole number of bits per second from lo to BAUD_RANGE's top, read by
    number (which refuses what is no number in its own words). A refusal quotes at most 20 characters of
    the value, and a longer one is out of range without being converted."""
    hi = BAUD_RANGE[1]

    def baud(text: str) -> int:
        value = number(text) if len(text) <= 20 else hi + 1
        if not lo <= value <= hi:
            # --baud 99999999999 was taken: a line no UART or cable runs at, serving its bytes as fast as a pty
            shown = text if len(text) <= 20 else f"{text[:20]}... ({len(text)} characters)"
            raise argparse.ArgumentTypeError(f"{shown}: give a line speed of {lo:,} to {hi:,} bits per second "
                                             "(a board's: 115200, 921600)")
        return value

    return baud


def _bits_per_second(text: str) -> int:
    """text as a whole number of bits per second; argparse.ArgumentTypeError when it is none."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of bits per second (e.g. 115200)") from None


#: argparse type of the line model's --baud: BAUD_RANGE.
baud_arg = line_speed(BAUD_RANGE[0], _bits_per_second)


class Direction:
    """One direction of the line: a queue of bytes released at the line's byte rate."""

    def __init__(self, src: int, dst: int, bytes_per_s: float) -> None:
        self.src, self.dst = src, dst
        self.bytes_per_s = bytes_per_s
        self.queue = bytearray()
        self.free_at = time.monotonic()  # when the line has sent everything released so far
        self.moved = 0

    def wants_input(self) -> bool:
        """Read more only while little is queued: the sender then waits, as on a line with flow control."""
        return len(self.queue) < 256

    def pump(self, now: float) -> float:
        """Release what the line has transmitted by now; return when the next byte is due (s, monotonic)."""
        if not self.queue:
            self.free_at = max(self.free_at, now)
            return float("inf")
        due = int((now - self.free_at) * self.bytes_per_s)
        if due <= 0:
            return self.free_at + 1.0 / self.bytes_per_s
        chunk = bytes(self.queue[:due])
        try:
            n = os.write(self.dst, chunk)
        except BlockingIOError:
            return now + 0.001
        del self.queue[:n]
        self.free_at += n / self.bytes_per_s
        self.moved += n
        return now if self.queue else float("inf")


def _raw(fd: int) -> None:
    tty.setraw(fd, termios.TCSANOW)
    os.set_blocking(fd, False)


def serve(device: str, baud: int, announce: bool = True) -> None:
    """Forward between device and a new pty at baud (8N1) until device or the pty's user hangs up."""
    bytes_per_s = baud / BITS_PER_BYTE
    dev = os.open(device, os.O_RDWR | os.O_NOCTTY)
    _raw(dev)
    master, slave = os.openpty()
    tty.setraw(slave, termios.TCSANOW)  # the far end sees a raw line, as a board's tty
    os.set_blocking(master, False)
    if announce:
        print(f"PTY {os.ttyname(slave)}", flush=True)
    to_device = Direction(master, dev, bytes_per_s)
    to_user = Direction(dev, master, bytes_per_s)
    while True:
        now = time.monotonic()
        due = min(to_device.pump(now), to_user.pump(now))
        readers = [d.src for d in (to_device, to_user) if d.wants_input()]
        wait = max(0.0, min(due - time.monotonic(), 0.05))
        ready, _, _ = select.select(readers, [], [], wait)
        for d in (to_device, to_user):
            if d.src in ready:
                try:
                    data = os.read(d.src, 4096)
                except BlockingIOError:
                    continue
                except OSError:
                    return  # the device went away
                if not data and d.src == dev:
                    return
                if not d.queue:  # an idle line starts sending now, not when it went idle
                    d.free_at = max(d.free_at, time.monotonic())
                d.queue += data


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: python -m rig.uart_line --baud N DEVICE."""
    ap = ArgumentParser(prog="python -m rig.uart_line", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("device", help="the pty (or tty) at the far end of the line: the firmware's")
    ap.add_argument("--baud", action=Once, type=baud_arg, default=115200,
                    help=f"line speed, bits per second (8N1), {BAUD_RANGE[0]}..{BAUD_RANGE[1]}")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        serve(args.device, args.baud)
    except OSError as exc:
        print(f"uart_line: {args.device}: {exc.strerror}", file=sys.stderr)
        return 2
    except termios.error:  # a device that takes no terminal settings (/dev/null, a regular file): no traceback
        print(f"uart_line: {args.device}: not a terminal; give the pty (or tty) at the far end of the line",
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
