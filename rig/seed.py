"""A seed a test hands the rig (run_scenario(name, seed=...), dut.replay(name, seed=...)), checked.

numpy's generators take a whole number >= 0; anything else ended deep in numpy ('expected
non-negative integer', 'SeedSequence expects int or sequence of ints for entropy not abc'),
naming neither the seed nor the call it was given to.
"""

from __future__ import annotations

from numbers import Integral

from rig.errors import RigError
from rig.explore import SEED_DIGITS


def checked_seed(seed: object, call: str) -> int | None:
    """seed as a whole number >= 0 of at most SEED_DIGITS digits, or None (the scenario's own seed);
    RigError naming call and the seed otherwise."""
    if seed is None:
        return None
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        value = int(seed)
        if value < 0:
            raise RigError(f"{call}: seed={value} is negative; give a whole number >= 0, or no seed for the "
                           "scenario's own")
        if value >= 10 ** SEED_DIGITS:
            raise RigError(f"{call}: a seed of more than {SEED_DIGITS} digits; give a smaller whole number >= 0")
        return value
    shown = repr(seed)
    raise RigError(f"{call}: seed={shown[:60]}{'...' if len(shown) > 60 else ''} is not a whole number; give one "
                   ">= 0 (e.g. seed=7), or no seed for the scenario's own")
