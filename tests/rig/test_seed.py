"""Seeds a test hands the rig: run_scenario(name, seed=...) and dut.replay(name, seed=...)."""

from __future__ import annotations

import numpy as np
import pytest

from rig.errors import RigError
from rig.seed import checked_seed

pytest_plugins = ["pytester"]


@pytest.mark.parametrize("seed, message", [
    (-1, r"f\(\): seed=-1 is negative; give a whole number >= 0"),
    ("7", r"f\(\): seed='7' is not a whole number"),
    (1.5, r"f\(\): seed=1.5 is not a whole number"),
    (True, r"f\(\): seed=True is not a whole number"),
    (10 ** 100, r"f\(\): a seed of more than 100 digits"),
])
def test_a_seed_that_is_no_whole_number_from_0_is_named(seed: object, message: str) -> None:
    with pytest.raises(RigError, match=message):
        checked_seed(seed, "f()")


def test_whole_numbers_and_none_pass() -> None:
    assert checked_seed(None, "f()") is None
    assert checked_seed(0, "f()") == 0 and checked_seed(np.int64(9), "f()") == 9
    assert type(checked_seed(np.int64(9), "f()")) is int


def test_run_scenario_and_replay_name_a_bad_seed(pytester: pytest.Pytester) -> None:
    """run_scenario('walk', seed=-1) failed in numpy with 'ValueError: expected non-negative integer',
    seed='abc' with 'SeedSequence expects int or sequence of ints for entropy not abc'."""
    pytester.makepyfile("""
        def test_negative(run_scenario):
            run_scenario("walk", seed=-1)

        def test_text(dut):
            dut.replay("walk", seed="abc")
    """)
    result = pytester.runpytest("--target", "host", "--runs-dir", str(pytester.path / "runs"))
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*RigError: run_scenario('walk'): seed=-1 is negative; give a whole number >= 0*",
        "*RigError: dut.replay('walk'): seed='abc' is not a whole number; give one >= 0 (e.g. seed=7)*"])
    assert not any((pytester.path / "runs").glob("*-walk-*"))  # refused before any run directory
