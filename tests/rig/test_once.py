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


@pytest.mark.parametrize("argv", [
    # each ahead of a refusal of its own (an unknown target or scenario, an empty path), which came instead
    ["run", "walk", "--target", "nowhere", "--retries", "1", "--retries", "2"],
    ["run", "--all", "--target", "nowhere", "--shard", "1/2", "--shard", "2/2"],
    ["run", "--all", "--target", "nowhere", "--shard", "1/2", "--durations", "a.json", "--durations", "b.json"],
    ["record", "--out", "r.txt", "--duration", "1.0", "--duration", "2.0"],
    ["record", "--out", "r.txt", "--odr-hz", "104.0", "--odr-hz", "208.0"],
    ["synth", "nosuch", "--resd", "a.resd", "--resd", "b.resd"],
    ["synth", "nosuch", "--csv", "a.csv", "--odr-hz", "104.0", "--odr-hz", "208.0"],
    ["plot", "nosuch", "--png", "p.png", "--detected", "a.json", "--detected", "b.json"],
    ["plot", "nosuch", "--png", "p.png", "--from", "1.0", "--from", "2.0"],
    ["plot", "nosuch", "--png", "p.png", "--to", "1.0", "--to", "2.0"],
    ["ble", "nosuch", "--hci", "virtual", "--hci", "usb:0"],
    ["ble", "nosuch", "--wait-s", "1.0", "--wait-s", "2.0"],
    ["explore", "--fix", "", "--case", "speed_mps=3", "--case", "speed_mps=4"],
    ["explore", "--fix", "", "--cases", "5", "--cases", "6"],
    ["explore", "--fix", "", "--seed", "1", "--seed", "2"],
    ["explore", "--fix", "", "--json", "a.json", "--json", "b.json"],
])
def test_every_option_of_one_value_refuses_a_second(argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """These kept the last value without a word: rig run --shard 1/2 --shard 2/2 ran shard 2 alone, rig plot
    --from 1 --from 2 drew from 2 s, rig explore --case A --case B ran B."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    opt = argv[-2]
    assert f"{opt} given twice ({argv[-3]} and {argv[-1]})" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_the_same_value_twice_is_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "w.csv"
    assert main(["synth", "walk", "--csv", str(out), "--csv", str(out)]) == 0
    assert out.exists()
