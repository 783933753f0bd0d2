"""A firmware process's start-up wait follows the process's own progress: one starved by a busy
host still gets its time to announce its link, one that never announces is still given up on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rig.errors import RigError
from rig.targets.process import FirmwareProcess

#: Burns cpu_s of CPU time, then announces its link.
ANNOUNCE_AFTER_WORK = """
import os, sys, time
os.nice({nice})
print("booting", flush=True)
start = time.process_time()
while time.process_time() - start < {cpu_s}: pass
print("PTY /dev/pts/99", flush=True)
time.sleep(60)
"""
SPIN = "import time\nwhile True: pass\n"


def _firmware(tmp_path: Path, code: str) -> FirmwareProcess:
    return FirmwareProcess([sys.executable, "-c", code], tmp_path / "target.log")


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc")
def test_a_starved_firmware_gets_its_time_to_announce(tmp_path: Path) -> None:
    """Every core busy at a higher priority: the firmware takes seconds of wall time for 0.15 s of
    work, more than the wait's 1 s; charged its own CPU time, it is not taken for hung. (The wait
    still charges at least 1/STARVED_FLOOR of the wall time, so the test holds while the rest of
    the machine leaves the starved firmware at least about 1/20 of the CPU it needs.)"""
    hogs = [subprocess.Popen([sys.executable, "-c", SPIN]) for _ in range(os.cpu_count() or 1)]
    fw = _firmware(tmp_path, ANNOUNCE_AFTER_WORK.format(nice=10, cpu_s=0.15))
    try:
        assert fw.read_line("PTY ", timeout_s=1.0) == "/dev/pts/99"
    finally:
        fw.stop()
        for hog in hogs:
            hog.kill()
            hog.wait()


def test_a_firmware_that_never_announces_is_given_up_on(tmp_path: Path) -> None:
    fw = _firmware(tmp_path, "print('hello there', flush=True)\n" + SPIN)
    try:
        with pytest.raises(RigError, match=r"did not announce its link \('PTY \.\.\.'\) within 0\.5 s "
                                           r"\(.* CPU time .*hello there"):
            fw.read_line("PTY ", timeout_s=0.5)
    finally:
        fw.stop()


def test_a_firmware_that_exits_is_reported_at_once(tmp_path: Path) -> None:
    fw = _firmware(tmp_path, "import sys; print('bad flag', file=sys.stderr); sys.exit(3)")
    try:
        with pytest.raises(RigError, match=r"ended \(exit status 3\) before announcing its link.*bad flag"):
            fw.read_line("PTY ", timeout_s=30)
    finally:
        fw.stop()


def test_a_firmware_that_prints_half_a_line_and_goes_quiet_is_given_up_on_in_time(tmp_path: Path) -> None:
    """Part of a line and then silence (a prompt, a console waiting for input): the wait ends at its
    bound, saying what came, instead of blocking until the process ends (here 30 s later)."""
    fw = _firmware(tmp_path, "import sys, time\nsys.stdout.write('login: '); sys.stdout.flush(); time.sleep(30)\n")
    try:
        with pytest.raises(RigError, match=r"did not announce its link \('PTY \.\.\.'\) within 0\.5 s.*login: "
                                           r"?\(no end of line\)"):
            fw.read_line("PTY ", 0.5)
    finally:
        fw.stop()


def test_the_link_line_after_a_long_line_and_in_pieces_is_found(tmp_path: Path) -> None:
    code = ("import sys, time\nsys.stdout.write('x' * 10000 + '\\nPT'); sys.stdout.flush(); time.sleep(0.2)\n"
            "sys.stdout.write('Y /dev/pts/7\\n'); sys.stdout.flush(); time.sleep(30)\n")
    fw = _firmware(tmp_path, code)
    try:
        assert fw.read_line("PTY ", 5.0) == "/dev/pts/7"
    finally:
        fw.stop()


def test_a_firmware_the_host_stopped_is_terminated_not_killed_after_the_grace(tmp_path: Path) -> None:
    """SIGTERM waits while a process is stopped (SIGSTOP): stop() continues it so it ends at once."""
    fw = _firmware(tmp_path, "import time\nprint('PTY /dev/pts/99', flush=True)\ntime.sleep(60)\n")
    assert fw.read_line("PTY ", timeout_s=10.0) == "/dev/pts/99"
    os.kill(fw.proc.pid, signal.SIGSTOP)
    t0 = time.monotonic()
    how = fw.stop(timeout_s=3.0)
    assert "terminated" in how and time.monotonic() - t0 < 3.0, how


def test_a_firmware_someone_else_killed_is_told_so(tmp_path: Path) -> None:
    """A firmware process killed by someone else mid-run (kill -9, the OOM killer) was accounted 'had already exited,
    exit status -9' in target.txt (QEMU: 'exited with status -9: QEMU failed'), as if it had ended by itself."""
    fw = _firmware(tmp_path, "import time\nprint('PTY /dev/pts/99', flush=True)\ntime.sleep(60)\n")
    fw.read_line("PTY ", 10.0)
    os.kill(fw.proc.pid, signal.SIGKILL)
    fw.proc.wait(10.0)
    said = fw.stop()
    assert said.endswith("had already been killed by SIGKILL before the rig stopped it, exit status -9"), said
