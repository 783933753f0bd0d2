"""SIGTERM and SIGHUP end a pytest session as Ctrl-C does, so every target it started is stopped.

Python's default for SIGTERM (what `timeout`, CI cancellation and process managers send) and
SIGHUP (a closed terminal) ends the interpreter at once: no fixture finalizer runs, so the
firmware, emulator or simulator a `dut` or `run_scenario` started goes on running without its
parent, and its run directory never gets target.txt. With the plugin these signals raise
`SessionSignal`, a KeyboardInterrupt: pytest unwinds, every fixture stops its target and
writes how it ended, and the session exits as interrupted (exit status 2), naming the signal.

Only signals left at their default are taken (one ignored by `nohup`, or handled by the user's
own code, stays so), only in the main thread, and they are given back when the session ends.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

#: Signals that end a session as Ctrl-C does (SIGINT already raises KeyboardInterrupt).
SESSION_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class SessionSignal(KeyboardInterrupt):
    """A session ended by SIGTERM or SIGHUP: pytest unwinds as for Ctrl-C, stopping every target."""

    def __init__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(f"{name}: the session was ended by {name}; every target it started is stopped, "
                         "its captures kept in its run directory")
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    for sig in SESSION_SIGNALS:
        if signal.getsignal(sig) is _raise:
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the clean-up short
    raise SessionSignal(signum)


def take_signals() -> dict[int, Any]:
    """Make SIGTERM and SIGHUP raise SessionSignal where they are at their default (main thread
    only); returns what to give back to restore_signals()."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    taken: dict[int, Any] = {}
    for sig in SESSION_SIGNALS:
        if signal.getsignal(sig) is signal.SIG_DFL:
            taken[sig] = signal.signal(sig, _raise)
    return taken


def restore_signals(taken: dict[int, Any]) -> None:
    """Give back the handlers take_signals() replaced."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig, before in taken.items():
        signal.signal(sig, before)
