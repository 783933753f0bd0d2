"""The `rig` command's entry point (and `python -m rig`'s): it takes SIGINT, SIGTERM and SIGHUP
before anything else is loaded.

Loading the rig (numpy, the targets, the scenario library) takes a second or more; a signal in
that time, or while the options are read, used to end the command with the interpreter's own
traceback (Ctrl-C) or with no word at all (SIGTERM). It now ends it quietly with exit status
128 + N: nothing was started, so nothing needs stopping. Once `rig.cli.main` runs, its own
handlers stop the target on a signal; when it has returned, a late signal changes nothing: the
command's work is done and its status stands.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType

#: The signals that end a command (what a terminal, `timeout` and CI send).
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """A stop signal that arrived before rig.cli took over the signals."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def main() -> int:
    """Run `rig` (rig.cli.main) with every stop signal handled from the first moment."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop)
    try:
        from scenarios.input_file import show_bytes_on

        show_bytes_on(sys.stderr)  # a name that is not UTF-8 (rig replay $'w\xff.csv') told as the user gave it
        from rig.cli import main as cli_main

        status = cli_main(ignore_signals_after=True)  # no moment with a signal's default action once it ran
    except KeyboardInterrupt as exc:  # while loading or reading the options: nothing was started
        signum = exc.signum if isinstance(exc, Stopped) else int(signal.SIGINT)
        print(f"rig: ended by {signal.Signals(signum).name} while starting; nothing was started", file=sys.stderr)
        status = 128 + signum
    for sig in STOP_SIGNALS:
        signal.signal(sig, signal.SIG_IGN)  # the command is over: a late signal must not change its status
    return status
