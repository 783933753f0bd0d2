"""A firmware process ends with the rig process that started it, even when that one dies unwinding nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rig.targets.parent_death import die_with_parent

#: A rig process that starts a firmware (a sleeper announcing a link), says its pid, and dies at once.
DYING_RIG = """
import os, sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from rig.targets.process import FirmwareProcess
fw = FirmwareProcess([sys.executable, "-c", "print('PTY /dev/null', flush=True); import time; time.sleep(60)"],
                     Path(sys.argv[1]))
fw.read_line("PTY ", 10.0)
print(fw.proc.pid, flush=True)
os._exit(3)  # as SIGKILL, the OOM killer or a crash in native code: no finally, no atexit
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended, waiting for init to reap it


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_firmware_ends_when_its_rig_dies(tmp_path: Path) -> None:
    """A test that called os._exit (or a pytest killed by SIGKILL) left the host firmware or QEMU running,
    reparented to init."""
    rig = subprocess.run([sys.executable, "-c", DYING_RIG, str(tmp_path / "target.log")], capture_output=True,
                         text=True, timeout=60)
    assert rig.returncode == 3, rig.stderr
    firmware = int(rig.stdout.split()[-1])
    try:
        deadline = time.monotonic() + 5
        while _running(firmware) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _running(firmware)
    finally:
        if _running(firmware):
            os.kill(firmware, 9)


def test_only_the_main_thread_asks_for_it() -> None:
    """The signal follows the thread that started the child: a helper thread's end must not end a firmware."""
    found: list[object] = []
    worker = threading.Thread(target=lambda: found.append(die_with_parent()))
    worker.start()
    worker.join()
    assert found == [None]
    assert die_with_parent() is not None or not sys.platform.startswith("linux")


def _ignored(pid: int) -> int:
    """The mask of signals pid ignores (SigIgn in /proc/PID/status)."""
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("SigIgn:"))
    return int(line.split()[1], 16)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/status is Linux's")
def test_a_firmware_started_while_the_rig_ignores_sigterm_still_takes_it(tmp_path: Path) -> None:
    """A target started while the rig ignored SIGTERM (cleaning up after one: a pytest worker whose signal
    was lost in a weakref callback ran on) inherited the ignored signal: stop()'s SIGTERM and the
    parent-death SIGTERM did nothing, and the host firmware outlived its rig."""
    from rig.targets.process import FirmwareProcess

    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        fw = FirmwareProcess([sys.executable, "-c", "print('PTY /dev/null', flush=True); import time; time.sleep(60)"],
                             tmp_path / "target.log")
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    try:
        fw.read_line("PTY ", 10.0)
        mask = _ignored(fw.proc.pid)
        assert not mask & (1 << (signal.SIGTERM - 1)) and not mask & (1 << (signal.SIGHUP - 1))
        fw.proc.terminate()
        assert fw.proc.wait(10) == -signal.SIGTERM
    finally:
        if fw.proc.poll() is None:
            fw.proc.kill()
            fw.proc.wait()


class _Recorded(OSError):
    """Raised by a stand-in Popen once it has the arguments a target started its simulator with."""


def _popen_arguments(module: object, monkeypatch: pytest.MonkeyPatch, start: Callable[[], object]) -> dict[str, Any]:
    """The keyword arguments start() hands module's subprocess.Popen (the start itself fails then)."""
    seen: dict[str, Any] = {}

    def recorder(argv: list[str], **kwargs: Any) -> None:
        seen.update(kwargs)
        raise _Recorded("recorded")

    with monkeypatch.context() as patch, pytest.raises(Exception, match="recorded"):
        patch.setattr(module.subprocess, "Popen", recorder)  # type: ignore[attr-defined]
        start()
    return seen


def _sigterm_ignored_in_a_child_started_with(kwargs: dict[str, Any]) -> bool:
    """Whether a child started with a target's Popen arguments, while this process ignores SIGTERM and SIGHUP,
    ignores either."""
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"],
                                 preexec_fn=kwargs.get("preexec_fn"),
                                 start_new_session=kwargs.get("start_new_session", False))
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)
    try:
        mask = _ignored(child.pid)
        return bool(mask & (1 << (signal.SIGTERM - 1)) or mask & (1 << (signal.SIGHUP - 1)))
    finally:
        child.kill()
        child.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/status is Linux's")
def test_a_cocotb_simulation_started_while_the_rig_ignores_sigterm_still_takes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The cocotb target started its simulation with a Popen of its own, not with the signals reset: a
    simulation started while the rig ignored SIGTERM (cleaning up after one) ignored stop()'s SIGTERM."""
    import rig.targets.cocotb as C

    monkeypatch.setattr(C.CocotbTarget, "require", lambda self: None)
    monkeypatch.setattr(C, "simulation", lambda *args: tmp_path / "build")
    monkeypatch.setattr(C, "cosim_port_library", lambda: tmp_path / "libport.so")
    (tmp_path / C.SAMPLES_FILE).write_bytes(b"")
    target = C.CocotbTarget(simulator="icarus", waves=False)
    kwargs = _popen_arguments(C, monkeypatch, lambda: target.start(tmp_path))
    assert kwargs.get("start_new_session")
    assert not _sigterm_ignored_in_a_child_started_with(kwargs)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc/PID/status is Linux's")
def test_renode_started_while_the_rig_ignores_sigterm_still_takes_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Renode target started Renode with a Popen of its own, not with the signals reset: a Renode
    started while the rig ignored SIGTERM (cleaning up after one) ignored the SIGTERM that stops it."""
    import rig.targets.renode as R

    monkeypatch.setattr(R, "renode_executable", lambda: "/bin/true")
    monkeypatch.setattr(R, "arm_elf", lambda: Path("fw.elf"))
    monkeypatch.setattr(R, "elf_symbols", lambda elf: {R.MAILBOX_SYMBOL: 0x20000000})
    target = R.RenodeTarget(mode="replay", startup_timeout_s=10)
    kwargs = _popen_arguments(R, monkeypatch, lambda: target._start(tmp_path))
    assert kwargs.get("start_new_session")
    assert not _sigterm_ignored_in_a_child_started_with(kwargs)
