"""python -m rig.farm_lab given bad options: refused by argparse (exit 2) before any board starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


@pytest.mark.parametrize("argv, words", [
    # a file as --dir: 'FileExistsError: [Errno 17] File exists: '/dev/null'', a traceback
    (["--dir", "/dev/null"], ("argument --dir: /dev/null is a character device, not a directory",)),
    (["--dir", "notes.txt"], ("argument --dir: notes.txt is a regular file, not a directory",)),
    (["--dir", ""], ("argument --dir: an empty path",)),
    # a typo's extra digits started boards until the machine ran out of processes or ports
    (["--places", "99999999"], ("argument --places: '99999999': at most 32",)),
    # the last one was taken without a word
    (["--places", "2", "--places", "3"], ("--places given twice (2 and 3)",)),
])
def test_bad_options_are_refused_before_any_board_starts(argv: list[str], words: tuple[str, ...],
                                                         tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    proc = subprocess.run([sys.executable, "-m", "rig.farm_lab", *argv], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    for w in words:
        assert w in proc.stderr, proc.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
