"""The stand-in board: the native firmware over a pty or ser2net's RFC 2217, for the board target in CI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.target("host")


def _stand(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rig.board_stand", *argv], capture_output=True, text=True, timeout=300)


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


def test_no_command_is_refused() -> None:
    done = _stand("--via", "pty")
    assert done.returncode == 2 and "give the command to run after --" in done.stderr
