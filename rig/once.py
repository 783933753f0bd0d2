"""An option that takes one value: given twice with two different values, it is refused.

argparse keeps the last of a repeated option without a word: `rig run walk --target qemu --target
host` ran on host alone and `pytest --target host --target qemu` skipped every host test (exit 0),
each reading as the run asked for. The same value twice is harmless and accepted.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

#: Attribute of the namespace holding the options already given on this command line.
_SEEN = "_rig_options_given"


class Once(argparse.Action):
    """Store the option's value; parser.error() when the option came before with another value."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        """Keep values as the option's; refuse a second, different one (argparse: exit 2 and the usage)."""
        seen: dict[str, Any] = namespace.__dict__.setdefault(_SEEN, {})
        if self.dest in seen and seen[self.dest] != values:
            parser.error(f"{option_string} given twice ({seen[self.dest]} and {values}): it takes one value; "
                         "run the command once per value")
        seen[self.dest] = values
        setattr(namespace, self.dest, values)
