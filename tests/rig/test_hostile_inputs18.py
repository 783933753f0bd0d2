"""The rig used as a careless or hostile user would, an eighteenth pass: the pytest plugin's options, the module
entry points (python -m rig.X) and the link fed hostile bytes. Each is refused with a message naming the input, the
problem and what to do, or read as documented; never a traceback, a hang or a silently wrong answer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def python_m(module: str, *args: str, cwd: Path, timeout_s: float = 120,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `python -m MODULE ARGS` in CWD (the repository importable) and return what it did."""
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout_s, env={**os.environ, "PYTHONPATH": path, **(env or {})})


def _refused(proc: subprocess.CompletedProcess[str], *words: str, code: int = 2) -> None:
    out = proc.stdout + proc.stderr
    assert proc.returncode == code, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "Traceback" not in out, out[-3000:]
    for w in words:
        assert w in out, out[-3000:]


def test_a_report_as_name_too_long_for_a_file_name_is_refused_before_any_test(tmp_path: Path) -> None:
    # --report-as of 300 characters ran every test, then ended the session in a traceback of pytest's junitxml
    # plugin (OSError: [Errno 36] File name too long: .../pytest-junit-aaa....xml), exit 1
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = python_m("pytest", "-p", "no:cacheprovider", "test_x.py", "--report", "report", "--report-as", "a" * 300,
                    cwd=tmp_path)
    _refused(proc, "--report-as", "300 characters", "at most", code=int(pytest.ExitCode.USAGE_ERROR))
