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
