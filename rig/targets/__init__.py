"""Targets by name. Choose one with get_target(); the error lists the choices."""

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


def available_targets() -> dict[str, Availability]:
    """Availability of every target on this machine."""
    return {name: cls.availability() for name, cls in TARGETS.items()}


__all__ = ["Availability", "TARGETS", "Target", "UnknownTargetError", "available_targets", "get_target_class"]
