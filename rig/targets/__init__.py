"""Targets by name. make_target(name, port) gives one ready to start; an unknown name's error lists the choices."""

from __future__ import annotations

from rig.errors import RigError
from rig.targets.base import Availability, Target
from rig.targets.board import BoardTarget
from rig.targets.cocotb import CocotbTarget
from rig.targets.host import HostTarget
from rig.targets.qemu import QemuTarget
from rig.targets.renode import RenodeTarget

TARGETS: dict[str, type[Target]] = {t.name: t for t in (HostTarget, QemuTarget, CocotbTarget, RenodeTarget, BoardTarget)}


class UnknownTargetError(RigError):
    """The named target does not exist."""


def get_target_class(name: str) -> type[Target]:
    """The Target class called name; UnknownTargetError lists the known ones."""
    try:
        return TARGETS[name]
    except KeyError:
        raise UnknownTargetError(f"unknown target {name!r}; choose one of: {', '.join(TARGETS)}") from None


def make_target(name: str, port: str | None = None, profile: str | None = None, place: str | None = None) -> Target:
    """The target called name, not started. port is the board's link URL, profile its board profile
    (rig.boards) and place a labgrid place to acquire for it (rig.farm), and only the board's: every other
    target starts its own link, so any of them given to one is a RigError."""
    cls = get_target_class(name)
    if cls is BoardTarget:
        return BoardTarget(port=port, profile=profile, place=place)
    if place is not None:
        raise RigError(f"--place is for the board target; target {name!r} starts its own link")
    if port is not None:
        raise RigError(f"--port is for the board target; target {name!r} starts its own link")
    if profile is not None:
        raise RigError(f"--board-profile is for the board target; target {name!r} is no board")
    return cls()


def available_targets() -> dict[str, Availability]:
    """Availability of every target on this machine."""
    return {name: cls.availability() for name, cls in TARGETS.items()}


__all__ = ["Availability", "TARGETS", "Target", "UnknownTargetError", "available_targets", "get_target_class",
           "make_target"]
