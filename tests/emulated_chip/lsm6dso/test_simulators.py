"""emulated_chip.lsm6dso.simulators: the one simulator table, its lookups and cocotb verdicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from emulated_chip.lsm6dso import HDL_TOPLEVEL
from emulated_chip.lsm6dso.simulators import (
    FALLBACK_SIMULATOR,
    PREFERENCE,
    SIMULATORS,
    UnknownSimulatorError,
    default_simulator,
    failures,
    get_simulator,
    simulator_missing,
)


def test_table_names_each_simulator_and_its_product(tmp_path: Path) -> None:
    assert set(PREFERENCE) == set(SIMULATORS) and FALLBACK_SIMULATOR == "icarus"
    assert get_simulator("icarus").product(tmp_path) == tmp_path / "sim.vvp"
    assert get_simulator("verilator").product(tmp_path) == tmp_path / HDL_TOPLEVEL
    assert "--trace-fst" in get_simulator("verilator").build_args(True)
    assert "--trace-fst" not in get_simulator("verilator").build_args(False)


def test_unknown_simulator_lists_the_choices() -> None:
    with pytest.raises(UnknownSimulatorError, match="'xcelium'; choose from icarus, verilator"):
        get_simulator("xcelium")
    assert simulator_missing("xcelium") == "unknown simulator 'xcelium'; choose from icarus, verilator"


def test_failures_reads_failing_cases_from_results(tmp_path: Path) -> None:
    results = tmp_path / "results.xml"
    results.write_text('<testsuites><testsuite><testcase name="ok"/>'
                       '<testcase name="bad"><failure message="INT1 never rose"/></testcase>'
                       '<testcase name="err"><error>boom</error></testcase></testsuite></testsuites>')
    assert failures(results) == ["bad: INT1 never rose", "err: boom"]


def test_the_default_is_verilator_where_installed_else_icarus(monkeypatch: pytest.MonkeyPatch) -> None:
    import emulated_chip.lsm6dso.simulators as sims

    for verilator_here, icarus_here, expected in [(True, True, "verilator"), (False, True, "icarus"),
                                                  (True, False, "verilator"), (False, False, "icarus")]:
        monkeypatch.setitem(sims.SIMULATORS, "verilator", sims.Simulator(
            "verilator", lambda ok=verilator_here: None if ok else "no", sims._verilator_args, HDL_TOPLEVEL))
        monkeypatch.setitem(sims.SIMULATORS, "icarus", sims.Simulator(
            "icarus", lambda ok=icarus_here: None if ok else "no", sims._icarus_args, "sim.vvp"))
        assert default_simulator() == expected, (verilator_here, icarus_here)
