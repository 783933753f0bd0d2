"""The emulated shoe as a Bluetooth LE peripheral: the Running Speed and Cadence service, its values
coming from the firmware over the link.

The GATT server is Bumble's (real ATT/GATT): RSC Measurement (notify), RSC Feature (read), Sensor
Location (read) and SC Control Point (write, indicate) in service 0x1814. The peripheral holds no
value of its own: Feature and Sensor Location are the firmware's answers to GATT_READ, every RSC
Measurement is a firmware RSC_MEASUREMENT frame's bytes, and every SC Control Point write goes to
the firmware as GATT_WRITE, its GATT_VALUE answer indicated back as the response. What is the
GATT layer's own business stays here: a Control Point write needs indications enabled (ATT error
0x81 otherwise) and one procedure at a time (0x80).

Everything here runs on the Bumble event loop; the replay session's thread reaches it only through
`publish_threadsafe` and `answer_threadsafe`, and it reaches the link only through the session's
outbox.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from bumble import att, gatt
from bumble.core import AdvertisingData, UUID
from bumble.device import Connection, Device

from frame_spec import rscs

logger = logging.getLogger(__name__)

#: ATT application errors of the Cycling/Running Speed and Cadence services.
ATT_PROCEDURE_ALREADY_IN_PROGRESS = 0x80
ATT_CCCD_IMPROPERLY_CONFIGURED = 0x81
#: Bluetooth Core: Invalid Attribute Value Length.
ATT_INVALID_ATTRIBUTE_VALUE_LENGTH = 0x0D

#: The name the shoe advertises.
ADVERTISED_NAME = "Stridelab shoe"


def uuid16(value: int) -> UUID:
    """A Bumble UUID from a 16-bit Bluetooth UUID."""
    return UUID.from_16_bits(value)


def advertising_data(name: str = ADVERTISED_NAME) -> bytes:
    """Advertising data: general discoverable, LE only, the RSCS service UUID and the name."""
    return bytes(AdvertisingData([
        (AdvertisingData.FLAGS, bytes([0x06])),
        (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS, rscs.RSCS_SERVICE_UUID.to_bytes(2, "little")),
        (AdvertisingData.COMPLETE_LOCAL_NAME, name.encode()),
    ]))


class ShoePeripheral:
    """The RSCS GATT service on a Bumble Device, bridged to the firmware.

    `feature` and `location` are the firmware's answers to GATT_READ; `send_control_point(value)`
    hands a Control Point write to the session's thread (its outbox), whose answer comes back
    through `answer_threadsafe`.
    """

    def __init__(self, device: Device, feature: bytes, location: bytes,
                 send_control_point: Callable[[bytes], None]) -> None:
        self.device = device
        self.loop = asyncio.get_running_loop()
        self._feature = feature
        self._location = location
        self._send_control_point = send_control_point
        self._pending: bytes | None = None  # the Control Point request awaiting the firmware's answer
        self._queue: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
        #: Values handed to the GATT layer, in order: what the phone should receive.
        self.notified: list[bytes] = []
        self.indicated: list[bytes] = []
        #: Connections whose client subscribed to the RSC Measurement.
        self.subscribed: asyncio.Event = asyncio.Event()
        self.measurement: gatt.Characteristic[bytes] = gatt.Characteristic(
            uuid16(rscs.RSC_MEASUREMENT_UUID), gatt.Characteristic.Properties.NOTIFY,
            gatt.Characteristic.Permissions(0), b"")
        self.feature: gatt.Characteristic[bytes] = gatt.Characteristic(
            uuid16(rscs.RSC_FEATURE_UUID), gatt.Characteristic.Properties.READ,
            gatt.Characteristic.Permissions.READABLE, gatt.CharacteristicValue[bytes](read=lambda _c: self._feature))
        self.location: gatt.Characteristic[bytes] = gatt.Characteristic(
            uuid16(rscs.SENSOR_LOCATION_UUID), gatt.Characteristic.Properties.READ,
            gatt.Characteristic.Permissions.READABLE, gatt.CharacteristicValue[bytes](read=lambda _c: self._location))
        self.control_point: gatt.Characteristic[bytes] = gatt.Characteristic(
            uuid16(rscs.SC_CONTROL_POINT_UUID),
            gatt.Characteristic.Properties.WRITE | gatt.Characteristic.Properties.INDICATE,
            gatt.Characteristic.Permissions.WRITEABLE, gatt.CharacteristicValue[bytes](write=self._on_control_point_write))
        self.service = gatt.Service(uuid16(rscs.RSCS_SERVICE_UUID),
                                    [self.measurement, self.feature, self.location, self.control_point])
        device.add_service(self.service)
        device.on(device.EVENT_CONNECTION, self._on_connection)
        self.measurement.on(self.measurement.EVENT_SUBSCRIPTION, self._on_subscription)
        self._sender = self.loop.create_task(self._send_in_order())
        self.connections: list[Connection] = []

    def _on_connection(self, connection: Connection) -> None:
        self.connections.append(connection)

    def _on_subscription(self, _bearer: Any, notify: bool, _indicate: bool) -> None:
        if notify:
            self.subscribed.set()

    def _indications_enabled(self, connection: Connection) -> bool:
        cccds = self.device.gatt_server.subscribers.get(connection, {})
        cccd = cccds.get(self.control_point.handle, b"")
        return len(cccd) == 2 and bool(cccd[0] & 0x02)

    def _on_control_point_write(self, connection: Connection, value: bytes) -> None:
        if not self._indications_enabled(connection):
            raise att.ATT_Error(ATT_CCCD_IMPROPERLY_CONFIGURED)
        if self._pending is not None:
            raise att.ATT_Error(ATT_PROCEDURE_ALREADY_IN_PROGRESS)
        if not value:
            raise att.ATT_Error(ATT_INVALID_ATTRIBUTE_VALUE_LENGTH)
        self._pending = bytes(value)
        self._send_control_point(bytes(value))

    # -- from the session's thread ------------------------------------------
    def publish_threadsafe(self, value: bytes) -> None:
        """Notify an RSC Measurement (called from any thread; sent in call order)."""
        self.loop.call_soon_threadsafe(self._queue.put_nowait, ("notify", value))

    def answer_threadsafe(self, value: bytes) -> None:
        """The firmware's response to the pending Control Point request: indicate it (any thread)."""
        self.loop.call_soon_threadsafe(self._queue.put_nowait, ("indicate", value))

    async def drain(self) -> None:
        """Wait until every value handed over so far has gone to the GATT layer."""
        await self._queue.join()

    async def _send_in_order(self) -> None:
        while True:
            kind, value = await self._queue.get()
            try:
                if kind == "notify":
                    self.notified.append(value)
                    await self.device.notify_subscribers(self.measurement, value)
                else:
                    self._answered(value)
                    self.indicated.append(value)
                    await self.device.indicate_subscribers(self.control_point, value)
            except Exception:  # noqa: BLE001 - a peer that went away must not stop the sender
                logger.exception("sending %s %s", kind, value.hex())
            finally:
                self._queue.task_done()

    def _answered(self, response: bytes) -> None:
        request, self._pending = self._pending, None
        ok = rscs.ScResponse.success
        if request and len(request) == 2 and request[0] == rscs.ScOpCode.update_sensor_location and \
                len(response) >= 3 and response[2] == ok:
            self._location = request[1:2]  # the firmware took the new location: reads show it from now on

    async def advertise(self) -> None:
        """Start connectable advertising with the RSCS UUID and the shoe's name."""
        await self.device.start_advertising(advertising_data=advertising_data(self.device.name), auto_restart=False)

    async def close(self) -> None:
        """Disconnect every central and stop the sender."""
        for connection in list(self.connections):
            try:
                await connection.disconnect()
            except Exception:  # noqa: BLE001 - already gone
                pass
        self._sender.cancel()
