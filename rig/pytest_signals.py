"""SIGTERM, SIGHUP and SIGINT end a pytest session as Ctrl-C does, so every target it started is stopped.

Python's default for SIGTERM (what `timeout`, CI cancellation and process managers send) and
SIGHUP (a closed terminal) ends the interpreter at once: no fixture finalizer runs, so the
firmware, emulator or simulator a `dut` or `run_scenario` started goes on running without its
parent, and its run directory never gets target.txt. With the plugin these signals raise
`SessionSignal`, a KeyboardInterrupt: pytest unwinds, every fixture stops its target and
writes how it ended, and the session exits as interrupted (exit status 2), naming the signal.
SIGINT (Ctrl-C, or `kill -INT` from a CI runner or nox) is taken too, so that it is passed on to
pytest-xdist workers as the others are and a second one does not cut the clean-up short.

Only signals left at their default are taken (one ignored by `nohup`, or handled by the user's
own code, stays so), only in the main thread, and they are given back when the session ends.

A pytest-xdist controller that gets one of them alone (`kill PID`, a CI runner that signals the
command it started, not its process group) passes it on to every worker (WorkerSignals): each
stops its target and records its run cut short by that signal, and the controller ends the
session, naming the signal, once they are done (or after WORKERS_GRACE_S). It used to end the
session at once: pytest-xdist then tore the workers down with SIGINT some seconds later, so the
report named SIGINT, not the signal that ended the session. From a terminal, Ctrl-C reaches the
workers already (the whole process group gets it); passed on again, it is one they ignore.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

#: Signals that end a session as Ctrl-C does.
SESSION_SIGNALS = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)


class SessionSignal(KeyboardInterrupt):
    """A session ended by SIGTERM, SIGHUP or SIGINT: pytest unwinds as for Ctrl-C, stopping every target."""

    def __init__(self, signum: int) -> None:
        name = signal.Signals(signum).name
        super().__init__(f"{name}: the session was ended by {name}; every target it started is stopped, "
                         "its captures kept in its run directory")
        self.signum = signum


def _raise(signum: int, frame: FrameType | None) -> None:
    for sig in SESSION_SIGNALS:
        handler = signal.getsignal(sig)
        if handler is _raise or isinstance(getattr(handler, "__self__", None), WorkerSignals):
            signal.signal(sig, signal.SIG_IGN)  # a second signal must not cut the clean-up short
    raise SessionSignal(signum)


#: How long a pytest-xdist controller waits, after passing a signal on, for its workers to stop their
#: targets and record their runs before it ends the session itself (pytest-xdist then kills them), s.
WORKERS_GRACE_S = 30.0


class WorkerSignals:
    """The session's handler of SIGTERM, SIGHUP and SIGINT. In a pytest-xdist controller with workers up, the
    first such signal is passed on to every worker and the session goes on until they have ended (each
    unwinds as for Ctrl-C: its targets stopped, its runs recorded cut short by that signal); further
    ones meanwhile are ignored, and after grace_s the controller ends the session itself. Without
    workers (a worker itself, a session without -n) the signal raises SessionSignal at once."""

    def __init__(self, grace_s: float = WORKERS_GRACE_S) -> None:
        self.grace_s = grace_s
        #: pid of each worker up, by its id (gw0, ...).
        self.workers: dict[str, int] = {}
        #: The signal passed on to the workers, once one was.
        self.signum: int | None = None
        self._deadline = 0.0
        self._timer: threading.Timer | None = None
        #: The pytest session, once it has started (pytest_sessionstart).
        self.session: Any = None

    def add(self, worker_id: str, pid: int) -> None:
        """A worker is up (pytest_testnodeready)."""
        self.workers[worker_id] = pid

    def remove(self, worker_id: str) -> None:
        """A worker has ended (pytest_testnodedown)."""
        self.workers.pop(worker_id, None)

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The signal handler (main thread)."""
        if self.signum is None and self.workers:
            self.signum = signum
            for pid in self.workers.values():
                try:
                    os.kill(pid, signum)
                except ProcessLookupError:
                    pass  # it has just ended
            self._deadline = time.monotonic() + self.grace_s
            # the wait is bounded: a worker that does not end in time is ended by the session's teardown
            self._timer = threading.Timer(self.grace_s, signal.pthread_kill,
                                          (threading.main_thread().ident, signum))
            self._timer.daemon = True
            self._timer.start()
            return
        if self.signum is not None and time.monotonic() < self._deadline:
            return  # a further signal must not cut the workers' clean-up short
        signum = self.signum or signum
        if self.session is not None:
            # should the exception below be lost (raised inside a finalizer or a weakref callback, where
            # Python only prints it), the session still stops after the test under way
            self.session.shouldstop = f"{signal.Signals(signum).name}: the session was ended by it"
        _raise(signum, frame)

    def close(self) -> None:
        """Cancel the bound on the wait (the session is ending)."""
        if self._timer is not None:
            self._timer.cancel()


def _at_default(sig: int) -> bool:
    """Whether sig has Python's default handling: SIG_DFL, or for SIGINT the KeyboardInterrupt it raises."""
    handler = signal.getsignal(sig)
    return handler is signal.SIG_DFL or (sig == signal.SIGINT and handler is signal.default_int_handler)


def take_signals(handler: Callable[[int, FrameType | None], None] | None = None) -> dict[int, Any]:
    """Make SIGTERM, SIGHUP and SIGINT raise SessionSignal (or call handler, e.g. WorkerSignals.handle)
    where they are at their default (main thread only); returns what to give back to restore_signals()."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    taken: dict[int, Any] = {}
    for sig in SESSION_SIGNALS:
        if _at_default(sig):
            taken[sig] = signal.signal(sig, handler or _raise)
    return taken


def restore_signals(taken: dict[int, Any]) -> None:
    """Give back the handlers take_signals() replaced."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig, before in taken.items():
        signal.signal(sig, before)
