"""The stand-in board: the native firmware over a pty or ser2net's RFC 2217, for the board target in CI."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.target("host")


def _stand(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rig.board_stand", *argv], capture_output=True, text=True, timeout=300,
                          env=env)


def test_command_gets_the_port_and_its_exit_status_is_kept() -> None:
    done = _stand("--via", "pty", "--", sys.executable, "-c",
                  "import os, sys; print(os.environ['STRIDELAB_PORT']); sys.exit(3)")
    assert done.returncode == 3, done.stderr
    assert done.stdout.strip().startswith("/dev/pts/")


@pytest.mark.skipif(shutil.which("ser2net") is None, reason="ser2net not installed: apt-get install ser2net")
def test_rig_run_on_the_board_target_through_rfc2217(tmp_path: Path) -> None:
    done = _stand("--via", "rfc2217", "--", sys.executable, "-m", "rig", "run", "sprint", "--target", "board",
                  "--runs-dir", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rfc2217://127.0.0.1:" in done.stderr and "PASS sprint on board" in done.stdout


def test_its_working_directory_is_removed_when_it_ends(tmp_path: Path) -> None:
    """nox -s board left a board-stand-* directory (the firmware's log and pty link) in the temporary
    directory after every run."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = _stand("--via", "pty", "--", sys.executable, "-c", "import sys; sys.exit(3)",
                  env={**os.environ, "TMPDIR": str(temp)})
    assert done.returncode == 3, done.stderr
    assert not list(temp.iterdir())


def test_no_command_is_refused() -> None:
    done = _stand("--via", "pty")
    assert done.returncode == 2 and "give the command to run after --" in done.stderr


def test_two_ways_to_the_board_are_refused() -> None:
    """--via pty --via rfc2217 started the stand behind RFC 2217, the last one, without a word."""
    done = _stand("--via", "pty", "--via", "rfc2217", "--", sys.executable, "-c", "print('ran')")
    assert done.returncode == 2 and "--via given twice (pty and rfc2217)" in done.stderr, done.stderr
    assert "ran" not in done.stdout


# A COMMAND that takes a while to end on SIGTERM or SIGHUP (as pytest stopping its runs) and says whether its
# board was still there meanwhile.
_COMMAND = """
import os, signal, sys, time
from pathlib import Path
out = Path(sys.argv[1])

def stop(signum, frame):
    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, signal.SIG_IGN)  # as pytest does: a copy passed on again is not a second stop
    time.sleep(0.5)
    try:
        os.close(os.open(os.environ["STRIDELAB_PORT"], os.O_RDWR | os.O_NOCTTY))
        board = "board up"
    except OSError as exc:
        board = f"board gone ({exc.strerror})"
    (out / "report").write_text(f"{signal.Signals(signum).name}; {board}")
    sys.exit(2)

signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGHUP, stop)
signal.signal(signal.SIGINT, stop)
(out / "ready.part").write_text(str(os.getpid()))
(out / "ready.part").rename(out / "ready")
time.sleep(60)
"""


@pytest.mark.parametrize("sig, group", [(signal.SIGTERM, False), (signal.SIGHUP, False), (signal.SIGINT, False),
                                        (signal.SIGINT, True)], ids=["SIGTERM", "SIGHUP", "SIGINT", "Ctrl-C"])
def test_a_signal_reaches_the_command_while_the_board_is_up(tmp_path: Path, sig: signal.Signals, group: bool) -> None:
    """SIGTERM or SIGHUP to the stand (nox -s board) stopped the stand-in board first, then sent COMMAND a
    SIGTERM whatever the signal: its runs failed on a vanished board instead of ending cut short by the
    signal, and the stand exited 130 (as for Ctrl-C). SIGINT to the stand alone (nox -s board passing it on,
    kill -INT) never reached COMMAND: the stand waited 60 s for it, then killed it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-m", "rig.board_stand", "--via", "pty", "--", sys.executable, "-c",
                             _COMMAND, str(tmp_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "TMPDIR": str(temp)}, start_new_session=group)
    try:
        deadline = time.monotonic() + 60
        while not (tmp_path / "ready").is_file() and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            time.sleep(0.05)
        if group:
            os.killpg(proc.pid, sig)  # the stand, COMMAND and the firmware, as a terminal's Ctrl-C
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=90)
        assert proc.returncode == 128 + sig, err
        # (a terminal's Ctrl-C reaches the stand's firmware, in the same process group, too)
        assert (tmp_path / "report").read_text() == f"{sig.name}; board up" or group, (tmp_path / "report").read_text()
        assert (tmp_path / "report").read_text().startswith(f"{sig.name};")
        assert f"rig.board_stand: ended by {sig.name}; the stand-in board is stopped" in err
        assert "Traceback" not in err
        assert not list(temp.iterdir()), "the stand's working directory was left behind"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        if (tmp_path / "ready").is_file():
            with contextlib.suppress(ProcessLookupError):
                os.kill(int((tmp_path / "ready").read_text()), signal.SIGKILL)
