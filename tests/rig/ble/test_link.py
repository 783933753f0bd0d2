"""The BLE stack's loop thread: stopping it mid-run (Ctrl-C, SIGTERM) leaves no task pending, so the
interpreter never reports one destroyed while pending, with a traceback, at exit."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")

from rig.ble.link import BleStack  # noqa: E402


def test_stop_cancels_what_a_run_cut_short_left_waiting() -> None:
    stack = BleStack()
    stack.start()
    queue: asyncio.Queue[bytes] = asyncio.Queue()

    async def sender() -> None:  # as the shoe's sender: waits on its queue for ever
        await queue.get()

    async def spawn() -> asyncio.Task[None]:
        return asyncio.get_running_loop().create_task(sender())

    task = stack.call(spawn, 10, "starting a sender")
    stack.stop()
    assert task.cancelled(), task
