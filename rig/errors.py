"""Errors the rig raises. Each message names the input and says what to do."""

from __future__ import annotations

from pathlib import Path


class RigError(Exception):
    """Base of every error the rig reports to its user (exit code 2 in the CLI)."""


class TargetUnavailable(RigError):
    """A target cannot run on this machine (tool missing, no port); the reason says why."""


class LinkError(RigError):
    """The link failed: port missing, closed, corrupt frames, or a timeout."""

    def __init__(self, message: str, capture: Path | None = None) -> None:
        if capture is not None:
            message = f"{message}\n  every byte received is in {capture}"
        super().__init__(message)
        self.capture = capture


class LinkTimeout(LinkError):
    """The firmware did not answer in time."""


class FirmwareFault(LinkError):
    """The firmware reported a FAULT frame (crash)."""
