"""A stand-in board for CI: the native firmware on a pseudo-terminal, alone or behind ser2net speaking
RFC 2217, so the `board` target's own code path runs the scenario suite with no board plugged in.

    python -m rig.board_stand --via pty|rfc2217 -- COMMAND...

starts the stand, runs COMMAND with $STRIDELAB_PORT set to its URL (what `--target board` reads) and
$STRIDELAB_BOARD_PROFILE to `host` (the board profile whose HELLO the native build answers),
and stops the stand however COMMAND ends (signals included); exit status is COMMAND's, 2 when the
stand cannot start. SIGTERM, SIGHUP or SIGINT is passed on to COMMAND (SIGINT too: sent to the stand alone,
by nox passing it on or `kill -INT`, it reached COMMAND not at all; after a terminal's Ctrl-C COMMAND gets a
copy, which pytest ignores), and the stand stays up until COMMAND has ended (at most COMMAND_GRACE_S), so its
runs end cut short by that signal; exit status 128 + the signal.
The stand's working directory (the firmware's and ser2net's files) is removed however it ends.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from rig.boards import HOST_PTY, PROFILE_ENV
from rig.errors import RigError
from rig.once import Once
from rig.targets.board import PORT_ENV
from rig.targets.host import HostTarget
from rig.targets.sockets import free_port, process_listens
from rig.tail import tail_bytes

LISTEN_TIMEOUT_S = 10.0


@contextmanager
def stand(via: str, work_dir: Path) -> Iterator[str]:
    """The native firmware started, and ser2net in front of it for via='rfc2217'; yields the board URL."""
    if via not in ("pty", "rfc2217"):
        raise RigError(f"--via {via!r}: choose pty or rfc2217")
    if via == "rfc2217" and shutil.which("ser2net") is None:
        raise RigError("ser2net is not installed: apt-get install ser2net (bash .ci/setup installs it)")
    firmware = HostTarget()
    pty = firmware.start(work_dir)
    server: subprocess.Popen[bytes] | None = None
    try:
        if via == "pty":
            yield pty
            return
        port = free_port()
        cfg = work_dir / "ser2net.yaml"
        cfg.write_text("connection: &board\n"
                       f"  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
                       f"  connector: serialdev,{pty},115200n81,local\n"
                       "  options:\n    kickolduser: true\n")
        with open(work_dir / "ser2net.log", "wb") as log:
            server = subprocess.Popen(["ser2net", "-n", "-d", "-c", str(cfg)], stdout=subprocess.DEVNULL, stderr=log)
        deadline = time.monotonic() + LISTEN_TIMEOUT_S
        while not process_listens(server.pid, port):
            if server.poll() is not None or time.monotonic() > deadline:
                said = tail_bytes(work_dir / "ser2net.log", 2000).decode(errors="replace").strip() or "(nothing)"
                raise RigError(f"ser2net did not listen on 127.0.0.1:{port} within {LISTEN_TIMEOUT_S:g} s "
                               f"(exit status {server.poll()}); it said: {said}")
            time.sleep(0.05)
        # a pty has no modem lines: the server never acknowledges DTR/RTS changes
        yield f"rfc2217://127.0.0.1:{port}?ign_set_control"
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(5)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(5)
        firmware.stop()


#: How long the stand waits, after passing a signal on, for COMMAND to stop its runs and write its report, s.
COMMAND_GRACE_S = 60.0


#: The signals that end the stand (and COMMAND): a CI timeout, a closed terminal, Ctrl-C.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class _Stopped(KeyboardInterrupt):
    """SIGTERM, SIGHUP or SIGINT, which end the stand as Ctrl-C does."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop_on(signum: int, frame: object) -> None:
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # a second signal (nox passing Ctrl-C on) must not cut the clean-up short
    raise _Stopped(signum)


def _end_command(child: subprocess.Popen[bytes], signum: int) -> int:
    """COMMAND ended by the signal the stand got, passed on to it: the stand is kept up until COMMAND has
    ended (at most COMMAND_GRACE_S, then it is killed), so its runs end cut short by that signal rather than
    by a board that vanished; returns 128 + the signal."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # COMMAND's clean-up must not be cut short
    if child.poll() is None:
        child.send_signal(signum)
    try:
        child.wait(COMMAND_GRACE_S)
    except subprocess.TimeoutExpired:
        print(f"rig.board_stand: {command_name(child)} still running {COMMAND_GRACE_S:g} s after "
              f"{signal.Signals(signum).name}; killed", file=sys.stderr)
        child.kill()
        child.wait()
    print(f"rig.board_stand: ended by {signal.Signals(signum).name}; the stand-in board is stopped", file=sys.stderr)
    return 128 + signum


def command_name(child: subprocess.Popen[bytes]) -> str:
    """The command a child runs, as said in a message."""
    args = child.args
    return str(args[0]) if isinstance(args, (list, tuple)) and args else str(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command against the stand-in board (see the module docstring)."""
    ap = argparse.ArgumentParser(prog="python -m rig.board_stand", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--via", action=Once, default="pty", choices=("pty", "rfc2217"), help="how the board is reached")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- COMMAND... run with $STRIDELAB_PORT set")
    args = ap.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        print("rig.board_stand: error: give the command to run after --, e.g. -- pytest tests/hil --target board",
              file=sys.stderr)
        return 2
    for sig in STOP_SIGNALS:
        if signal.getsignal(sig) in (signal.SIG_DFL, signal.default_int_handler):  # one ignored (nohup) stays so
            signal.signal(sig, _stop_on)
    try:
        work_dir = Path(tempfile.mkdtemp(prefix="board-stand-"))
    except OSError as exc:
        print(f"rig.board_stand: error: cannot make its working directory in {tempfile.gettempdir()}: "
              f"{exc.strerror}; set TMPDIR to a writable directory", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        return 128 + getattr(exc, "signum", signal.SIGINT)
    try:
        return _run(args.via, command, work_dir)
    except KeyboardInterrupt as exc:  # a signal while the stand started or stopped: COMMAND had not run, or has ended
        signum = getattr(exc, "signum", signal.SIGINT)
        print(f"rig.board_stand: ended by {signal.Signals(signum).name}; the stand-in board is stopped", file=sys.stderr)
        return 128 + signum
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)  # the stand is done: the clean-up must not be cut short
        shutil.rmtree(work_dir, ignore_errors=True)  # the firmware's and ser2net's files, nothing to keep


def _run(via: str, command: list[str], work_dir: Path) -> int:
    """Run COMMAND against the stand started in work_dir; its exit status, 128 + a signal, or 2."""
    child: subprocess.Popen[bytes] | None = None
    try:
        with stand(via, work_dir) as url:
            print(f"board stand: native firmware via {via} at {url}", file=sys.stderr, flush=True)
            # the stand is the native build: its HELLO is the host profile's (rig.boards), not a NUCLEO's
            child = subprocess.Popen(command, env={**os.environ, PORT_ENV: url, PROFILE_ENV: HOST_PTY.name})
            try:
                return child.wait()
            except KeyboardInterrupt as exc:  # before the stand stops: COMMAND's runs still have their board
                return _end_command(child, getattr(exc, "signum", signal.SIGINT))
    except RigError as exc:
        print(f"rig.board_stand: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"rig.board_stand: error: cannot run {command[0]!r}: {exc.strerror}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
