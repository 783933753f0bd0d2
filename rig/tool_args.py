"""argparse types the rig's campaign tools share (python -m rig.fault_campaign, rig.sanitizer_campaign,
rig.linkbench, what the nox sessions forward their arguments to): a refusal names the value and what
to give instead, through argparse (exit 2 and the usage), before any work is done."""

from __future__ import annotations

import argparse
import math
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

#: A command-line word that is a negative number as float() reads it: -5, -.5, -1e3, -1E-3, -inf, -nan.
#: argparse's own pattern (-5, -.5 only) takes -1e3 and -inf for options, so `rig plot --from -1e3` was
#: refused as 'argument --from: expected one argument', naming no number and no fault.
NEGATIVE_NUMBER = re.compile(r"^-(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan)$", re.IGNORECASE)


class ArgumentParser(argparse.ArgumentParser):
    """argparse's parser, whose options take every negative number (NEGATIVE_NUMBER) as their value, so
    that its type either takes it or refuses it in its own words; its subparsers are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """As argparse.ArgumentParser."""
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = NEGATIVE_NUMBER


def positive_s(text: str) -> float:
    """A duration: a finite number of seconds > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} must be a finite number of seconds > 0")
    return value


def positive_int(text: str) -> int:
    """A count or rate: a whole number > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{value} must be a whole number > 0")
    return value


def scenario_name(text: str) -> str:
    """The name of a catalog scenario (the refusal lists them)."""
    from scenarios.catalog import list_scenarios  # the catalog only when a name is checked

    names = sorted(s.name for s in list_scenarios())
    if text not in names:
        raise argparse.ArgumentTypeError(f"{text!r} is no scenario of the catalog; choose from: {', '.join(names)}")
    return text


def refuse_repeats(parser: argparse.ArgumentParser, names: Sequence[object], what: str = "scenario") -> None:
    """parser.error() (exit 2) naming each scenario (or what) given more than once: run again, it counted twice in a
    campaign's totals ('2 scenarios ... 2 passed') for one scenario's work."""
    twice = sorted({str(n) for n in names if names.count(n) > 1})
    if twice:
        parser.error(f"{', '.join(twice)} given twice; give each {what} once")


def in_file(what: str) -> Callable[[str], Path]:
    """argparse type of a file to read (a recording, a durations file, a replay JSON): an empty or
    blank path is refused as such. Path('') is the current directory, so an unset shell variable
    ("$REC") was refused as '.: is a directory', naming neither the empty argument nor what to give."""

    def check(text: str) -> Path:
        if not text.strip():
            raise argparse.ArgumentTypeError(f"an empty path ({text!r}); give {what}")
        not_a_dir = file_with_slash(text)
        if not_a_dir:
            raise argparse.ArgumentTypeError(not_a_dir)
        return Path(text)

    return check


def file_with_slash(text: str) -> str | None:
    """The refusal of a path that ends in / (a directory's mark) but names something that is no directory, else None.
    Path() drops the slash, so `rig replay walk.csv/` replayed walk.csv, where the system refuses the name (open()
    fails with 'Not a directory')."""
    if not text.endswith("/") or text.strip("/") == "":
        return None
    path = Path(text)
    try:
        if path.is_dir() or not (path.exists() or path.is_symlink()):
            return None
    except OSError:
        return None
    return (f"{text!r} ends in /, a directory's mark, and {path} is no directory: drop the trailing / to name the "
            "file")
