"""SIGTERM, SIGHUP and SIGINT under pytest: the session unwinds like Ctrl-C and stops the targets it started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from rig.pytest_signals import SessionSignal, WorkerSignals, restore_signals, take_signals

pytest_plugins = ["pytester"]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"


@pytest.mark.target("host")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT],
                         ids=["SIGTERM", "SIGHUP", "SIGINT"])
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
    signals = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    before = {sig: signal.getsignal(sig) for sig in signals}  # this session's own
    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)  # Python's own default: KeyboardInterrupt
    try:
        taken = take_signals()
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN and signal.SIGHUP not in taken
        assert signal.SIGTERM in taken and signal.SIGINT in taken
        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
        for sig, handler in handlers.items():
            # the session's handler, not SIG_DFL, SIG_IGN, None or Python's KeyboardInterrupt
            assert callable(handler) and handler is not signal.default_int_handler, handler
            with pytest.raises(SessionSignal, match=f"ended by {sig.name}"):
                handler(sig, None)
            # a second one (Ctrl-C pressed again, or passed on by nox) waits for the clean-up
            assert signal.getsignal(signal.SIGTERM) is signal.SIG_IGN and signal.getsignal(signal.SIGINT) is signal.SIG_IGN
        restore_signals(taken)
        assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@pytest.mark.target("host")
@pytest.mark.parametrize("sig, group", [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGINT, False),
                                        (signal.SIGINT, True)],
                         ids=["SIGTERM", "SIGHUP", "SIGINT", "Ctrl-C"])
def test_a_signal_to_the_xdist_controller_alone_reaches_the_workers(pytester: pytest.Pytester,
                                                                    sig: signal.Signals, group: bool) -> None:
    """SIGTERM or SIGHUP sent to the pytest -n controller alone (kill PID, not its process group) ended its
    session at once; pytest-xdist tore the workers down with SIGINT seconds later, so the report named
    SIGINT (or, had they not yet ended, lacked their runs). SIGINT alone (kill -INT, a CI runner cancelling)
    was not passed on: the workers ran on until execnet sent them one of its own 5 s later, and the session
    ended naming no signal. Ctrl-C (SIGINT to the whole process group, as a terminal sends it) reaches every
    worker at once, and again from the controller: the second is ignored."""
    pids = pytester.path / "pids"
    pids.mkdir()
    pytester.makepyfile(f"""
        import os
        import time
        from pathlib import Path

        import rig.pytest_plugin as plugin

        PIDS = Path({str(pids)!r})

        def test_dut_hangs(dut):
            (PIDS / "firmware").write_text(str(dut.target.pid()))
            (PIDS / "worker-dut").write_text(str(os.getpid()))
            time.sleep(60)

        def test_run_hangs(run_scenario, monkeypatch):
            def hangs(*args, **kwargs):
                (PIDS / "worker-run").write_text(str(os.getpid()))
                time.sleep(60)
            monkeypatch.setattr(plugin, "run_scenario", hangs)
            run_scenario("standing")
    """)
    report, runs = pytester.path / "report", pytester.path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--target", "host",
                             "--report", str(report), "--runs-dir", str(runs)], cwd=pytester.path,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=group)
    names = ("firmware", "worker-dut", "worker-run")
    started: list[int] = []
    try:
        deadline = time.monotonic() + 120
        while not all((pids / n).is_file() and (pids / n).read_text() for n in names) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()[0]
            time.sleep(0.05)
        started = [int((pids / n).read_text()) for n in names]
        if group:
            os.killpg(proc.pid, sig)  # the controller, its workers and the firmware, as a terminal's Ctrl-C
        else:
            proc.send_signal(sig)  # the controller alone
        out, _ = proc.communicate(timeout=90)
        assert proc.returncode == pytest.ExitCode.INTERRUPTED, out
        assert f"the session was ended by {sig.name}; every target it started is stopped" in out
        assert "Traceback" not in out
        assert [pid for pid in started if _alive(pid)] == []  # the firmware and both workers
        summary = (report / "summary.md").read_text()
        assert f"| standing on host | cut short by {sig.name} | cut short by {sig.name} after " in summary
        assert 'type="CutShort"' in (report / "junit.xml").read_text()
        (dut_run,) = [d for d in runs.iterdir() if "test_dut_hangs" in d.name]
        ended = (dut_run / "target.txt").read_text()
        # the firmware, in the process group, got the terminal's Ctrl-C too
        assert "terminated" in ended or (group and "had already been killed by SIGINT before the rig stopped it, exit "
                                                   "status -2" in ended), ended
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        for pid in started:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_controller_passes_a_signal_on_once_and_raises_without_workers() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGHUP)}  # this session's own
    child = None
    relay = WorkerSignals(grace_s=60)
    relay.session = SimpleNamespace(shouldstop=False)
    try:
        with pytest.raises(SessionSignal, match="ended by SIGHUP"):  # no worker: ends the session as before
            relay.handle(signal.SIGHUP, None)
        # and stops it after the test under way should that exception be lost (raised in a weakref callback)
        assert relay.session.shouldstop.startswith("SIGHUP")
        for s, handler in before.items():
            signal.signal(s, handler)  # the child must not inherit the ignored signals
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        relay = WorkerSignals(grace_s=60)
        relay.add("gw0", child.pid)
        relay.handle(signal.SIGTERM, None)  # passed on, the session goes on
        assert child.wait(10) == -signal.SIGTERM and relay.signum == signal.SIGTERM
        relay.handle(signal.SIGHUP, None)  # a further one within the grace is ignored
        relay._deadline = 0.0  # the grace is over: the next one ends the session, naming the first
        with pytest.raises(SessionSignal, match="ended by SIGTERM"):
            relay.handle(signal.SIGHUP, None)
    finally:
        relay.close()
        for s, handler in before.items():
            signal.signal(s, handler)
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
