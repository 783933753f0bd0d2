"""SIGTERM and SIGHUP under pytest: the session unwinds like Ctrl-C and stops the targets it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rig.pytest_signals import SessionSignal, restore_signals, take_signals

pytest_plugins = ["pytester"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


@pytest.mark.target("host")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_stops_the_dut_target(pytester: pytest.Pytester, sig: signal.Signals) -> None:
    """SIGTERM (timeout, CI) ended pytest at once: the firmware the dut started ran on, orphaned, and its
    run directory had no target.txt."""
    pid_file = pytester.path / "firmware.pid"
    pytester.makepyfile(f"""
        import time
        from pathlib import Path

        def test_hangs(dut):
            Path({str(pid_file)!r}).write_text(str(dut.target.pid()))
            time.sleep(60)
    """)
    runs = pytester.path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--target", "host",
                             "--runs-dir", str(runs)], cwd=pytester.path, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    firmware = 0
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.is_file() and pid_file.read_text()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[0]
            time.sleep(0.05)
        firmware = int(pid_file.read_text())
        proc.send_signal(sig)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
        assert f"the session was ended by {sig.name}; every target it started is stopped" in out
        assert not _alive(firmware)
        (run_dir,) = runs.iterdir()
        assert "terminated" in (run_dir / "target.txt").read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if firmware and _alive(firmware):
            os.kill(firmware, signal.SIGKILL)


def test_only_default_handlers_are_taken_and_given_back() -> None:
    before = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGHUP)}  # this session's own
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        taken = take_signals()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN and signal.SIGHUP not in taken
        assert signal.SIGTERM in taken
        with pytest.raises(SessionSignal, match="ended by SIGTERM"):
            signal.getsignal(signal.SIGTERM)(signal.SIGTERM, None)  # type: ignore[operator]
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN  # a second one waits for the clean-up
        restore_signals(taken)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
