"""The Bluetooth Running Speed and Cadence service (RSCS 1.0, service 0x1814): its characteristic
values, defined once with construct.

These are the bytes a phone app or a sports watch reads from a footpod. The firmware builds them
(firmware_c/src/rscs.c) and carries them over the link in RSC_MEASUREMENT and GATT_VALUE frames;
the rig's BLE peripheral hands them to the phone unchanged.

Units, as the specification and the GATT Specification Supplement define them:

- Instantaneous Speed: uint16, 1/256 m/s.
- Instantaneous Cadence: uint8, 1/min: "the number of times per minute the foot with the sensor
  hits the ground" (RSCS 1.0). A sensor in one shoe counts its own foot's contacts, so this is the
  stride rate of that foot, half the two-footed step rate that running watches show as cadence
  (a runner at 170 steps/min reads 85). The spec's own definitions agree: stride length is "the
  distance between two successive contacts of the same foot", so speed = cadence x stride length
  / 60. Some implementations send steps per minute here; this project follows the specification.
- Instantaneous Stride Length: uint16, 1/100 m (present when flags bit 0 is set).
- Total Distance: uint32, 1/10 m (present when flags bit 1 is set), since the last reset or Set
  Cumulative Value.
- Flags bit 2: 0 walking, 1 running.

All multi-byte fields are little-endian (least significant octet first).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from typing import Any

from construct import (
    Const,
    Enum,
    FlagsEnum,
    GreedyRange,
    If,
    Int8ul,
    Int16ul,
    Int32ul,
    Rebuild,
    Struct,
    Terminated,
    this,
)

#: 16-bit UUIDs of the service and its characteristics.
RSCS_SERVICE_UUID = 0x1814
RSC_MEASUREMENT_UUID = 0x2A53
RSC_FEATURE_UUID = 0x2A54
SC_CONTROL_POINT_UUID = 0x2A55
SENSOR_LOCATION_UUID = 0x2A5D

#: Resolution of each field, in its unit per count.
SPEED_MPS_PER_COUNT = 1.0 / 256.0
STRIDE_M_PER_COUNT = 0.01
DISTANCE_M_PER_COUNT = 0.1


class SensorLocation(enum.IntEnum):
    """Sensor Location (0x2A5D) values, GATT Specification Supplement."""

    other = 0
    top_of_shoe = 1
    in_shoe = 2
    hip = 3
    front_wheel = 4
    left_crank = 5
    right_crank = 6
    left_pedal = 7
    right_pedal = 8
    front_hub = 9
    rear_dropout = 10
    chainstay = 11
    rear_wheel = 12
    rear_hub = 13
    chest = 14
    spider = 15
    chain_ring = 16


class ScOpCode(enum.IntEnum):
    """SC Control Point (0x2A55) op codes."""

    set_cumulative_value = 0x01
    start_sensor_calibration = 0x02
    update_sensor_location = 0x03
    request_supported_sensor_locations = 0x04
    response_code = 0x10


class ScResponse(enum.IntEnum):
    """SC Control Point response values."""

    success = 0x01
    op_code_not_supported = 0x02
    invalid_parameter = 0x03
    operation_failed = 0x04


def _present(name: str) -> Any:
    return lambda ctx: ctx._.get(name) is not None


_MeasurementFlags = FlagsEnum(Int8ul, stride_length_present=0x01, total_distance_present=0x02, running=0x04)

#: RSC Measurement (0x2A53), notified. Building sets the presence flags from the optional fields
#: given (None = not present; every key must be given).
RscMeasurement = Struct(
    "flags" / Rebuild(
        _MeasurementFlags,
        lambda ctx: {
            "stride_length_present": ctx.get("stride_length_cm") is not None,
            "total_distance_present": ctx.get("total_distance_dm") is not None,
            "running": bool(ctx.running),
        },
    ),
    "speed_256ths_mps" / Int16ul,
    "cadence_per_min" / Int8ul,
    "stride_length_cm" / If(this.flags.stride_length_present, Int16ul),
    "total_distance_dm" / If(this.flags.total_distance_present, Int32ul),
    Terminated,
)

#: RSC Feature (0x2A54), read: which optional fields and procedures the sensor supports.
RscFeature = FlagsEnum(
    Int16ul,
    stride_length=0x0001,
    total_distance=0x0002,
    walking_or_running_status=0x0004,
    calibration_procedure=0x0008,
    multiple_sensor_locations=0x0010,
)

#: Sensor Location (0x2A5D), read.
SensorLocationValue = Enum(Int8ul, SensorLocation)

#: SC Control Point (0x2A55) request, written by the client. Set Cumulative Value carries the new
#: Total Distance (uint32, 1/10 m), Update Sensor Location a Sensor Location; the others nothing.
ScRequest = Struct(
    "op_code" / Enum(Int8ul, ScOpCode),
    "cumulative_dm" / If(this.op_code == ScOpCode.set_cumulative_value.name, Int32ul),
    "location" / If(this.op_code == ScOpCode.update_sensor_location.name, SensorLocationValue),
    Terminated,
)

#: SC Control Point response, indicated by the server: 0x10, the request's op code, the response
#: value, and for a successful Request Supported Sensor Locations the list of locations.
ScIndication = Struct(
    "op_code" / Const(ScOpCode.response_code, Int8ul),
    "request_op_code" / Enum(Int8ul, ScOpCode),
    "response_value" / Enum(Int8ul, ScResponse),
    "locations" / If(
        lambda ctx: ctx.request_op_code == ScOpCode.request_supported_sensor_locations.name
        and ctx.response_value == ScResponse.success.name,
        GreedyRange(SensorLocationValue),
    ),
    Terminated,
)


@dataclass(frozen=True)
class RscValues:
    """An RSC Measurement in SI units; None for a field that was not present."""

    speed_mps: float
    #: Contacts of the sensor's foot per minute (the specification's reading; see the module docstring).
    cadence_per_min: int
    stride_m: float | None
    total_m: float | None
    running: bool


def parse_measurement(value: bytes) -> RscValues:
    """An RSC Measurement value in SI units; construct.ConstructError if it is malformed."""
    p = RscMeasurement.parse(value)
    return RscValues(
        speed_mps=p.speed_256ths_mps * SPEED_MPS_PER_COUNT,
        cadence_per_min=int(p.cadence_per_min),
        stride_m=None if p.stride_length_cm is None else p.stride_length_cm * STRIDE_M_PER_COUNT,
        total_m=None if p.total_distance_dm is None else p.total_distance_dm * DISTANCE_M_PER_COUNT,
        running=bool(p.flags.running),
    )


def _count(value: float, per_count: float, top: int) -> int:
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"{value!r} cannot be sent: a finite value >= 0 is needed")
    return min(top, int(math.floor(value / per_count + 0.5)))


def build_measurement(v: RscValues) -> bytes:
    """The RSC Measurement bytes of v, each field rounded to its resolution (clamped at its maximum)."""
    return bytes(RscMeasurement.build({
        "running": v.running,
        "speed_256ths_mps": _count(v.speed_mps, SPEED_MPS_PER_COUNT, 0xFFFF),
        "cadence_per_min": min(0xFF, max(0, int(v.cadence_per_min))),
        "stride_length_cm": None if v.stride_m is None else _count(v.stride_m, STRIDE_M_PER_COUNT, 0xFFFF),
        "total_distance_dm": None if v.total_m is None else _count(v.total_m, DISTANCE_M_PER_COUNT, 0xFFFFFFFF),
    }))
