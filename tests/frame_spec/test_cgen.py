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


@pytest.mark.parametrize("where", ["/proc/no_such_dir", "TMP"])
def test_an_output_directory_that_cannot_be_written_is_named(where: str, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A directory that cannot be made (/proc/x) or a frame_msgs.h that is a directory ended in a traceback
    (FileNotFoundError from mkdir, IsADirectoryError from read_text)."""
    out = tmp_path if where == "TMP" else Path(where)
    if where == "TMP":
        (tmp_path / "frame_msgs.h").mkdir()
    for argv in ([str(out)], [str(out), "--check"]):
        if where != "TMP" and "--check" in argv:
            continue  # a directory that is not there is stale, not unreadable
        assert cgen.main(argv) == 2
        err = capsys.readouterr().err
        assert str(out) in err and "give a directory where the generated codec can be written" in err, err
