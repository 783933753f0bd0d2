"""A firmware that runs as a local process (host build, emulators): start, watch, stop."""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
import subprocess
from pathlib import Path
from typing import IO

from rig.errors import RigError
from rig.progress import ProgressClock
from rig.targets.parent_death import ends_with_the_rig
from rig.tail import tail_bytes


#: Longest stdout line read_line() keeps whole (a longer one is cut there and read on as another).
MAX_LINE_BYTES = 4096


#: What a target's account of its end says when a signal someone else sent ended it during the run
#: (the OOM killer, kill -9): the cause of whatever the link then failed with (rig.runner.target_running).
KILLED_BEFORE_STOP = "before the rig stopped it"


def killed_by(status: int | None) -> str | None:
    """'killed by SIGKILL' for the status of a process a signal ended (negative, as subprocess gives it), else None."""
    if status is None or status >= 0:
        return None
    try:
        name = signal.Signals(-status).name
    except ValueError:
        name = f"signal {-status}"
    return f"killed by {name}"


class FirmwareProcess:
    """A child process whose stdout announces its link; stderr goes to a log file."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.argv = argv
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb")
        #: stdout read but not yet taken as a whole line by read_line().
        self._stdout_buf = bytearray()
        try:
            # ends with the rig even when the rig dies without stopping it (rig.targets.parent_death)
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL,
                                         preexec_fn=ends_with_the_rig())
        except OSError as exc:
            self._log.close()
            raise RigError(f"cannot start {argv[0]}: {exc}") from None

    def read_line(self, prefix: str, timeout_s: float) -> str:
        """Wait for a stdout line starting with prefix; return the rest of the line.

        stdout is read in whatever pieces arrive (never a blocking readline): a process that
        prints part of a line and then goes quiet is judged by timeout_s like one that prints
        nothing, and a line longer than MAX_LINE_BYTES is cut there."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        clock = ProgressClock(lambda: self.proc.pid)  # a slow host is no hung firmware
        clock.start()
        seen: list[str] = []
        ended = False
        try:
            while (left := timeout_s - clock.charged()) > 0:
                if not sel.select(min(left, 0.1)):
                    continue
                chunk = os.read(fd, 4096)
                if not chunk:
                    ended = True
                    break
                self._stdout_buf += chunk
                while (cut := self._stdout_buf.find(b"\n")) >= 0 or len(self._stdout_buf) > MAX_LINE_BYTES:
                    cut = cut if 0 <= cut <= MAX_LINE_BYTES else MAX_LINE_BYTES
                    line = bytes(self._stdout_buf[:cut]).decode(errors="replace")
                    del self._stdout_buf[:cut + 1]
                    if line.startswith(prefix):
                        return line[len(prefix):].strip()
                    seen.append(line.rstrip())
        finally:
            sel.close()
        if self._stdout_buf:
            seen.append(bytes(self._stdout_buf[:MAX_LINE_BYTES]).decode(errors="replace").rstrip() + " (no end of line)")
        try:
            status = self.proc.wait(1.0 if ended else 0.0)  # its stdout ended: it is exiting
        except subprocess.TimeoutExpired:
            status = None
        when = (f"ended (exit status {status}) before announcing its link ('{prefix}...')" if status is not None
                else f"did not announce its link ('{prefix}...') within {timeout_s:g} s ({clock.describe()})")
        raise RigError(f"{self.argv[0]} {when}; stdout: {seen[-5:]}; stderr: {self.stderr_tail()}")

    def stderr_tail(self, limit: int = 2000) -> str:
        """The end of what the process wrote to stderr."""
        self._log.flush()
        try:
            return tail_bytes(self.log_path, limit).decode(errors="replace").strip()
        except OSError:
            return ""

    def stop(self, timeout_s: float = 3.0) -> str:
        """Terminate (then kill) the process; describe how it ended."""
        status = self.proc.poll()
        # ended before the rig stopped it: by a signal someone else sent (the OOM killer, kill -9), or by itself
        signalled = killed_by(status)
        how = f"had already been {signalled} {KILLED_BEFORE_STOP}" if signalled else "had already exited"
        if status is None:
            self.proc.terminate()
            with contextlib.suppress(OSError):
                os.kill(self.proc.pid, signal.SIGCONT)  # a process the host stopped must run to end
            how = "terminated"
            try:
                status = self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                status = self.proc.wait(timeout_s)
                how = f"killed after {timeout_s:g} s"
        if self.proc.stdout:
            self.proc.stdout.close()
        self._log.close()
        return f"{self.argv[0]} {how}, exit status {status}"
