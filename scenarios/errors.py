"""Errors raised by the scenario library; each message says what was wrong and what to do."""

from __future__ import annotations


class UnknownScenarioError(KeyError):
    """A scenario name that is not in the catalog; the message lists the names that are."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a readable sentence is more useful here.
        return str(self.args[0]) if self.args else ""


class ScenarioParameterError(ValueError):
    """A scenario parameter that cannot happen (negative speed, contact longer than the stride...)."""


class RecordingError(ValueError):
    """A recording CSV or truth file that cannot be read; the message names file and line."""


class CacheSettingError(ValueError):
    """$STRIDELAB_SYNTH_CACHE names what cannot be the synthesis cache's directory; the message names the variable."""
