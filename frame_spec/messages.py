"""Every message of the Stridelab link, defined once with construct.

A message on the wire is

    COBS( version:u8 | type:u8 | seq:u16 | payload | crc16:u16 ) 0x00

all little-endian. The CRC is CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF,
check value 0x29B1 for b"123456789") over version..payload. COBS removes every
0x00 from the frame so the 0x00 delimiter resynchronizes the receiver after a
corrupt or dropped byte; seq counts frames per direction so a lost frame shows
as a gap. The C codec in firmware_c/gen/ is generated from these Structs by
frame_spec.cgen.
"""

from __future__ import annotations

import enum

from construct import (
    Adapter,
    Array,
    Enum,
    Float32l,
    GreedyBytes,
    GreedyString,
    Int8sl,
    Int8ul,
    Int16sl,
    Int16ul,
    Int32ul,
    PaddedString,
    Rebuild,
    Struct,
    len_,
    this,
)

#: 2: CONFIG carries a session nonce that every ACK echoes (answers from an earlier session are told apart).
PROTOCOL_VERSION = 2

#: Largest number of samples in one SAMPLE_BATCH (keeps a frame under 512 bytes).
MAX_BATCH_SAMPLES = 32
#: Longest LOG text, bytes.
MAX_LOG_TEXT = 96
#: Characters of the board name in HELLO.
BOARD_NAME_LEN = 16
#: Longest characteristic value carried in GATT_WRITE, GATT_VALUE and RSC_MEASUREMENT (an ATT
#: notification's value at the default MTU of 23; the RSCS values are 11 bytes at most).
MAX_GATT_VALUE = 20


class MsgType(enum.IntEnum):
    """Message type byte. 0x0_ host->firmware, 0x1_ firmware->host, 0x2_ both."""

    CONFIG = 0x01
    SAMPLE_BATCH = 0x02
    CMD = 0x03
    GATT_READ = 0x04
    GATT_WRITE = 0x05
    HELLO = 0x10
    ACK = 0x11
    STRIDE = 0x12
    SUMMARY = 0x13
    STATUS = 0x14
    FAULT = 0x15
    LOG = 0x16
    RSC_MEASUREMENT = 0x17
    GATT_VALUE = 0x18
    RAW_BATCH = 0x19


class Mode(enum.IntEnum):
    """Where the analyzer takes its samples from."""

    LIVE = 0  # the board's own sensor
    REPLAY = 1  # SAMPLE_BATCH frames from the host
    RAW = 2  # the board's own sensor, streamed to the host in RAW_BATCH frames, not analyzed (rig record)


class Op(enum.IntEnum):
    """CMD operations."""

    HELLO = 0  # send HELLO again
    END = 1  # end of stream: flush the last stride, send SUMMARY
    RESET = 2  # restart the analyzer
    STATUS = 3  # send STATUS
    FAULT_TEST = 4  # crash on purpose (fault-handler test builds only)


class Strike(enum.IntEnum):
    """Foot strike class (matches gait_strike_t)."""

    unknown = 0
    heel = 1
    mid = 2
    fore = 3


class Activity(enum.IntEnum):
    """Activity class (matches gait_activity_t)."""

    still = 0
    walk = 1
    run = 2
    stairs = 3


class FaultReason(enum.IntEnum):
    """Why the firmware sent FAULT."""

    HARDFAULT = 1
    ASSERT = 2
    WATCHDOG = 3
    TEST = 4


#: Bits of STRIDE.flags (match GAIT_FLAG_*).
FLAG_IMPACT_CLIPPED = 0x01
FLAG_GYRO_SATURATED = 0x02
FLAG_SAMPLES_DROPPED = 0x04

Config = Struct(
    # The sensor's real output data rate in millihertz (416 Hz nominal = 416000):
    # a sensor clock runs a few percent off nominal, and durations scale with it.
    "odr_mhz" / Int32ul,
    "accel_fs_g" / Int8ul,
    "gyro_fs_dps" / Int16ul,
    "mode" / Enum(Int8ul, Mode),
    # Chosen by the host for each run (never 0, the firmware's session before any CONFIG);
    # every ACK carries the session it belongs to, so an ACK left over from an earlier run
    # can never answer for this one.
    "session" / Int32ul,
)

Sample = Struct(
    "ax" / Int16sl,
    "ay" / Int16sl,
    "az" / Int16sl,
    "gx" / Int16sl,
    "gy" / Int16sl,
    "gz" / Int16sl,
)

SampleBatch = Struct(
    "first_index" / Int32ul,  # sensor sample index of samples[0]; the rest follow by 1
    "count" / Rebuild(Int8ul, len_(this.samples)),
    "samples" / Array(this.count, Sample),
)

# Raw samples of the board's own sensor in RAW mode, as it read them (rotated into the shoe frame):
# consecutive indices from first_index; a jump in first_index between two batches is samples the
# sensor lost (a FIFO overrun). END ends the stream after a last, possibly short, batch.
RawBatch = Struct(
    "first_index" / Int32ul,
    "count" / Rebuild(Int8ul, len_(this.samples)),
    "samples" / Array(this.count, Sample),
)

Cmd = Struct("op" / Enum(Int8ul, Op))

Hello = Struct(
    "protocol" / Int8ul,
    "fw_major" / Int8ul,
    "fw_minor" / Int8ul,
    "fw_patch" / Int8ul,
    "max_batch" / Int8ul,
    "rx_buffer_bytes" / Int16ul,
    "board" / PaddedString(BOARD_NAME_LEN, "ascii"),
)

Ack = Struct(
    "acked_seq" / Int16ul,  # seq of the host frame this acknowledges
    "status" / Int8sl,  # 0 or a negative errno value
    # The session this answer belongs to: for a CONFIG, the session it carried (accepted or
    # refused); for any other frame, the session of the last CONFIG the firmware accepted.
    "session" / Int32ul,
)

# Times are microseconds since the first sample of the stream (index 0),
# wrapping every 2**32 us (71.6 min); the host unwraps them in order.
# Floats are NaN where the analyzer could not measure the field.
Stride = Struct(
    "stride_no" / Int32ul,
    "ic_us" / Int32ul,
    "tc_us" / Int32ul,
    "gct_ms" / Float32l,
    "flight_ms" / Float32l,
    "swing_ms" / Float32l,
    "stride_ms" / Float32l,
    "cadence_spm" / Float32l,
    "duty_factor" / Float32l,
    "fsa_deg" / Float32l,
    "pronation_deg" / Float32l,
    "peak_roll_rate_dps" / Float32l,
    "peak_impact_g" / Float32l,
    "stride_m" / Float32l,
    "speed_mps" / Float32l,
    "strike" / Enum(Int8ul, Strike),
    "activity" / Enum(Int8ul, Activity),
    "flags" / Int8ul,
)

Summary = Struct(
    "strides" / Int32ul,
    "distance_m" / Float32l,
    "duration_s" / Float32l,
    "avg_pace_s_per_km" / Float32l,
    "avg_cadence_spm" / Float32l,
    "still_s" / Float32l,
    "walk_s" / Float32l,
    "run_s" / Float32l,
    "stairs_s" / Float32l,
    "dropped_samples" / Int32ul,
)

Status = Struct(
    "uptime_ms" / Int32ul,
    "samples" / Int32ul,
    "strides" / Int32ul,
    "rx_frames" / Int32ul,
    "rx_bad_frames" / Int16ul,  # CRC, COBS or length errors
    "rx_seq_gaps" / Int16ul,
    "rx_overflows" / Int16ul,  # bytes lost to a full receive buffer
    "mode" / Enum(Int8ul, Mode),
)

Fault = Struct(
    "reason" / Enum(Int8ul, FaultReason),
    "pc" / Int32ul,
    "lr" / Int32ul,
    "cfsr" / Int32ul,
    "hfsr" / Int32ul,
    "bfar" / Int32ul,
)

Log = Struct(
    "level" / Int8ul,  # 0 error .. 3 debug
    "text" / GreedyString("utf8"),
)



class HexBytes(Adapter):  # type: ignore[misc]  # construct ships no types
    """Raw bytes that read as a hex string in Python (so payloads stay plain JSON), bytes on the wire."""

    def _decode(self, obj: bytes, context: object, path: str) -> str:
        return bytes(obj).hex()

    def _encode(self, obj: str | bytes, context: object, path: str) -> bytes:
        return bytes(obj) if isinstance(obj, (bytes, bytearray)) else bytes.fromhex(obj)


# The chip's Bluetooth GATT server, carried over the link until the chip has a radio: the host
# reads and writes characteristics by 16-bit UUID, the firmware answers with their values in the
# Bluetooth specification's own bytes (frame_spec.rscs), and publishes every RSC Measurement
# (0x2A53) it would notify. Each is acknowledged like any host frame: ACK status 0, -ENOENT for a
# characteristic it does not have, -EACCES for one that cannot be read or written that way,
# -EINVAL for an empty write.
GattRead = Struct("uuid" / Int16ul)

GattWrite = Struct(
    "uuid" / Int16ul,
    "value" / HexBytes(GreedyBytes),
)

# A characteristic's value: the answer to GATT_READ, or an indication (the SC Control Point's
# response to a GATT_WRITE of it).
GattValue = Struct(
    "uuid" / Int16ul,
    "value" / HexBytes(GreedyBytes),
)

# An RSC Measurement as notified: sent once a second of sensor time and after every stride.
RscMeasurementMsg = Struct(
    "t_us" / Int32ul,  # sensor time of the measurement, like STRIDE's ic_us
    "value" / HexBytes(GreedyBytes),  # the characteristic value, frame_spec.rscs.RscMeasurement
)

#: Message type -> payload Struct. The one table both Python and C use.
PAYLOADS: dict[MsgType, Struct] = {
    MsgType.CONFIG: Config,
    MsgType.SAMPLE_BATCH: SampleBatch,
    MsgType.CMD: Cmd,
    MsgType.HELLO: Hello,
    MsgType.ACK: Ack,
    MsgType.STRIDE: Stride,
    MsgType.SUMMARY: Summary,
    MsgType.STATUS: Status,
    MsgType.FAULT: Fault,
    MsgType.LOG: Log,
    MsgType.GATT_READ: GattRead,
    MsgType.GATT_WRITE: GattWrite,
    MsgType.RSC_MEASUREMENT: RscMeasurementMsg,
    MsgType.GATT_VALUE: GattValue,
    MsgType.RAW_BATCH: RawBatch,
}

#: Upper bounds on variable-length fields, for fixed-size C buffers.
ARRAY_MAX = {("SAMPLE_BATCH", "samples"): MAX_BATCH_SAMPLES, ("RAW_BATCH", "samples"): MAX_BATCH_SAMPLES,
             ("LOG", "text"): MAX_LOG_TEXT,
             ("GATT_WRITE", "value"): MAX_GATT_VALUE, ("GATT_VALUE", "value"): MAX_GATT_VALUE,
             ("RSC_MEASUREMENT", "value"): MAX_GATT_VALUE}
