"""RESD, Renode's sensor data file: the byte layout, defined once with construct.

Renode feeds a sensor model from a RESD file (``FeedAccelerationSamplesFromRESD``,
``FeedAngularRateSamplesFromRESD`` on ``Sensors.LSM6DSO_IMU``). Everything is
little-endian:

    header      "RESD"  u8 version (1)  3 zero bytes
    block       u8 block type  u16 sample type  u16 channel  u64 data size
                (data size: the bytes of the block after this 13-byte header)
    data of a constant-frequency block (type 2, the type Renode 1.15 reads):
                u64 start time, ns  u64 period, ns
                metadata: u64 length, then entries of
                          NUL-terminated key, u8 value type, value
                samples, back to back until the block ends

Samples: acceleration 3 x i32 in micro-g; angular rate 3 x i32 in 1e-5 rad/s;
temperature i32 in milli-degrees Celsius. A file may hold any number of blocks;
Renode picks the ones of the sample type and channel it is asked for.

:func:`write_imu` turns raw sensor counts into a file with one acceleration and
one angular-rate block; :func:`read` parses any file this module can describe.
"""

from __future__ import annotations

import enum
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import construct as cs
import numpy as np

MAGIC = b"RESD"
VERSION = 1

#: Bytes of a block header: type, sample type, channel, data size.
BLOCK_HEADER_BYTES = 1 + 2 + 2 + 8


class BlockType(enum.IntEnum):
    """RESD block types."""

    ARBITRARY_TIMESTAMP = 1
    CONSTANT_FREQUENCY = 2


class SampleType(enum.IntEnum):
    """RESD sample types (Renode's ``SampleType``)."""

    TEMPERATURE = 0x0001
    ACCELERATION = 0x0002
    ANGULAR_RATE = 0x0003
    VOLTAGE = 0x0004
    ECG = 0x0005
    HUMIDITY = 0x0006
    PRESSURE = 0x0007
    MAGNETIC_FLUX_DENSITY = 0x0008


class MetaType(enum.IntEnum):
    """RESD metadata value types."""

    INT8 = 0x01
    UINT8 = 0x02
    INT16 = 0x03
    UINT16 = 0x04
    INT32 = 0x05
    UINT32 = 0x06
    INT64 = 0x07
    UINT64 = 0x08
    FLOAT = 0x09
    DOUBLE = 0x0A
    STRING = 0x0B
    BLOB = 0x0C


#: Micro-g per g: the unit of an acceleration sample.
UG_PER_G = 1_000_000
#: Units of an angular-rate sample per rad/s.
ANGULAR_UNITS_PER_RAD_S = 100_000

Header = cs.Struct(
    "magic" / cs.Const(MAGIC),
    "version" / cs.Const(VERSION, cs.Int8ul),
    "padding" / cs.Const(b"\x00\x00\x00"),
)

_META_VALUE = {
    MetaType.INT8: cs.Int8sl, MetaType.UINT8: cs.Int8ul, MetaType.INT16: cs.Int16sl, MetaType.UINT16: cs.Int16ul,
    MetaType.INT32: cs.Int32sl, MetaType.UINT32: cs.Int32ul, MetaType.INT64: cs.Int64sl, MetaType.UINT64: cs.Int64ul,
    MetaType.FLOAT: cs.Float32l, MetaType.DOUBLE: cs.Float64l, MetaType.STRING: cs.CString("utf8"),
    MetaType.BLOB: cs.Prefixed(cs.Int32ul, cs.GreedyBytes),
}

MetadataEntry = cs.Struct(
    "key" / cs.CString("utf8"),
    "type" / cs.Int8ul,
    "value" / cs.Switch(lambda ctx: ctx.type, {int(k): v for k, v in _META_VALUE.items()}),
)

#: Metadata: a u64 byte length, then entries filling exactly that many bytes.
Metadata = cs.Prefixed(cs.Int64ul, cs.GreedyRange(MetadataEntry))

Vector3 = cs.Array(3, cs.Int32sl)

#: One sample of each type, as it sits in a block.
SAMPLE: dict[SampleType, cs.Construct] = {
    SampleType.ACCELERATION: Vector3,          # micro-g
    SampleType.ANGULAR_RATE: Vector3,          # 1e-5 rad/s
    SampleType.MAGNETIC_FLUX_DENSITY: Vector3,  # nT
    SampleType.TEMPERATURE: cs.Int32sl,        # milli-degrees Celsius
    SampleType.VOLTAGE: cs.Int32ul,            # microvolts
    SampleType.ECG: cs.Int32sl,                # nanovolts
    SampleType.HUMIDITY: cs.Int32ul,           # milli-percent RH
    SampleType.PRESSURE: cs.Int64ul,           # milli-pascal
}

#: The numpy layout of each sample type (the same bytes as SAMPLE, read in bulk).
_DTYPE: dict[SampleType, tuple[str, int]] = {
    t: (("<i4" if c is Vector3 or c is cs.Int32sl else "<u4" if c is cs.Int32ul else "<u8"), 3 if c is Vector3 else 1)
    for t, c in SAMPLE.items()
}

#: The data of a constant-frequency block; samples are the rest of the block
#: (whole SAMPLE items, converted in bulk by parse() and build()).
ConstantFrequencyData = cs.Struct(
    "start_time_ns" / cs.Int64ul,
    "period_ns" / cs.Int64ul,
    "metadata" / Metadata,
    "samples" / cs.GreedyBytes,
)

BlockHeader = cs.Struct(
    "block_type" / cs.Int8ul,
    "sample_type" / cs.Int16ul,
    "channel" / cs.Int16ul,
    "data_size" / cs.Int64ul,  # bytes of the block after this header
)

@dataclass
class ResdBlock:
    """One constant-frequency block: samples of one type on one channel at a fixed period.

    samples: (N, 3) int for vector types, (N,) for scalar types, in the RESD unit
    of the type (micro-g, 1e-5 rad/s, ...). metadata: key -> (MetaType, value).
    """

    sample_type: SampleType
    channel: int
    start_time_ns: int
    period_ns: int
    samples: np.ndarray
    metadata: dict[str, tuple[MetaType, Any]] = field(default_factory=dict)

    def timestamps_ns(self) -> np.ndarray:
        """The time of each sample, ns."""
        return self.start_time_ns + self.period_ns * np.arange(len(self.samples), dtype=np.int64)


class ResdError(ValueError):
    """A file that is not RESD, or a block this module cannot describe."""


def build(blocks: list[ResdBlock]) -> bytes:
    """The bytes of a RESD file holding blocks, in order."""
    out = [Header.build({})]
    for b in blocks:
        if b.period_ns <= 0:
            raise ResdError(f"RESD block {b.sample_type.name} channel {b.channel}: period {b.period_ns} ns must be > 0")
        if not 0 <= b.channel <= 0xFFFF:
            raise ResdError(f"RESD channel {b.channel} is not a u16")
        dtype, width = _DTYPE[b.sample_type]
        samples = np.asarray(b.samples)
        if samples.shape != ((len(samples), width) if width > 1 else (len(samples),)):
            raise ResdError(f"RESD {b.sample_type.name} samples must have shape (N{', 3' if width > 1 else ''}), "
                            f"got {samples.shape}")
        info = np.iinfo(np.dtype(dtype))
        if samples.size and (samples.min() < info.min or samples.max() > info.max):
            raise ResdError(f"RESD {b.sample_type.name} samples exceed the {np.dtype(dtype).name} range")
        data = ConstantFrequencyData.build({
            "start_time_ns": b.start_time_ns,
            "period_ns": b.period_ns,
            "metadata": [{"key": k, "type": int(t), "value": v} for k, (t, v) in b.metadata.items()],
            "samples": samples.astype(dtype).tobytes(),
        })
        out.append(BlockHeader.build({"block_type": int(BlockType.CONSTANT_FREQUENCY), "sample_type": int(b.sample_type),
                                      "channel": b.channel, "data_size": len(data)}))
        out.append(data)
    return b"".join(out)


def parse(data: bytes) -> list[ResdBlock]:
    """The constant-frequency blocks of a RESD file (blocks of other types or sample types are skipped, as
    Renode skips them).

    Raises ResdError naming what is wrong and where when data is not a whole RESD file.
    """
    try:
        Header.parse(data)
    except cs.ConstructError:
        raise ResdError(f"not a RESD version {VERSION} file: it starts {data[:8]!r}, "
                        f"not {MAGIC!r} + version {VERSION} + 3 zero bytes") from None
    pos = Header.sizeof()
    out = []
    while pos < len(data):
        if len(data) - pos < BLOCK_HEADER_BYTES:
            raise ResdError(f"RESD file ends inside a block header at byte {pos}")
        head = BlockHeader.parse(data[pos:pos + BLOCK_HEADER_BYTES])
        body_at = pos + BLOCK_HEADER_BYTES
        if head.data_size > len(data) - body_at:
            raise ResdError(f"RESD block at byte {pos} says {head.data_size} data bytes, the file has "
                            f"{len(data) - body_at} left")
        body = data[body_at:body_at + head.data_size]
        pos = body_at + head.data_size
        known = head.sample_type in SampleType.__members__.values()
        if head.block_type != BlockType.CONSTANT_FREQUENCY or not known:
            continue
        stype = SampleType(head.sample_type)
        try:
            d = ConstantFrequencyData.parse(body)
        except cs.ConstructError as exc:
            raise ResdError(f"RESD block at byte {body_at - BLOCK_HEADER_BYTES}: malformed data ({exc})") from None
        dtype, width = _DTYPE[stype]
        item = np.dtype(dtype).itemsize * width
        if len(d.samples) % item:
            raise ResdError(f"RESD {stype.name} block at byte {body_at - BLOCK_HEADER_BYTES}: {len(d.samples)} sample "
                            f"bytes are not whole {item}-byte samples")
        samples = np.frombuffer(d.samples, dtype=dtype).astype(np.int64)
        out.append(ResdBlock(
            sample_type=stype,
            channel=head.channel,
            start_time_ns=d.start_time_ns,
            period_ns=d.period_ns,
            samples=samples.reshape(-1, width) if width > 1 else samples,
            metadata={m.key: (MetaType(int(m.type)), m.value) for m in d.metadata},
        ))
    return out


def read(path: Path) -> list[ResdBlock]:
    """The constant-frequency blocks of the RESD file at path (see parse)."""
    return parse(Path(path).read_bytes())


def accel_counts_to_ug(counts: np.ndarray, g_per_lsb: float) -> np.ndarray:
    """Accelerometer counts to RESD micro-g, rounded to the nearest integer."""
    return np.rint(np.asarray(counts, float) * g_per_lsb * UG_PER_G).astype(np.int64)


def gyro_counts_to_units(counts: np.ndarray, dps_per_lsb: float) -> np.ndarray:
    """Gyroscope counts to RESD angular-rate units (1e-5 rad/s), rounded to the nearest integer."""
    return np.rint(np.asarray(counts, float) * dps_per_lsb * (math.pi / 180.0) * ANGULAR_UNITS_PER_RAD_S).astype(np.int64)


def imu_blocks(counts: np.ndarray, g_per_lsb: float, dps_per_lsb: float, period_ns: int, start_time_ns: int = 0,
               channel: int = 0, metadata: dict[str, tuple[MetaType, Any]] | None = None) -> list[ResdBlock]:
    """An acceleration and an angular-rate block from (N, 6) counts ax, ay, az, gx, gy, gz.

    g_per_lsb and dps_per_lsb are the sensitivities the counts were made with;
    sample k is at start_time_ns + k * period_ns.
    """
    counts = np.asarray(counts)
    if counts.ndim != 2 or counts.shape[1] != 6:
        raise ResdError(f"expected (N, 6) counts ax..gz, got shape {counts.shape}")
    meta = dict(metadata or {})
    return [
        ResdBlock(SampleType.ACCELERATION, channel, start_time_ns, period_ns,
                  accel_counts_to_ug(counts[:, :3], g_per_lsb), meta),
        ResdBlock(SampleType.ANGULAR_RATE, channel, start_time_ns, period_ns,
                  gyro_counts_to_units(counts[:, 3:], dps_per_lsb), meta),
    ]


def write(path: Path, blocks: list[ResdBlock]) -> Path:
    """Write blocks as a RESD file at path (atomically: a reader never sees half a file); return path.

    Only a regular file (or nothing) is replaced: a device, FIFO or directory named as the output is
    written through (or refused by the OS), never swapped for a file, which would destroy /dev/null or
    /dev/full for everyone when run as root."""
    path = Path(path)
    if path.exists() and not path.is_file():
        with open(path, "wb") as out:
            out.write(build(blocks))
        return path
    # a hidden part file of this process, removed whatever happens: NAME.tmp was left behind by a full
    # disk (and was any file of that name the user had, or another writer's part)
    tmp = path.with_name(f".{path.name}.part-{os.getpid()}")
    try:
        tmp.write_bytes(build(blocks))
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
