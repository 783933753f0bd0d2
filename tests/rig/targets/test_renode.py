"""The renode target: detected, never assumed; its monitor script, process tree and clean-up;
sensor-fed and UART replay runs, and two Renodes side by side, where Renode is installed."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from rig.targets import renode as R
from rig.targets.sockets import socket_inodes
from rig.targets.renode import (INSTALL_HINT, PLATFORM, RENODE_ENV, RenodeMonitor, RenodeTarget, feed_period_ns,
                                opened_elsewhere, renode_executable, script, tree_listening)


def test_missing_renode_is_unavailable_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(RENODE_ENV, raising=False)
    avail = RenodeTarget.availability()
    assert not avail.ok and avail.reason == INSTALL_HINT
    assert "renode-run download" in avail.reason and "releases" in avail.reason
    with pytest.raises(Exception, match="Renode is not installed"):
        RenodeTarget().require()


def test_env_names_a_renode_that_is_not_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(RENODE_ENV, str(tmp_path / "renode"))
    assert renode_executable() is None
    avail = RenodeTarget.availability()
    assert not avail.ok and f"{RENODE_ENV}={tmp_path / 'renode'} is not an executable file" in avail.reason
    monkeypatch.setenv(RENODE_ENV, str(tmp_path))  # a directory is no executable either
    assert renode_executable() is None


def test_env_names_an_executable_that_is_no_renode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """STRIDELAB_RENODE=/bin/true: 'Renode's monitor exited (waiting for its first prompt); it said:
    (nothing)', with no word that the executable had been named, nor by what."""
    from rig.errors import RigError

    monkeypatch.setenv(RENODE_ENV, "/bin/true")
    monkeypatch.setattr(R, "arm_elf", lambda: Path("fw.elf"))
    monkeypatch.setattr(R, "elf_symbols", lambda elf: {R.MAILBOX_SYMBOL: 0x20000000})
    target = RenodeTarget(mode="replay", startup_timeout_s=10)
    with pytest.raises(RigError) as err:
        target.start(tmp_path)
    target.stop()
    assert "Renode's monitor exited (waiting for its first prompt)" in str(err.value)
    assert f"it was started as ${RENODE_ENV}=/bin/true: is that Renode? Set {RENODE_ENV}" in str(err.value)


def test_a_mode_that_does_not_exist_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(Exception, match="not one of sensor, replay"):
        RenodeTarget(mode="uart")
    assert RenodeTarget(mode="replay").sensor_fed is False
    assert RenodeTarget(mode="sensor").sensor_fed is True


def test_script_serves_usart2_loads_the_image_and_preloads_the_mailbox() -> None:
    text = script(Path("/img/stridelab-f4.elf"), Path("/run/usart2"), 0x20017F00, R.EMU_SENSOR_HOST_START)
    assert f"LoadPlatformDescription @{PLATFORM}" in text
    assert 'CreateUartPtyTerminal "link" "/run/usart2" true' in text
    assert "SocketTerminal" not in text  # Renode's server socket would listen on every interface
    assert "connector Connect sysbus.usart2 link" in text
    assert "sysbus LoadELF @/img/stridelab-f4.elf" in text
    assert "sysbus WriteDoubleWord 0x20017f00 0x4d454c53" in text  # magic, then its complement
    assert "sysbus WriteDoubleWord 0x20017f04 0xb2bab3ac" in text
    assert "sysbus WriteDoubleWord 0x20017f08 0x8" in text  # the emulator starts the sensor stream
    assert text.strip().endswith("start")
    unstarted = script(Path("/img/stridelab-f4.elf"), Path("/run/usart2"), start=False)
    assert "start" not in unstarted.split() and "WriteDoubleWord" not in unstarted
    assert PLATFORM.exists() and (PLATFORM.parent / "stridelab_f4.resc").exists()
    assert "LSM6DSO_IMU @ spi1_cs 0" in PLATFORM.read_text()


def test_feed_period_is_the_models_tick() -> None:
    # Renode runs a 416 Hz thread every round(1e6 / 416) = 2404 us: one RESD sample per tick
    assert feed_period_ns(416_000) == 2_404_000
    assert feed_period_ns(409_800) == 2_404_000  # a sensor running 1.5 % slow still sits at 416 Hz
    assert feed_period_ns(1_666_000) == round(1e6 / 1660) * 1000
    assert R.nominal_odr_hz(104_000) == 104


# ---- the process tree and clean-up, on a launcher that starts its program as a child --------------

FAKE_RENODE = textwrap.dedent('''\
    #!/bin/sh
    # Stands in for Renode's launchers in this unit test: the "program" is a child, as mono is.
    "{python}" "{child}"
    echo "launcher: the program ended"
''')

FAKE_CHILD = textwrap.dedent('''\
    import socket, sys
    srv = None
    sys.stdout.write("Renode, test double\\n\\r(monitor) "); sys.stdout.flush()
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "quit-ignored":
            pass
        elif cmd.startswith("listen "):
            srv = socket.socket(); srv.bind(("127.0.0.1", int(cmd.split()[1]))); srv.listen(1)
            sys.stdout.write(cmd + "\\n\\rlistening\\r\\n")
        elif cmd == "bad":
            sys.stdout.write(cmd + "\\n\\rNo such command or device: bad\\r\\n")
        else:
            sys.stdout.write(cmd + "\\n\\rok " + cmd + "\\r\\n")
        sys.stdout.write("\\n\\r(shoe) "); sys.stdout.flush()
''')


@pytest.fixture
def launcher(tmp_path: Path) -> Path:
    child = tmp_path / "child.py"
    child.write_text(FAKE_CHILD)
    exe = tmp_path / "renode"
    exe.write_text(FAKE_RENODE.format(python=sys.executable, child=child))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_monitor_and_tree_listening_through_a_launcher(launcher: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen([str(launcher)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    try:
        mon = RenodeMonitor(proc, tmp_path / "monitor.log")
        assert "test double" in mon.wait_prompt(10)
        assert mon.command("sysbus.cpu ExecutedInstructions") == "ok sysbus.cpu ExecutedInstructions"
        with pytest.raises(Exception, match="Renode refused `bad`: No such command"):
            mon.command("bad")
        port = _free_port()
        assert ("127.0.0.1", port) not in tree_listening(proc.pid)
        mon.command(f"listen {port}")
        # the launcher itself does not listen: its child does, and the address is read as /proc gives it
        assert tree_listening(proc.pid) == [("127.0.0.1", port)]
        assert not socket_inodes(proc.pid)
        assert "(shoe)" in (tmp_path / "monitor.log").read_text()
    finally:
        killed = R._kill_group(proc.pid)
        proc.wait(5)
    assert killed == 2  # the launcher and its child
    assert R._kill_group(proc.pid) == 0


def test_the_link_counts_as_opened_only_by_a_process_outside_renode() -> None:
    master, slave = os.openpty()
    device = os.ttyname(slave)
    os.close(slave)
    # this process holds the master side only (asked before the child starts: asked after, the child may
    # already have opened it, and the test failed now and then on a busy machine)
    assert not opened_elsewhere(device, set())
    child = subprocess.Popen([sys.executable, "-c", "import os, sys, time; os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY);"
                              " print('open', flush=True); time.sleep(60)", device], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "open\n"
        assert opened_elsewhere(device, set())
        assert not opened_elsewhere(device, {child.pid})  # Renode's own hold on it does not count
    finally:
        child.kill()
        child.wait()
        os.close(master)


def test_stop_ends_the_whole_group_when_renode_does_not_quit(launcher: Path, tmp_path: Path) -> None:
    target = RenodeTarget(mode="replay", stop_timeout_s=0.5)
    proc = subprocess.Popen([str(launcher)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    target._proc = proc
    target._monitor = RenodeMonitor(proc, tmp_path / "monitor.log")
    target._monitor.wait_prompt(10)
    pids = R._process_tree(proc.pid)
    assert len(pids) == 2
    how = target.stop()
    assert "did not quit" in how and "killed 2 process(es)" in how, how
    for pid in pids:
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2]
    assert target.stop() == how  # asked again, it tells how Renode ended
    assert RenodeTarget().stop() == "renode was not started"


def _stalled(pid: int, stall_s: float) -> threading.Timer:
    """Stop pid now (SIGSTOP, a machine that stalls) and continue it stall_s seconds later."""
    os.kill(pid, signal.SIGSTOP)
    timer = threading.Timer(stall_s, os.kill, (pid, signal.SIGCONT))
    timer.start()
    return timer


def _start_fake(exe: Path, tmp_path: Path) -> tuple[subprocess.Popen[bytes], RenodeMonitor]:
    """Start the fake Renode exe in its own session and wait for its monitor's prompt."""
    proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            start_new_session=True)
    mon = RenodeMonitor(proc, tmp_path / "monitor.log")
    mon.wait_prompt(10)
    return proc, mon


def test_the_monitor_waits_for_a_renode_the_host_stalled(launcher: Path, tmp_path: Path) -> None:
    """Renode stopped for 2 s is no monitor that does not answer within 0.5 s: the wait is charged
    Renode's progress (1/STARVED_FLOOR of the wall time while it is stopped), not the wall clock;
    stopped for ever, the wait still ends, saying so."""
    proc, mon = _start_fake(launcher, tmp_path)
    try:
        child = R._process_tree(proc.pid)[-1]
        _stalled(child, 2.0).join()  # joined: the answer comes once it is continued
        t0 = time.monotonic()
        timer = _stalled(child, 2.0)
        assert mon.command("sysbus.cpu ExecutedInstructions", timeout_s=0.5) == "ok sysbus.cpu ExecutedInstructions"
        assert time.monotonic() - t0 > 1.5
        timer.join()
        os.kill(child, signal.SIGSTOP)  # for ever
        with pytest.raises(Exception, match=r"did not answer within 0\.1 s .*while the host held it stopped"):
            mon.command("sysbus.cpu ExecutedInstructions", timeout_s=0.1)
    finally:
        R._kill_group(proc.pid)
        proc.wait(5)


def test_an_answer_that_comes_after_its_command_timed_out_is_not_taken_for_the_next(launcher: Path,
                                                                                    tmp_path: Path) -> None:
    """A command that timed out (Renode stopped for ever, as far as its budget went) is answered
    once Renode runs again: the next command gets its own answer, not that one (the progress
    sampler timing out once made stop() report the instructions of a question asked a minute
    earlier)."""
    proc, mon = _start_fake(launcher, tmp_path)
    try:
        child = R._process_tree(proc.pid)[-1]
        os.kill(child, signal.SIGSTOP)
        with pytest.raises(Exception, match="did not answer"):
            mon.command("first", timeout_s=0.05)
        os.kill(child, signal.SIGCONT)
        assert mon.command("second") == "ok second"
        assert mon.command("third") == "ok third"
    finally:
        R._kill_group(proc.pid)
        proc.wait(5)


def test_a_renode_the_host_stopped_for_ever_is_stopped_in_bounded_time(launcher: Path, tmp_path: Path) -> None:
    """Renode stopped and never continued: stop() asks it how many instructions it executed and to
    quit, each within stop_timeout_s of its progress (1/STARVED_FLOOR of the wall time while it is
    stopped), then kills its group; the question does not get the 60 s budget of other commands."""
    target = RenodeTarget(mode="replay", stop_timeout_s=0.2)
    proc, target._monitor = _start_fake(launcher, tmp_path)
    target._proc = proc
    os.kill(R._process_tree(proc.pid)[-1], signal.SIGSTOP)
    hows: list[str] = []
    stopping = threading.Thread(target=lambda: hows.append(target.stop()), daemon=True)
    stopping.start()
    stopping.join(60)
    if not hows:
        R._kill_group(proc.pid)
    assert hows and "did not quit within 0.2 s" in hows[0] and "held it stopped" in hows[0], hows


def test_a_renode_stalled_while_it_quits_has_quit(tmp_path: Path) -> None:
    """stop() gives Renode stop_timeout_s of its own progress to quit: one the host stops for 2 s
    while it quits has quit, not failed to."""
    child = tmp_path / "child.py"
    child.write_text(FAKE_CHILD.replace('if cmd == "quit-ignored":', 'if cmd == "quit":\n'
                                        '        import os, signal; os.kill(os.getpid(), signal.SIGSTOP); break\n'
                                        '    elif cmd == "quit-ignored":'))
    exe = tmp_path / "renode"
    exe.write_text(FAKE_RENODE.format(python=sys.executable, child=child))
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    target = RenodeTarget(mode="replay", stop_timeout_s=0.5)
    proc, target._monitor = _start_fake(exe, tmp_path)
    target._proc = proc
    pid = R._process_tree(proc.pid)[-1]
    timer = threading.Timer(2.0, os.kill, (pid, signal.SIGCONT))  # the child stops itself on quit
    timer.start()
    how = target.stop()
    timer.join()
    assert how.startswith("renode quit") and "killed" not in how, how


# ---- on Renode ------------------------------------------------------------------------------


def _procs_in(run_dir: Path) -> set[int]:
    """Live processes working in run_dir: the Renode a run started there (and its launcher) until it is stopped."""
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if Path(os.readlink(entry / "cwd")) == run_dir.resolve() and \
                        (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                    out.add(int(entry.name))
            except OSError:
                continue
    return out


@pytest.mark.target("renode")
@pytest.mark.parametrize("mode", ["sensor", "replay"])
def test_runs_on_renode_in_each_mode_and_leaves_nothing(mode: str, run_scenario, monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(R.MODE_ENV, mode)
    run = run_scenario("heel_striker")
    assert run.report.passed, run.report.explain()
    log = (run.run_dir / "target.log").read_text()
    assert "Machine started" in log  # Renode's own log is kept
    assert "quit" in (run.run_dir / "target.txt").read_text()
    assert (run.run_dir / "renode-tmp").is_dir()  # a TMPDIR of the run's own
    if mode == "sensor":
        assert (run.run_dir / R.RESD_FILE).is_file()
    assert not _procs_in(run.run_dir)


@pytest.mark.target("renode")
def test_two_renodes_side_by_side(tmp_path: Path) -> None:
    from rig.link import Link
    from rig.session import ReplaySession, Timeouts

    targets = [RenodeTarget(mode="replay"), RenodeTarget(mode="replay")]
    urls: list[str] = []
    errors: list[BaseException] = []

    def start(t: RenodeTarget, d: Path) -> None:
        try:
            urls.append(t.start(d))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start, args=(t, tmp_path / f"r{i}")) for i, t in enumerate(targets)]
    try:
        for th in threads:
            th.start()
        for th in threads:
            th.join(180)
        assert not errors, errors
        assert len(set(urls)) == 2
        for i, url in enumerate(urls):
            with Link(url, tmp_path / f"link{i}") as link:
                hello = ReplaySession(link, Timeouts(hello_s=30)).handshake()
                assert hello["board"].startswith("stm32f4")
        instr = [t.instructions() for t in targets]
        assert all(n > 0 for n in instr)
        for t in targets:
            _a_wait_on_the_idle_firmware_follows_its_core(t)
        # the link is a pseudo-terminal: whatever Renode listens on is on loopback only (nothing, as run here)
        for t in targets:
            assert t._proc is not None
            assert all(ipaddress.ip_address(a).is_loopback for a, _ in tree_listening(t._proc.pid))
        # the launcher and the program it started (mono, on a .deb or source build) work in the run directory
        assert all(len(_procs_in(tmp_path / f"r{i}")) >= 1 for i in range(2))
    finally:
        hows = [t.stop() for t in targets]
    assert all("exit status" in h for h in hows), hows
    assert not any(_procs_in(tmp_path / f"r{i}") for i in range(2))


def _a_wait_on_the_idle_firmware_follows_its_core(target: RenodeTarget) -> None:
    """The firmware sleeps in WFI waiting for the rig while Renode burns CPU: a wait is charged
    what the core executed (and Renode's host progress at 1/HOST_FACTOR), not Renode's CPU time."""
    from rig.progress import ProgressClock
    from rig.targets.renode_progress import HOST_FACTOR, RenodeClock

    clock = target.progress_clock()
    assert isinstance(clock, RenodeClock) and clock.instructions_per_s > 0
    host = ProgressClock(target.pid)
    clock.start()
    host.start()
    end = time.monotonic() + 120  # a bound for a loaded machine, not a speed figure
    while time.monotonic() < end and (host.charged() < 1.0 or clock.instructions_charged == 0):
        clock.charged()
        time.sleep(0.05)
    charged = clock.charged()
    assert target.progress is not None and not target.progress.virtual_counts
    assert target.virtual_time_s() > 0
    assert clock.instructions_charged > 0, "the sampler follows the core (its SysTick runs)"
    assert clock.virtual_charged_s == 0.0, "virtual time counts only while the sensor stream runs"
    # the core asleep computes for well under a second: the bound on Renode's host progress leads
    assert charged == pytest.approx(clock.host_charged_s / HOST_FACTOR, abs=0.05), clock.describe()
    assert charged < host.charged(), "Renode's own CPU time would have been charged in full"


@pytest.mark.target("renode")
def test_renode_failing_to_start_is_stopped_and_explained(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(R, "PLATFORM", tmp_path / "missing.repl")
    target = RenodeTarget(mode="replay", startup_timeout_s=60)
    with pytest.raises(Exception, match="Renode refused `machine LoadPlatformDescription"):
        target.start(tmp_path / "run")
    assert target._proc is None and not _procs_in(tmp_path / "run")
    assert "exit status" in target.stop()  # the runner asks again: how it ended, not "not started"
    assert (tmp_path / "run" / R.MONITOR_LOG).is_file()


@pytest.mark.target("renode")
def test_a_rig_killed_by_sigterm_leaves_no_renode(tmp_path: Path) -> None:
    code = textwrap.dedent(f'''
        import sys, time
        from pathlib import Path
        from rig.targets.renode import RenodeTarget
        t = RenodeTarget(mode="replay")
        t.start(Path({str(tmp_path / "run")!r}))
        print("started", t._proc.pid, flush=True)
        time.sleep(300)
    ''')
    rig = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = rig.stdout.readline() if rig.stdout else ""
        assert line.startswith("started"), line
        pgid = int(line.split()[1])
        assert R._process_tree(pgid)
        rig.terminate()
        assert rig.wait(30) == -15
        assert R._kill_group(pgid) == 0  # nothing of Renode's group is left
    finally:
        if rig.poll() is None:
            rig.kill()


def test_a_bad_mode_is_named_before_a_missing_renode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """STRIDELAB_RENODE_MODE=sensr on a machine without Renode: rig list, pytest --target renode and nox -s hil
    said 'Renode is not installed'; once it was installed, the mode was refused in its turn."""
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(RENODE_ENV, raising=False)
    monkeypatch.setenv(R.MODE_ENV, "sensr")
    said = "$STRIDELAB_RENODE_MODE='sensr' is not a mode of the renode target; set it to one of: sensor, replay"
    avail = RenodeTarget.availability()
    assert not avail.ok and avail.reason.startswith(said), avail.reason
    from rig.errors import RigError

    with pytest.raises(RigError) as err:
        RenodeTarget()
    assert str(err.value).startswith(said)
    proc = subprocess.run([sys.executable, "-m", "rig", "list"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PATH": os.environ["PATH"]})
    assert proc.returncode == 0 and f"unavailable: {said}" in proc.stdout, proc.stdout[-2000:]
