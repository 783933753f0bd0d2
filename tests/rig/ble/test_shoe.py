"""The shoe's GATT layer rules, on two Bumble devices joined by a virtual link: a Control Point
write needs indications enabled, one procedure runs at a time, an empty write is refused, and a
location the firmware accepted is what reads show from then on."""

from __future__ import annotations

import asyncio

import pytest

pytest.importorskip("bumble", reason="the BLE shoe needs the ble extra: pip install -e '.[ble]'")

from bumble import att  # noqa: E402
from bumble.device import Peer  # noqa: E402
from bumble.testing.test_utils import TwoDevices  # noqa: E402

from frame_spec import rscs  # noqa: E402
from rig.ble.shoe import (  # noqa: E402
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_INVALID_ATTRIBUTE_VALUE_LENGTH,
    ATT_PROCEDURE_ALREADY_IN_PROGRESS,
    ShoePeripheral,
    uuid16,
)


async def _scenario() -> dict[str, object]:
    devices = TwoDevices()
    written: list[bytes] = []
    shoe = ShoePeripheral(devices[1], bytes.fromhex("1700"), bytes([rscs.SensorLocation.in_shoe]), written.append)
    await devices.setup_connection()
    peer = Peer(devices.connections[0])
    await peer.discover_services()
    await peer.discover_characteristics()
    cp = peer.get_characteristics_by_uuid(uuid16(rscs.SC_CONTROL_POINT_UUID))[0]
    loc = peer.get_characteristics_by_uuid(uuid16(rscs.SENSOR_LOCATION_UUID))[0]
    out: dict[str, object] = {}

    async def write(value: bytes) -> int:
        try:
            await cp.write_value(value, with_response=True)
            return 0
        except att.ATT_Error as exc:
            return int(exc.error_code)

    out["before_subscribe"] = await write(b"\x04")
    indications: list[bytes] = []
    indicated = asyncio.Event()

    def on_indication(value: bytes) -> None:
        indications.append(bytes(value))
        indicated.set()

    await peer.subscribe(cp, on_indication, prefer_notify=False)
    out["empty"] = await write(b"")
    out["first"] = await write(bytes([rscs.ScOpCode.update_sensor_location, rscs.SensorLocation.top_of_shoe]))
    out["second_while_pending"] = await write(b"\x04")
    out["forwarded"] = list(written)
    # the firmware's answer arrives: indicated to the phone, the location taken
    shoe.answer_threadsafe(bytes([0x10, rscs.ScOpCode.update_sensor_location, rscs.ScResponse.success]))
    await shoe.drain()
    await asyncio.wait_for(indicated.wait(), 10.0)
    out["indications"] = indications
    out["location_after"] = bytes(await peer.read_value(loc))
    out["third_after_answer"] = await write(b"\x04")
    await shoe.close()
    return out


def test_control_point_rules() -> None:
    got = asyncio.run(_scenario())
    assert got["before_subscribe"] == ATT_CCCD_IMPROPERLY_CONFIGURED
    assert got["empty"] == ATT_INVALID_ATTRIBUTE_VALUE_LENGTH
    assert got["first"] == 0
    assert got["second_while_pending"] == ATT_PROCEDURE_ALREADY_IN_PROGRESS
    assert got["forwarded"] == [bytes([0x03, 0x01])], "only the accepted write reaches the firmware"
    assert got["indications"] == [bytes([0x10, 0x03, 0x01])]
    assert got["location_after"] == bytes([rscs.SensorLocation.top_of_shoe])
    assert got["third_after_answer"] == 0
