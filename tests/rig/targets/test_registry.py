"""rig.targets: the registry, and make_target's one rule about ports."""

from __future__ import annotations

import pytest

from rig.errors import RigError
from rig.targets import TARGETS, UnknownTargetError, make_target
from rig.targets.board import BoardTarget


def test_every_target_is_made_by_name() -> None:
    for name in TARGETS:
        if name != "board":
            assert make_target(name).name == name


def test_only_the_board_takes_a_port() -> None:
    board = make_target("board", "socket://127.0.0.1:9")
    assert isinstance(board, BoardTarget) and board.port == "socket://127.0.0.1:9" and board.usable().ok
    with pytest.raises(RigError, match="--port is for the board target; target 'qemu'"):
        make_target("qemu", "/dev/ttyACM0")


def test_unknown_target_lists_the_choices() -> None:
    with pytest.raises(UnknownTargetError, match="choose one of: host, qemu"):
        make_target("nowhere")
