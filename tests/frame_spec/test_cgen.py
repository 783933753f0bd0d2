"""python -m frame_spec.cgen given an output directory that is none: refused by argparse, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from frame_spec import cgen


@pytest.mark.parametrize("out, words", [
    ("", "an empty path"),  # wrote frame_msgs.h and frame_msgs.c into the current directory
    ("/dev/null", "/dev/null is no directory"),  # FileExistsError traceback
])
def test_an_output_directory_that_is_none_is_refused(out: str, words: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        cgen.main([out])
    assert exc.value.code == 2
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
