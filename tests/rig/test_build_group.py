"""A build cut short (its time limit, a signal's KeyboardInterrupt) leaves none of its processes running."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from rig.build import make
from rig.errors import RigError

MAKEFILE = "slow:\n\tsleep 30 & echo $$! > child.pid; wait\n"


def _alive(pid: int) -> bool:
    """pid runs (a zombie waiting to be reaped has ended)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _child_pid(directory: Path) -> int:
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        text = (directory / "child.pid").read_text().strip() if (directory / "child.pid").exists() else ""
        if text:
            return int(text)
        time.sleep(0.02)
    raise AssertionError("the recipe never started its child")


def _ended(pid: int) -> bool:
    deadline = time.monotonic() + 3.0
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _alive(pid)


def test_a_build_over_its_time_limit_leaves_no_compiler_running(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text(MAKEFILE)
    with pytest.raises(RigError, match="took over"):
        make("slow", tmp_path / "never", timeout_s=0.4, directory=tmp_path, what="a slow product")
    assert _ended(_child_pid(tmp_path))


def test_a_build_cut_short_by_ctrl_c_leaves_no_compiler_running(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text(MAKEFILE)
    main = threading.main_thread().ident
    assert main is not None
    # Python's own Ctrl-C for the build: the session's handler (rig.pytest_signals) would end the session
    before = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.4, signal.pthread_kill, (main, signal.SIGINT))  # Ctrl-C, as the terminal sends it
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            make("slow", tmp_path / "never", timeout_s=30.0, directory=tmp_path, what="a slow product")
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, before)
    assert _ended(_child_pid(tmp_path))
