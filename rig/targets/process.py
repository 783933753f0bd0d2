"""A firmware that runs as a local process (host build, emulators): start, watch, stop."""

from __future__ import annotations

import selectors
import subprocess
from pathlib import Path
from typing import IO

from rig.errors import RigError
from rig.progress import ProgressClock


class FirmwareProcess:
    """A child process whose stdout announces its link; stderr goes to a log file."""

    def __init__(self, argv: list[str], log_path: Path) -> None:
        self.argv = argv
        self.log_path = log_path
        self._log: IO[bytes] = open(log_path, "wb")
        try:
            self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=self._log, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self._log.close()
            raise RigError(f"cannot start {argv[0]}: {exc}") from None

    def read_line(self, prefix: str, timeout_s: float) -> str:
        """Wait for a stdout line starting with prefix; return the rest of the line."""
        assert self.proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        clock = ProgressClock(lambda: self.proc.pid)  # a slow host is no hung firmware
        clock.start()
        seen: list[str] = []
        try:
            while (left := timeout_s - clock.charged()) > 0:
                if not sel.select(min(left, 0.1)):
                    continue
                line = self.proc.stdout.readline().decode(errors="replace")
                if not line:
                    break
                if line.startswith(prefix):
                    return line[len(prefix):].strip()
                seen.append(line.rstrip())
        finally:
            sel.close()
        try:
            status = self.proc.wait(1.0)  # its stdout ended: it is exiting
        except subprocess.TimeoutExpired:
            status = None
        when = (f"ended (exit status {status}) before announcing its link ('{prefix}...')" if status is not None
                else f"did not announce its link ('{prefix}...') within {timeout_s:g} s ({clock.describe()})")
        raise RigError(f"{self.argv[0]} {when}; stdout: {seen[-5:]}; stderr: {self.stderr_tail()}")

    def stderr_tail(self, limit: int = 2000) -> str:
        """The end of what the process wrote to stderr."""
        self._log.flush()
        try:
            return self.log_path.read_bytes()[-limit:].decode(errors="replace").strip()
        except OSError:
            return ""

    def stop(self, timeout_s: float = 3.0) -> str:
        """Terminate (then kill) the process; describe how it ended."""
        status = self.proc.poll()
        how = "had already exited"
        if status is None:
            self.proc.terminate()
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
