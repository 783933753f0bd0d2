"""The analyzer's cost on the real instruction set: instructions per sample of the ARM image.

The STM32F4 image replays a recording under QEMU with the instruction-counting
TCG plugin (emulated_chip/qemu/insn_count.c) and deterministic guest time
(-icount shift=0). The plugin counts the instructions executed from each entry
into gait_push() to its return (callees such as libm included), using the
addresses of the ELF: gait_push's entry from the symbol table, and the
instruction after every `bl gait_push` from the disassembly. Every sample is
one call, so instructions per sample = instructions in the windows / windows,
and the number of windows must equal the number of samples sent.

On a Cortex-M4 with two flash wait states, cycles run above instructions
(loads, divisions and flash waits cost more than one cycle); this figure is
the instruction count, the part that does not depend on the memory system.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from rig.build import arm_elf, disassembly, elf_symbols
from rig.errors import RigError
from rig.runner import run_recording
from rig.session import Timeouts
from rig.targets.qemu import InsnCount, QemuTarget
from scenarios.model import Recording

#: The function whose cost is measured: one call per sample.
ANALYZER_ENTRY = "gait_push"

_CALL = re.compile(r"^\s*([0-9a-f]+):\s+(\S+)\s+[0-9a-f]+ <(\w+)>")
_INSN = re.compile(r"^\s*([0-9a-f]+):\s")


@dataclass(frozen=True)
class ArmCost:
    """Instruction counts of one replay on the ARM image."""

    samples: int             #: samples replayed (= calls of gait_push counted)
    analyzer_insns: int      #: instructions executed inside gait_push, callees included
    total_insns: int         #: every instruction of the run (boot, link, idle loop)

    @property
    def insns_per_sample(self) -> float:
        """Mean instructions per sample of the analyzer."""
        return self.analyzer_insns / self.samples if self.samples else 0.0


def analyzer_window(elf: Path, entry: str = ANALYZER_ENTRY) -> InsnCount:
    """The plugin window around `entry`: its address, and the return address of every call to it."""
    start = elf_symbols(elf).get(entry)
    if start is None:
        raise RigError(f"{elf} has no symbol {entry!r}: is it the STM32F4 image with the analyzer?")
    stops: list[int] = []
    want_next = False
    for line in disassembly(elf):
        m = _INSN.match(line)
        if not m:
            continue
        if want_next:
            stops.append(int(m.group(1), 16))
            want_next = False
        call = _CALL.match(line)
        if call and call.group(3) == entry:
            if call.group(2) not in ("bl", "blx"):
                raise RigError(f"{elf}: {entry} is reached by `{call.group(2)}` at 0x{call.group(1)} (a tail call): "
                               "its return cannot be bracketed; build without that optimisation")
            want_next = True
    if not stops:
        raise RigError(f"{elf}: no call to {entry} found in the disassembly")
    return InsnCount(start=start & ~1, stops=tuple(stops))


def measure(rec: Recording, run_dir: Path, timeouts: Timeouts | None = None) -> ArmCost:
    """Replay rec on the ARM image under QEMU and count the analyzer's instructions.

    Captures land in run_dir (insn_count.txt holds the plugin's raw counts).
    Raises RigError if the plugin's window count does not match the samples sent.
    """
    target = QemuTarget(link="bulk", icount=True, insn_count=analyzer_window(arm_elf()))
    result = run_recording(target, rec, run_dir, timeouts or Timeouts())
    counts = target.insn_counts
    if counts is None:
        raise RigError(f"the instruction-count plugin wrote no result (expected {run_dir / 'insn_count.txt'}); "
                       f"see {run_dir / 'target.log'}")
    if counts.windows != result.samples_sent:
        raise RigError(f"the plugin counted {counts.windows} calls of {ANALYZER_ENTRY} for {result.samples_sent} "
                       f"samples sent: the window addresses do not bracket the analyzer (captures: {run_dir})")
    return ArmCost(samples=result.samples_sent, analyzer_insns=counts.window, total_insns=counts.total)
