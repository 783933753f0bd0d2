"""The line model behind rig.linkbench: a device it cannot serve is refused in a line, not a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("kind", ["a character device", "a regular file"])
def test_a_device_that_is_no_terminal_is_refused(kind: str, tmp_path: Path) -> None:
    """python -m rig.uart_line /dev/null (or a regular file) ended in 'termios.error: (25, 'Inappropriate ioctl
    for device')', a traceback, exit 1."""
    device = Path(os.devnull) if kind == "a character device" else tmp_path / "ttyX"
    if kind == "a regular file":
        device.write_bytes(b"")
    # a process of its own: the line model takes SIGTERM for itself
    done = subprocess.run([sys.executable, "-m", "rig.uart_line", str(device)], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2, done.stderr
    assert done.stderr == f"uart_line: {device}: not a terminal; give the pty (or tty) at the far end of the line\n"


@pytest.mark.parametrize("baud", ["99999999999", "12000001", "299", "9" * 5000])
def test_a_line_speed_no_uart_runs_at_is_refused_before_the_device_is_opened(baud: str) -> None:
    """--baud 99999999999 was taken (rig.linkbench's --baud stops at 12,000,000): the model served its
    bytes as fast as a pty, a line no UART or cable runs at."""
    done = subprocess.run([sys.executable, "-m", "rig.uart_line", "--baud", baud, os.devnull], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "argument --baud" in done.stderr and "give a line speed of 300 to 12,000,000 bits per second" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr) < 1000, done.stderr


def test_a_line_speed_given_twice_is_refused() -> None:
    """--baud 115200 --baud 921600 modelled the 921600 baud line alone, the first speed dropped without a word."""
    done = subprocess.run([sys.executable, "-m", "rig.uart_line", "--baud", "115200", "--baud", "921600", os.devnull],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr
    assert "--baud given twice (115200 and 921600): it takes one value" in done.stderr, done.stderr
