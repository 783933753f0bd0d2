"""The rig command run as a user runs it, and what a refusal of bad input must look like: shared by the tests of
the command line on bad and hostile input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def rig(*args: str, cwd: Path, timeout_s: float = 120, env: dict[str, str] | None = None,
        stdin: object = subprocess.DEVNULL) -> subprocess.CompletedProcess[str]:
    """Run `python -m rig ARGS` in CWD (with ENV over the environment) and return what it did."""
    return subprocess.run([sys.executable, "-m", "rig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout_s, env={**os.environ, **(env or {})}, stdin=stdin)  # type: ignore[arg-type]


def refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    """Assert proc was refused as bad input: exit 2, no traceback, a short message holding every one of words."""
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-1000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(proc.stderr) < 1500, proc.stderr[:3000]
    for w in words:
        assert w in proc.stderr, proc.stderr


def still_csv(path: Path, rows: int = 400, odr_hz: float = 104.0, edit: dict[int, str] | None = None) -> Path:
    """A recording of a foot standing still, written to path, one row replaced by edit[row] (its text after t_s)."""
    lines = ["t_s,ax_g,ay_g,az_g,gx_dps,gy_dps,gz_dps"]
    for i in range(rows):
        values = (edit or {}).get(i, "0.01,0.0,1.0,0.1,-0.1,0.0")
        lines.append(f"{i / odr_hz:.6f},{values}")
    path.write_text("\n".join(lines) + "\n")
    return path
