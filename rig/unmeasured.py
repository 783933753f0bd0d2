"""Figures the firmware left unmeasured where the truth has them.

A run's timing and foot-strike-angle goals are judged over the matched strides the firmware
measured; a firmware that reports NaN for a figure on every stride would leave nothing to judge
and pass. The protocol allows one unmeasured contact time: a bout's last stride, whose toe-off
the analyzer may not see before the run ends or the runner stops (no next contact follows within
the longest stride). Any other matched stride whose truth has the figure and whose report lacks
it is named here, and fails the figure's goal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rig.evaluate import MATCH_TOLERANCE_S, match_strides
from rig.records import measured
from scenarios.model import StrideTruth, Truth

#: The longest stride the analyzer reports, s (firmware_c/gait: STRIDE_MAX_S): a stride with no
#: next contact within it is the last of its bout.
STRIDE_MAX_S = 2.5

#: Each judged figure: (goal metric, detected field, what it is, whether a bout's last stride may lack it).
FIGURES: tuple[tuple[str, str, str, bool], ...] = (
    ("tc_mae_ms", "tc_s", "toe-off time", True),
    ("gct_mae_ms", "gct_ms", "ground contact time", True),
    ("fsa_mae_deg", "fsa_deg", "foot strike angle", False),
)


@dataclass(frozen=True)
class Unmeasured:
    """One figure the firmware left unmeasured on strides whose truth has it."""

    metric: str
    what: str
    count: int
    #: the matched strides that must have the figure (a bout's last stride need not have a contact time)
    of: int
    first_ic_s: float

    def sentence(self) -> str:
        """The failure, naming the figure, how often and where first."""
        return (f"{self.metric}: the firmware reported no {self.what} (NaN) on {self.count} of {self.of} matched "
                f"strides whose truth has one (the first at {self.first_ic_s:.3f} s); only a bout's last stride "
                "may lack its contact time")


def _truth_has(t: StrideTruth, field: str) -> bool:
    if field == "fsa_deg":
        return t.fsa_deg is not None
    return t.tc_s is not None or (field == "gct_ms" and t.gct_ms is not None)


def _ends_bout(detected: Sequence[Mapping[str, Any]], di: int) -> bool:
    """Whether detected stride di is the last of its bout: none follows within STRIDE_MAX_S."""
    if di + 1 >= len(detected):
        return True
    here, nxt = measured(detected[di].get("ic_s")), measured(detected[di + 1].get("ic_s"))
    return here is None or nxt is None or nxt - here > STRIDE_MAX_S


def unmeasured(detected: Sequence[Mapping[str, Any]], truth: Truth,
               tolerance_s: float = MATCH_TOLERANCE_S) -> list[Unmeasured]:
    """The figures left unmeasured on matched strides whose truth has them (empty when none)."""
    pairs = match_strides(detected, truth, tolerance_s).pairs
    out: list[Unmeasured] = []
    for metric, field, what, bout_end_may_lack in FIGURES:
        judged = [di for di, ti in pairs if _truth_has(truth.strides[ti], field)
                  and not (bout_end_may_lack and _ends_bout(detected, di))]
        lacking = [di for di in judged if measured(detected[di].get(field)) is None]
        if lacking:
            out.append(Unmeasured(metric, what, len(lacking), len(judged), float(detected[lacking[0]]["ic_s"])))
    return out
