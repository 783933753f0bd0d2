"""Instructions per sample of the analyzer on the ARM image, counted by the TCG plugin under QEMU."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.arm_cost import analyzer_window, measure
from rig.targets.base import Target
from rig.build import arm_elf, elf_symbols
from tests.rig.targets.test_qemu import gait_like

pytestmark = pytest.mark.target("qemu")


def test_window_brackets_every_call_of_the_analyzer(rig_target: Target) -> None:
    elf = arm_elf()
    window = analyzer_window(elf)
    symbols = elf_symbols(elf)
    assert window.start == symbols["gait_push"]
    # app_push_raw calls gait_push once; the window closes where that call returns.
    assert len(window.stops) == 1
    assert symbols["app_push_raw"] < window.stops[0] < symbols["app_push_raw"] + 512


def test_instructions_per_sample_are_counted_per_call(rig_target: Target, tmp_path: Path) -> None:
    rec = gait_like(20.0, seed=5)
    first = measure(rec, tmp_path / "a")
    second = measure(rec, tmp_path / "b")
    assert first.samples == len(rec.t_s)
    assert 0 < first.analyzer_insns < first.total_insns
    assert 20 < first.insns_per_sample < 100_000, first
    # -icount shift=0 makes the guest deterministic; only an interrupt landing inside the
    # analyzer (a wake-up byte, the 100 Hz tick) can move the figure, by a few instructions.
    assert second.insns_per_sample == pytest.approx(first.insns_per_sample, rel=0.005)
    assert (tmp_path / "a" / "insn_count.txt").read_text().startswith("total=")
