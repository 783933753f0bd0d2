"""The firmware's stride times: unwrapped onto the recording, and checked for sense.

The firmware stamps each STRIDE with 32-bit microsecond sensor times (ic_us, tc_us) that wrap
every 71.6 minutes. FirmwareClock unwraps them, taking a wrap only where the unwrapped time falls
inside the stream the rig sent: a time outside it (an ic_us of 0xFFFFFFF0 early in a run) is no
wrap but a wrong time, kept as it is, named, and left out of the unwrapping of the times after it.

time_doubts names what cannot be: a contact outside the samples sent, a toe-off before its own
contact or after the next one, a contact not after the one before it. Each makes its stride one in
doubt, and the run a corrupt report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rig.inject import RawStream
from rig.records import Stride

US_WRAP = 1 << 32


class FirmwareClock:
    """Unwraps the firmware's 32-bit microsecond times and maps them onto the recording."""

    def __init__(self, raw: RawStream) -> None:
        self._raw = raw
        self._offset = 0
        self._last = 0
        self._first_index = float(raw.index[0]) if len(raw.index) else 0.0
        self._end_index = float(raw.index[-1]) if len(raw.index) else 0.0

    def place(self, us: int) -> tuple[float, str | None]:
        """(recording time, s; why the time is outside the samples sent, or None)."""
        offset = self._offset + (US_WRAP if us + self._offset < self._last - US_WRAP // 2 else 0)
        index = (us + offset) * self._raw.odr_mhz / 1e9
        # an IC reported up to one sample past the last sample sent: its fraction of a period
        if self._first_index - 1.0 <= index <= self._end_index + 1.0:
            self._offset, self._last = offset, us + offset
            return float(self._raw.index_to_t_s(index)), None
        t = self._extrapolated(index)
        span = f"the samples sent span {self._raw.t_s[0]:.3f}..{self._raw.t_s[-1]:.3f} s" if len(self._raw.t_s) else \
            "no sample was sent"
        return t, f"{us} (0x{us:08X}) is {t:.3f} s on the recording's timeline, outside the run: {span}"

    def t_s(self, us: int) -> float:
        """Recording time of a firmware time (extrapolated when outside the samples sent)."""
        return self.place(us)[0]

    def _extrapolated(self, index: float) -> float:
        raw = self._raw
        if not len(raw.t_s):
            return float("nan")
        period = 1000.0 / raw.odr_mhz
        if index > self._end_index:
            return float(raw.t_s[-1] + (index - self._end_index) * period)
        return float(raw.t_s[0] - (self._first_index - index) * period)


@dataclass(frozen=True)
class Placed:
    """A stride as the rig placed it, with the firmware's own times and what was outside the run."""

    stride: Stride
    ic_us: int
    tc_us: int
    outside: tuple[str, ...] = ()


def place_stride(p: dict[str, Any], clock: FirmwareClock, tc_measured: bool) -> Placed:
    """A STRIDE payload's times on the recording's timeline (tc None when not measured: its time
    field is meaningless and would disturb the unwrapping)."""
    ic_s, ic_bad = clock.place(int(p["ic_us"]))
    tc_s, tc_bad = clock.place(int(p["tc_us"])) if tc_measured else (None, None)
    outside = tuple(f"{name} {why}" for name, why in (("ic_us", ic_bad), ("tc_us", tc_bad)) if why)
    return Placed(Stride.from_values(p["stride_no"], ic_s, tc_s, p), int(p["ic_us"]), int(p["tc_us"]), outside)


def time_doubts(series: Sequence[Placed]) -> list[tuple[int, str]]:
    """(position in series, why) of each stride whose times cannot be: series is one count of the
    firmware's strides in stride_no order."""
    out: list[tuple[int, str]] = []
    for i, p in enumerate(series):
        s = p.stride
        why = list(p.outside)
        if s.tc_s is not None and s.tc_s < s.ic_s:
            why.append(f"its toe-off (tc_us {p.tc_us}) comes {(s.ic_s - s.tc_s) * 1e3:.1f} ms before its contact "
                       f"(ic_us {p.ic_us})")
        if i + 1 < len(series):
            nxt = series[i + 1]
            if s.tc_s is not None and s.tc_s > nxt.stride.ic_s and not nxt.outside:
                why.append(f"its toe-off (tc_us {p.tc_us}) comes after the next stride's contact "
                           f"(stride_no {nxt.stride.stride_no}, ic_us {nxt.ic_us})")
        if i > 0 and not p.outside and not series[i - 1].outside and s.ic_s <= series[i - 1].stride.ic_s:
            before = series[i - 1]
            how = "the same as" if s.ic_s == before.stride.ic_s else \
                f"{(before.stride.ic_s - s.ic_s) * 1e3:.1f} ms before"
            why.append(f"its contact (ic_us {p.ic_us}) is {how} that of stride_no {before.stride.stride_no} "
                       f"(ic_us {before.ic_us}): contacts go backwards")
        if why:
            out.append((i, f"stride_no {s.stride_no}: " + "; ".join(why)))
    return out
