"""Smoke run of the fault campaign: a short scenario on the host through a link that corrupts,
drops, repeats, splits, delays and stalls frames and resets the analyzer. `nox -s faults` runs
the whole catalog on host and QEMU."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.fault_campaign import main, run_one
from rig.faults import FaultRates

pytestmark = pytest.mark.target("host")

#: Rates high enough that a 24 s run meets every fault several times.
DOWN = FaultRates(corrupt=0.02, drop=0.02, duplicate=0.03, split=0.1, delay=0.02, stall=0.005, stall_s=0.2)
UP = FaultRates(corrupt=0.01, drop=0.01, duplicate=0.03, split=0.1, delay=0.02, stall=0.005, stall_s=0.2, reset=0.004)


@pytest.mark.parametrize("seed", [3, 4])
def test_faulty_link_never_fools_the_rig(tmp_path: Path, seed: int) -> None:
    fig = run_one("host", "sprint", seed, tmp_path, DOWN, UP)
    assert fig.frames_to_rig > 50 and fig.frames_to_firmware > 50
    assert fig.lost_to_rig + fig.lost_to_firmware + fig.duplicated > 0, "the faults happened"
    assert fig.corrupt_accepted == 0
    assert fig.bytes_unkept == 0
    assert fig.gaps_unreported == 0
    assert not fig.failures, fig.failures
    assert fig.outcome in ("reported", "error"), "a lossy run never passes as clean"
    if fig.outcome == "error":
        assert "rx.bin" in fig.error or "did not send" in fig.error, fig.error


@pytest.mark.parametrize("argv, message", [
    (["--target", "host", "--target", "qemu"], "--target given twice (host and qemu): it takes one value"),
    (["--target", "board"], "argument --target: invalid choice: 'board'"),
    (["nosuch"], "argument scenarios: 'nosuch' is no scenario of the catalog; choose from: brisk_walk"),
    (["--seed", "-1"], "argument --seed: -1 is negative; give a seed >= 0"),
    (["--json", "/"], "argument --json: '/' names a directory"),
])
def test_bad_arguments_are_refused_before_any_run(capsys: pytest.CaptureFixture[str], argv: list[str],
                                                  message: str) -> None:
    """nox -s faults -- --target qemu ran the 'host' pass on qemu too (the last --target won, without a word);
    an unknown scenario or a negative seed ended in a traceback of the first run."""
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err
