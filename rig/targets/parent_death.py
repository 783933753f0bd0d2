"""A firmware process that ends with the rig: Linux's parent-death signal.

The rig stops every firmware it starts on every way out it sees (done, an error, Ctrl-C, SIGTERM).
A rig process that dies without unwinding (SIGKILL, the OOM killer, a crash in native code, a test
that calls os._exit) stops nothing: its firmware, emulator or simulator ran on, reparented to init.
Started with `die_with_parent` as its preexec_fn, the child is sent SIGTERM by the kernel when the
thread that started it ends, as a stop() would (the coverage build writes its counters on SIGTERM).

The kernel ties the signal to the starting *thread*, so it is set only for children started from
the main thread (the fixtures and the CLI start targets there): a helper thread that ends while its
firmware should run on would otherwise take the firmware with it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
from collections.abc import Callable

#: prctl(2) option: the signal the calling process gets when its parent (thread) dies.
PR_SET_PDEATHSIG = 1


def _prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _prctl()  # looked up once here: the forked child must not load libraries


def _libc_signal() -> Callable[..., int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        found = libc.signal
    except (OSError, AttributeError):
        return None
    found.argtypes = (ctypes.c_int, ctypes.c_void_p)
    found.restype = ctypes.c_void_p
    return found


_SIGNAL = _libc_signal()
#: The signals a rig ignores while it cleans up after one (rig.cli, rig.pytest_signals). An ignored signal
#: stays ignored across exec: a firmware started meanwhile ignored the SIGTERM of stop() and of the
#: parent-death request, and ran on after its rig (seen: a host firmware left running, deaf to SIGTERM).
DEFAULT_IN_CHILD = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


def die_with_parent() -> Callable[[], None] | None:
    """A preexec_fn for subprocess.Popen that asks for SIGTERM when this process ends, or None where
    that cannot be asked (not Linux, or not the main thread: see the module docstring)."""
    if _PRCTL is None or threading.current_thread() is not threading.main_thread():
        return None
    prctl, parent = _PRCTL, os.getpid()

    def preexec() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the request was made
            os.kill(os.getpid(), signal.SIGTERM)

    return preexec


def signals_at_default() -> Callable[[], None] | None:
    """A preexec_fn that sets SIGTERM, SIGINT and SIGHUP to their defaults in the child whatever the rig does
    with them, for a child that ends with the rig by other means (a simulator in a session of its own, which
    the rig stops by its process group); None where it cannot be done."""
    reset = _SIGNAL
    if reset is None:
        return None

    def preexec() -> None:
        for sig in DEFAULT_IN_CHILD:
            reset(int(sig), None)  # SIG_DFL

    return preexec


def ends_with_the_rig() -> Callable[[], None] | None:
    """A preexec_fn for a firmware, emulator or simulator: SIGTERM, SIGINT and SIGHUP at their defaults in
    the child whatever the rig does with them (so stop() and the parent-death signal end it), and
    die_with_parent's request; None where neither can be done."""
    die, reset = die_with_parent(), signals_at_default()
    if reset is None:
        return die

    def preexec() -> None:
        reset()
        if die is not None:
            die()

    return preexec
