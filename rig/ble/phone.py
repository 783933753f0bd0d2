"""A phone app as a Bluetooth LE central (Bumble): finds the shoe, reads and subscribes to its
Running Speed and Cadence service, runs the SC Control Point procedures, and reports every value
it receives as one JSON line on stdout.

    python -m rig.ble.phone --hci tcp-client:127.0.0.1:PORT [--set-distance-m 1000] [--timeout-s 120]

--hci is any Bumble transport: the rig's virtual link hands it a controller on a loopback socket;
`usb:0` would drive a USB Bluetooth dongle. Lines on stdout, in order:

    {"event": "connected", "address": ...}
    {"event": "read", "uuid": "2a54", "value": HEX}           RSC Feature, Sensor Location
    {"event": "att_error", "op": HEX, "error": N}             a Control Point write the shoe refused
    {"event": "indication", "request": HEX, "value": HEX}     each Control Point response
    {"event": "ready"}                                        subscribed, procedures done
    {"event": "notification", "value": HEX}                   each RSC Measurement, as received
    {"event": "disconnected", "reason": N}

Exit status 0 after the shoe disconnects, 2 when no shoe is found or the shoe does not answer
within --timeout-s (the message says which step).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from typing import Any

from bumble import att
from bumble.core import AdvertisingData
from bumble.device import Advertisement, Device, Peer
from bumble.gatt_client import CharacteristicProxy
from bumble.hci import Address
from bumble.transport import open_transport

from frame_spec import rscs
from rig.ble.hci_arg import hci_arg, open_failed_hint
from rig.ble.shoe import uuid16
from rig.once import Once
from rig.tool_args import ArgumentParser, positive_s

#: The phone's own (static random) address on the virtual link.
PHONE_ADDRESS = "F0:F1:F2:F3:F4:F5"


class PhoneError(Exception):
    """A step of the phone's session that did not complete: the message names it."""


def _emit(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def _advertises_rscs(adv: Advertisement) -> bool:
    for kind in (AdvertisingData.COMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS,
                 AdvertisingData.INCOMPLETE_LIST_OF_16_BIT_SERVICE_CLASS_UUIDS):
        for uuid in adv.data.get(kind) or []:
            if uuid == uuid16(rscs.RSCS_SERVICE_UUID):
                return True
    return False


async def _step(what: str, aw: Any, timeout_s: float) -> Any:
    try:
        return await asyncio.wait_for(aw, timeout_s)
    except asyncio.TimeoutError:
        raise PhoneError(f"{what}: no answer within {timeout_s:g} s") from None


class _ControlPoint:
    """Write a Control Point request and wait for its indicated response."""

    def __init__(self, char: CharacteristicProxy[bytes], timeout_s: float) -> None:
        self.char = char
        self.timeout_s = timeout_s
        self._answer: asyncio.Future[bytes] | None = None

    def on_indication(self, value: bytes) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_result(bytes(value))

    async def request(self, value: bytes) -> bytes | None:
        """The response, or None when the write was refused with an ATT error (reported as a line)."""
        self._answer = asyncio.get_running_loop().create_future()
        try:
            await _step(f"SC Control Point write {value.hex()}", self.char.write_value(value, with_response=True),
                        self.timeout_s)
        except att.ATT_Error as exc:
            _emit("att_error", op=value.hex(), error=int(exc.error_code))
            return None
        response = await _step(f"SC Control Point response to {value.hex()}", self._answer, self.timeout_s)
        _emit("indication", request=value.hex(), value=response.hex())
        return bytes(response)


async def session(hci: str, set_distance_m: float | None, timeout_s: float, max_session_s: float = 7200.0) -> None:
    """Find the shoe, read, subscribe, run the procedures, then report notifications until it disconnects."""
    try:
        opened = await asyncio.wait_for(open_transport(hci), timeout_s)
    except Exception as exc:  # noqa: BLE001 - Bumble raises many kinds (usb1's USBError, OSError, ValueError)
        # usb:0 with no dongle ended in a traceback (usb1.USBErrorOther: LIBUSB_ERROR_OTHER), exit 1
        why = f"not opened within {timeout_s:g} s" if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__
        raise PhoneError(f"--hci {hci}: cannot open this Bluetooth controller ({why}); {open_failed_hint(hci)}") from None
    async with opened as transport:
        device = Device.with_hci("phone", Address(PHONE_ADDRESS), transport.source, transport.sink)
        await device.power_on()
        found: asyncio.Future[Advertisement] = asyncio.get_running_loop().create_future()

        def on_advertisement(adv: Advertisement) -> None:
            if not found.done() and _advertises_rscs(adv):
                found.set_result(adv)

        device.on(device.EVENT_ADVERTISEMENT, on_advertisement)
        await device.start_scanning()
        adv = await _step("scanning for a Running Speed and Cadence sensor", found, timeout_s)
        await device.stop_scanning()
        connection = await _step(f"connecting to {adv.address}", device.connect(adv.address), timeout_s)
        gone: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def on_disconnection(reason: int) -> None:
            if not gone.done():
                gone.set_result(int(reason))

        connection.on(connection.EVENT_DISCONNECTION, on_disconnection)
        _emit("connected", address=str(adv.address))

        peer = Peer(connection)
        services = await _step("discovering the service", peer.discover_service(uuid16(rscs.RSCS_SERVICE_UUID)), timeout_s)
        if not services:
            raise PhoneError("the shoe advertises the Running Speed and Cadence service but has none")
        await _step("discovering characteristics", peer.discover_characteristics(service=services[0]), timeout_s)

        def char(uuid: int) -> CharacteristicProxy[bytes]:
            found_chars = peer.get_characteristics_by_uuid(uuid16(uuid), services[0])
            if not found_chars:
                raise PhoneError(f"the service has no characteristic 0x{uuid:04x}")
            return found_chars[0]

        for uuid in (rscs.RSC_FEATURE_UUID, rscs.SENSOR_LOCATION_UUID):
            value = await _step(f"reading 0x{uuid:04x}", peer.read_value(char(uuid)), timeout_s)
            _emit("read", uuid=f"{uuid:04x}", value=bytes(value).hex())

        cp = _ControlPoint(char(rscs.SC_CONTROL_POINT_UUID), timeout_s)
        # before indications are enabled the shoe must refuse a procedure (ATT error 0x81)
        await cp.request(bytes([rscs.ScOpCode.request_supported_sensor_locations]))
        await _step("enabling Control Point indications",
                    peer.subscribe(cp.char, cp.on_indication, prefer_notify=False), timeout_s)
        await cp.request(bytes([rscs.ScOpCode.request_supported_sensor_locations]))
        await cp.request(bytes([rscs.ScOpCode.start_sensor_calibration]))
        await cp.request(bytes([rscs.ScOpCode.update_sensor_location, rscs.SensorLocation.top_of_shoe]))
        value = await _step("reading the Sensor Location", peer.read_value(char(rscs.SENSOR_LOCATION_UUID)), timeout_s)
        _emit("read", uuid=f"{rscs.SENSOR_LOCATION_UUID:04x}", value=bytes(value).hex())
        await cp.request(bytes([rscs.ScOpCode.update_sensor_location, rscs.SensorLocation.in_shoe]))
        if set_distance_m is not None:
            dm = round(set_distance_m * 10)
            await cp.request(bytes([rscs.ScOpCode.set_cumulative_value]) + dm.to_bytes(4, "little"))

        def on_measurement(value: bytes) -> None:
            _emit("notification", value=bytes(value).hex())

        await _step("subscribing to the RSC Measurement", peer.subscribe(char(rscs.RSC_MEASUREMENT_UUID), on_measurement),
                    timeout_s)
        _emit("ready")
        reason = await _step("waiting for the shoe to end the session", gone, max_session_s)
        _emit("disconnected", reason=reason)


def phone_hci(text: str) -> str:
    """argparse type of --hci: a Bumble transport as rig ble's --hci takes it (a listening one on loopback only);
    `virtual` is rig ble's own link, which hands the phone a tcp-client transport."""
    if text == "virtual":
        raise argparse.ArgumentTypeError("'virtual' is rig ble's own link, not a transport the phone opens; give the "
                                         "transport it hands out (tcp-client:127.0.0.1:PORT) or a controller (usb:0)")
    return hci_arg(text)


def main(argv: list[str] | None = None) -> int:
    """Run the phone's session; exit 2 with a message when a step does not complete."""
    ap = ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    # tcp-server:0.0.0.0:PORT (or _:PORT) listened on every interface: a transport is checked as rig ble --hci is
    ap.add_argument("--hci", action=Once, required=True, type=phone_hci,
                    help="Bumble HCI transport, e.g. tcp-client:127.0.0.1:PORT or usb:0")
    ap.add_argument("--set-distance-m", action=Once, type=float, default=None,
                    help="run Set Cumulative Value with this total distance, m, before subscribing")
    # a bound that is none (nan, inf, 0, -1) left a step waiting for ever, or failed it at once unnamed
    ap.add_argument("--timeout-s", action=Once, type=positive_s, default=60.0, help="bound of each step, s")
    ap.add_argument("--max-session-s", action=Once, type=positive_s, default=7200.0, help="bound of the whole subscription, s")
    args = ap.parse_args(argv)
    if args.set_distance_m is not None and not 0 <= args.set_distance_m <= 429_496_729.5:
        print(f"phone: --set-distance-m {args.set_distance_m}: needs 0 .. 429496729.5 m (uint32, 1/10 m)", file=sys.stderr)
        return 2
    try:
        asyncio.run(session(args.hci, args.set_distance_m, args.timeout_s, args.max_session_s))
    except PhoneError as exc:
        print(f"phone: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:
        print(f"phone: --hci {args.hci}: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
