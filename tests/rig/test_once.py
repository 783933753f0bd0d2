"""rig.once: an option of one value given twice with two values is refused, by every rig command."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.cli import main


@pytest.mark.parametrize("argv", [
    ["run", "walk", "--target", "qemu", "--target", "host"],
    ["replay", "x.csv", "--json", "a.json", "--port", "/dev/ttyACM0", "--port", "/dev/ttyACM1"],
    ["synth", "walk", "--csv", "a.csv", "--csv", "b.csv"],
    ["bench", "--seed", "1", "--seed", "2"],
])
def test_a_repeated_option_with_two_values_is_refused(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """argparse kept the last value silently: `rig run walk --target qemu --target host` ran on host alone."""
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    opt = argv[[i for i, a in enumerate(argv) if a.startswith("--")][-1]]
    assert f"{opt} given twice" in capsys.readouterr().err


def test_the_same_value_twice_is_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.csv"
    assert main(["synth", "walk", "--csv", str(out), "--csv", str(out)]) == 0
    assert out.exists()
