"""What a long run shows while it runs: scenario, target, samples sent, real-time factor.

On a terminal one line is rewritten in place (a few times a second); anywhere else (a CI log,
a file) a plain line is printed every LOG_EVERY_S seconds, so a log shows progress without
carriage returns.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds between updates on a terminal, and between plain lines elsewhere.
TTY_EVERY_S = 0.2
LOG_EVERY_S = 10.0

#: What a replay calls as it sends: (samples sent, samples in all, sample rate in Hz).
ProgressCallback = Callable[[int, int, float], None]


class ProgressLine:
    """A ProgressCallback that writes `label: sent/total samples (pct), Nx real time` to stream."""

    def __init__(self, label: str, stream: TextIO | None = None, every_s: float | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.label = label
        self.stream = stream or sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.every_s = every_s if every_s is not None else (TTY_EVERY_S if self.tty else LOG_EVERY_S)
        self._clock = clock
        self._t0 = clock()
        self._last: float | None = None
        self._width = 0

    def __call__(self, sent: int, total: int, odr_hz: float) -> None:
        """Show the progress if the last update is every_s old, and always at the end."""
        now = self._clock()
        if self._last is not None and now - self._last < self.every_s and sent < total:
            return
        self._last = now
        elapsed_s = now - self._t0
        rtf = (sent / odr_hz) / elapsed_s if elapsed_s > 0 and odr_hz > 0 else 0.0
        text = (f"{self.label}: {sent:,}/{total:,} samples ({100.0 * sent / max(total, 1):.0f} %), "
                f"{rtf:.1f}x real time")
        if self.tty:
            self.stream.write("\r" + text.ljust(self._width))
            self._width = len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def close(self) -> None:
        """Clear the terminal line, so the run's own report starts on a clean line."""
        if self.tty and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
