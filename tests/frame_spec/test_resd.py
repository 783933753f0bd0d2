"""RESD, Renode's sensor data format: the construct definition against bytes built by hand from the
format description, and files it writes read back by a parser written here with struct only."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from frame_spec import resd

# ---- an independent reader: struct and the format description, nothing from frame_spec ----------


def independent_parse(data: bytes) -> list[dict]:
    """Every block of a RESD file: header fields, and for constant-frequency blocks the timing,
    metadata and samples (3 x i32 for sample types 2 and 3)."""
    assert data[:4] == b"RESD", data[:4]
    assert data[4] == 1 and data[5:8] == b"\0\0\0"
    pos, blocks = 8, []
    while pos < len(data):
        btype, stype, channel, size = struct.unpack_from("<BHHQ", data, pos)
        body = data[pos + 13:pos + 13 + size]
        assert len(body) == size, "block runs past the end of the file"
        pos += 13 + size
        block = {"type": btype, "sample_type": stype, "channel": channel, "size": size}
        if btype == 2:
            start, period, meta_len = struct.unpack_from("<QQQ", body, 0)
            meta_raw, rest = body[24:24 + meta_len], body[24 + meta_len:]
            meta, m = {}, 0
            while m < len(meta_raw):
                end = meta_raw.index(b"\0", m)
                key, vtype = meta_raw[m:end].decode(), meta_raw[end + 1]
                m = end + 2
                if vtype == 0x0B:
                    vend = meta_raw.index(b"\0", m)
                    meta[key], m = meta_raw[m:vend].decode(), vend + 1
                else:
                    fmt = {0x05: "<i", 0x06: "<I", 0x08: "<Q", 0x0A: "<d"}[vtype]
                    (meta[key],) = struct.unpack_from(fmt, meta_raw, m)
                    m += struct.calcsize(fmt)
            n = len(rest) // 12
            assert len(rest) == 12 * n
            block.update(start=start, period=period, meta=meta,
                         samples=[struct.unpack_from("<iii", rest, 12 * i) for i in range(n)])
        blocks.append(block)
    return blocks


# ---- bytes built by hand from the format description ----------------------------------------


def hand_block(sample_type: int, channel: int, start_ns: int, period_ns: int, meta: bytes, samples: list) -> bytes:
    body = struct.pack("<QQ", start_ns, period_ns) + struct.pack("<Q", len(meta)) + meta
    body += b"".join(struct.pack("<iii", *s) for s in samples)
    return struct.pack("<BHHQ", 2, sample_type, channel, len(body)) + body


HAND_META = b"source\x00\x0bstridelab\x00" + b"odr_mhz\x00\x06" + struct.pack("<I", 416000)
HAND = (b"RESD\x01\x00\x00\x00"
        + hand_block(0x0002, 0, 0, 2_403_846, HAND_META, [(0, 0, 1_000_000), (-250_000, 12, 998_000)])
        + hand_block(0x0003, 0, 0, 2_403_846, HAND_META, [(0, 1_745_329, -3), (7, 0, 0)]))


def test_codes_are_renodes() -> None:
    assert resd.BlockType.CONSTANT_FREQUENCY == 2 and resd.BlockType.ARBITRARY_TIMESTAMP == 1
    assert resd.SampleType.ACCELERATION == 0x0002 and resd.SampleType.ANGULAR_RATE == 0x0003
    assert resd.SampleType.TEMPERATURE == 0x0001
    assert resd.MetaType.STRING == 0x0B and resd.MetaType.UINT32 == 0x06
    assert resd.BLOCK_HEADER_BYTES == 13  # u8 + u16 + u16 + u64: the size is 8 bytes, as Renode reads it


def test_build_matches_hand_made_bytes() -> None:
    meta = {"source": (resd.MetaType.STRING, "stridelab"), "odr_mhz": (resd.MetaType.UINT32, 416000)}
    blocks = [
        resd.ResdBlock(resd.SampleType.ACCELERATION, 0, 0, 2_403_846,
                       np.array([[0, 0, 1_000_000], [-250_000, 12, 998_000]]), meta),
        resd.ResdBlock(resd.SampleType.ANGULAR_RATE, 0, 0, 2_403_846, np.array([[0, 1_745_329, -3], [7, 0, 0]]), meta),
    ]
    assert resd.build(blocks) == HAND


def test_parse_reads_hand_made_bytes() -> None:
    acc, gyr = resd.parse(HAND)
    assert acc.sample_type is resd.SampleType.ACCELERATION and gyr.sample_type is resd.SampleType.ANGULAR_RATE
    assert acc.period_ns == 2_403_846 and acc.start_time_ns == 0 and acc.channel == 0
    assert acc.samples.tolist() == [[0, 0, 1_000_000], [-250_000, 12, 998_000]]
    assert gyr.samples.tolist() == [[0, 1_745_329, -3], [7, 0, 0]]
    assert acc.metadata == {"source": (resd.MetaType.STRING, "stridelab"), "odr_mhz": (resd.MetaType.UINT32, 416000)}
    assert acc.timestamps_ns().tolist() == [0, 2_403_846]


def test_parse_skips_blocks_renode_skips() -> None:
    arbitrary = struct.pack("<BHHQ", 1, 2, 0, 4) + b"\x01\x02\x03\x04"
    blocks = resd.parse(HAND[:8] + arbitrary + HAND[8:])
    assert [b.sample_type for b in blocks] == [resd.SampleType.ACCELERATION, resd.SampleType.ANGULAR_RATE]


@pytest.mark.parametrize("bad, what", [
    (b"RESE\x01\x00\x00\x00", "not a RESD"),
    (b"RESD\x02\x00\x00\x00", "not a RESD"),
    (HAND[:-5], "says"),
    (HAND + b"\x02\x02", "inside a block header"),
])
def test_bad_files_are_refused_with_the_reason(bad: bytes, what: str) -> None:
    with pytest.raises(resd.ResdError, match=what):
        resd.parse(bad)


def test_units_micro_g_and_1e5_rad_s() -> None:
    # +1 g on z at +-16 g (0.488 mg/LSB), 100 dps on y at +-2000 dps (70 mdps/LSB)
    counts = np.array([[0, 0, 2049, 0, 1429, 0]])
    acc, gyr = resd.imu_blocks(counts, 0.488e-3, 70e-3, 2_403_846)
    assert acc.samples.tolist() == [[0, 0, round(2049 * 0.488e-3 * 1e6)]]
    assert gyr.samples[0, 1] == round(1429 * 0.070 * math.pi / 180 * 1e5)


def test_rig_synth_writes_resd_the_independent_parser_reads(tmp_path: Path) -> None:
    out = tmp_path / "walk.resd"
    proc = subprocess.run([sys.executable, "-m", "rig", "synth", "walk", "--resd", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    blocks = independent_parse(out.read_bytes())
    acc = [b for b in blocks if b["sample_type"] == 2]
    gyr = [b for b in blocks if b["sample_type"] == 3]
    assert acc and gyr and all(b["type"] == 2 and b["channel"] == 0 for b in blocks)
    n = sum(len(b["samples"]) for b in acc)
    assert n == sum(len(b["samples"]) for b in gyr) > 1000
    assert acc[0]["meta"]["source"] == "stridelab"
    assert 2_380_000 < acc[0]["period"] < 2_430_000  # about 416 Hz
    # standing before the walk: about +1 g on z, in micro-g
    x, y, z = acc[0]["samples"][0]
    assert 900_000 < z < 1_100_000 and abs(x) < 200_000 and abs(y) < 200_000
    # the module's own reader agrees with the independent one
    mine = resd.read(out)
    assert [b.samples.tolist() for b in mine] == [[list(s) for s in b["samples"]] for b in blocks]


def test_rig_synth_without_an_output_is_bad_input() -> None:
    proc = subprocess.run([sys.executable, "-m", "rig", "synth", "walk"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--resd" in proc.stderr and "Traceback" not in proc.stderr


def test_gaps_are_new_blocks_or_held() -> None:
    from rig.inject import RawStream
    from rig.resd_out import raw_to_blocks

    counts = np.arange(4 * 6, dtype=np.int16).reshape(4, 6)
    raw = RawStream(counts, np.array([10, 11, 14, 15], dtype=np.uint32), np.zeros(4), 416000, 16, 2000)
    split = raw_to_blocks(raw)
    assert [(b.sample_type, b.start_time_ns, len(b.samples)) for b in split] == [
        (resd.SampleType.ACCELERATION, 0, 2), (resd.SampleType.ANGULAR_RATE, 0, 2),
        (resd.SampleType.ACCELERATION, 4 * 2_403_846, 2), (resd.SampleType.ANGULAR_RATE, 4 * 2_403_846, 2)]
    held = raw_to_blocks(raw, hold_gaps=True)
    assert len(held) == 2 and len(held[0].samples) == 6
    assert held[0].samples[2].tolist() == held[0].samples[1].tolist() == held[0].samples[3].tolist()
