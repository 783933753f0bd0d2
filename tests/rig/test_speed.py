"""rig.speed: the benchmark's command line and its figures' form (never their values: those are printed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig import speed
from rig.targets.qemu import QemuTarget


@pytest.mark.parametrize("argv, message", [
    (["--rounds", "0"], "--rounds 0: give at least 1"),
    # a typo's extra digits booted QEMU twice per round until stopped
    (["--rounds", "99999999999"], "--rounds 99999999999: at most 1000"),
    (["--cocotb-scenario", "no_such_run"], "no_such_run: not in the catalog"),
    (["--only", "everything"], "invalid choice: 'everything'"),
    (["--qemu-scenario", "no_such_run"], "--qemu-scenario no_such_run: not in the catalog"),
    (["--qemu-link", "usb"], "invalid choice: 'usb'"),
    # these were found only once every figure had been measured, or not at all
    (["--only", "host", "--json", "/"], "argument --json: '/' names a directory"),
    (["--only", "host", "--json", "/proc/1/none/x.json"], "argument --json"),
    (["--only", "host", "--runs-dir", ""], "argument --runs-dir: an empty path"),
    # the last was taken without a word
    (["--rounds", "5", "--rounds", "50"], "--rounds given twice (5 and 50)"),
    (["--qemu-scenario", "walk", "--qemu-scenario", "sprint"], "--qemu-scenario given twice (walk and sprint)"),
    # measured twice, a scenario counted twice in the cocotb figure
    (["--only", "host", "--only", "host"], "--only host given twice; give each once"),
    (["--qemu-link", "bulk", "--qemu-link", "bulk"], "--qemu-link bulk given twice"),
    (["--cocotb-scenario", "walk", "--cocotb-scenario", "walk"], "--cocotb-scenario walk given twice"),
    # an option of a figure --only leaves out was ignored without a word
    (["--only", "host", "--rounds", "5"], "--rounds shapes the overhead figure, and --only host leaves it out"),
    (["--only", "host", "--only", "cocotb", "--qemu-scenario", "walk"],
     "--qemu-scenario shapes the qemu figure, and --only host --only cocotb leaves it out"),
    (["--only", "cocotb", "--qemu-link", "bulk"], "--qemu-link shapes the qemu figure"),
    (["--only", "qemu", "--cocotb-scenario", "walk"], "--cocotb-scenario shapes the cocotb figure"),
])
def test_bad_arguments_exit_2_naming_the_input(argv: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speed, "run_speed", lambda *args, **kwargs: pytest.fail("measured: the arguments were taken"))
    with pytest.raises(SystemExit) as exit_info:
        speed.main(argv)
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_the_qemu_figure_prints_each_link_measured_with_its_cpu_time() -> None:
    bulk = {"bulk_x_realtime": 150.0, "bulk_qemu_cpu_s_per_min": 0.11, "bulk_rig_cpu_s_per_min": 0.1}
    text = speed.format_figures({"cores": 2, "load_before": 1.0, "load_after": 1.0,
                                 "qemu": {"scenario": "run_30min", "duration_s": 1800.0, **bulk}})
    assert "qemu run_30min: 150.0x real time over the bulk link (CPU per minute of gait: QEMU 0.11 s, rig 0.10 s)" \
        in text and "apart" not in text and "UART" not in text


def test_figures_print_as_ratios_and_say_what_was_skipped() -> None:
    text = speed.format_figures({
        "cores": 2, "load_before": 0.5, "load_after": 0.7,
        "overhead": {"rounds": 3, "bare_qemu_s": 0.1, "rig_per_test_s": 0.12, "ratio": 1.2, "goal_ratio": 1.3},
        "qemu": {"skipped": "qemu-system-arm not installed"},
        "cocotb": {"skipped": "cocotb is not installed"},
    })
    assert "1.20x bare QEMU" in text and "load average (1 min) before / after: 0.50 / 0.70 on 2 cores" in text
    assert "qemu: skipped: qemu-system-arm not installed" in text and "cocotb: skipped: cocotb is not installed" in text


@pytest.mark.target("qemu")
def test_the_overhead_figure_compares_the_rig_with_bare_qemu(rig_target: object, tmp_path: Path) -> None:
    if not QemuTarget.availability().ok:
        pytest.skip(QemuTarget.availability().reason)
    fig = speed.measure_overhead(tmp_path, rounds=1)
    assert fig["bare_qemu_s"] > 0 and fig["rig_per_test_s"] > 0
    assert fig["ratio"] == pytest.approx(fig["rig_per_test_s"] / fig["bare_qemu_s"])
    assert len(list(tmp_path.glob("*-rig0-qemu/rx.bin"))) == 1, "the rig's cycles keep their captures"
