"""The link protocol: construct definitions against independent bytes and the shared golden vectors."""

from __future__ import annotations

import json
import math
import struct

import pytest
from cobs import cobs

from frame_spec import FrameError, MsgType, StreamDecoder, crc16, decode, encode
from frame_spec.golden import VECTORS_JSON


def test_crc16_standard_check_value() -> None:
    assert crc16(b"123456789") == 0x29B1  # CRC-16/CCITT-FALSE catalogue check value


def test_stride_matches_hand_packed_bytes() -> None:
    """Bytes packed with struct, field by field, independently of the construct Struct."""
    fields = dict(stride_no=3, ic_us=1_000_000, tc_us=1_250_000, gct_ms=250.0, flight_ms=90.0, swing_ms=450.0,
                  stride_ms=700.0, cadence_spm=171.4, duty_factor=0.357, fsa_deg=15.0, pronation_deg=8.0,
                  peak_roll_rate_dps=300.0, peak_impact_g=12.0, stride_m=2.1, speed_mps=3.0)
    payload = struct.pack("<III12fBBB", *fields.values(), 1, 2, 0x03)  # heel, run, clipped + saturated
    body = struct.pack("<BBHH", 2, 0x12, 77, len(payload)) + payload
    wire = cobs.encode(body + struct.pack("<H", crc16(body))) + b"\x00"
    built = encode(MsgType.STRIDE, {**fields, "strike": "heel", "activity": "run", "flags": 3}, 77)
    assert built == wire
    msg = decode(wire[:-1])
    assert msg.type is MsgType.STRIDE and msg.seq == 77
    assert msg.payload["strike"] == "heel" and msg.payload["activity"] == "run"
    assert math.isclose(msg.payload["stride_m"], 2.1, rel_tol=1e-6)


def test_hello_matches_hand_packed_bytes() -> None:
    payload = struct.pack("<BBBBBH16s", 2, 0, 1, 0, 32, 2048, b"host")
    body = struct.pack("<BBHH", 2, 0x10, 0, len(payload)) + payload
    expected = cobs.encode(body + struct.pack("<H", crc16(body))) + b"\x00"
    got = encode(MsgType.HELLO, {"protocol": 2, "fw_major": 0, "fw_minor": 1, "fw_patch": 0, "max_batch": 32,
                                 "rx_buffer_bytes": 2048, "board": "host"}, 0)
    assert got == expected


@pytest.mark.parametrize("vector", json.loads(VECTORS_JSON.read_text()), ids=lambda v: f"{v['type']}-{v['seq']}")
def test_golden_vectors(vector: dict) -> None:
    wire = bytes.fromhex(vector["wire"])
    assert encode(MsgType[vector["type"]], vector["payload"], vector["seq"]) == wire
    msg = decode(wire[:-1])
    assert msg.type.name == vector["type"] and msg.seq == vector["seq"]
    for key, want in vector["payload"].items():
        got = msg.payload[key]
        if isinstance(want, float):
            assert math.isclose(got, want, rel_tol=1e-6), key
        else:
            assert got == want, key


def test_every_single_byte_corruption_is_detected() -> None:
    wire = bytes.fromhex(json.loads(VECTORS_JSON.read_text())[6]["wire"])  # a STRIDE
    for i in range(len(wire) - 1):
        for flip in (0x01, 0x80, 0xFF):
            bad = bytearray(wire)
            bad[i] ^= flip
            results = list(StreamDecoder().feed(bytes(bad)))
            assert results and all(isinstance(r, FrameError) for r in results), f"byte {i} ^ {flip:#x} went through"


def test_stream_resynchronizes_and_counts_gaps() -> None:
    a = encode(MsgType.LOG, {"level": 1, "text": "one"}, 10)
    b = encode(MsgType.LOG, {"level": 1, "text": "two"}, 11)
    d = encode(MsgType.LOG, {"level": 1, "text": "four"}, 13)
    dec = StreamDecoder()
    out = list(dec.feed(b"\x13\x37" + a[:5]))  # noise, then a frame cut short
    out += list(dec.feed(b"\x00" + a + b + d))
    msgs = [o for o in out if not isinstance(o, FrameError)]
    assert [m.payload["text"] for m in msgs] == ["one", "two", "four"]
    assert sum(isinstance(o, FrameError) for o in out) == 1
    assert dec.gaps == 1  # seq 12 never came


def test_a_boot_hello_is_a_restart_not_a_gap() -> None:
    hello = {"protocol": 2, "fw_major": 0, "fw_minor": 1, "fw_patch": 0, "max_batch": 32,
             "rx_buffer_bytes": 2048, "board": "b"}
    dec = StreamDecoder()
    wire = (encode(MsgType.LOG, {"level": 1, "text": "a"}, 0) + encode(MsgType.LOG, {"level": 1, "text": "b"}, 1)
            + encode(MsgType.HELLO, hello, 0) + encode(MsgType.LOG, {"level": 1, "text": "c"}, 1)
            + encode(MsgType.HELLO, hello, 5))  # a HELLO out of sequence but not a boot: frames were lost
    assert len(list(dec.feed(wire))) == 5
    assert dec.restarts == 1 and dec.gaps == 1


def test_config_and_ack_carry_the_session_hand_packed() -> None:
    """CONFIG carries the host's session nonce and ACK echoes one (protocol 2)."""
    payload = struct.pack("<IBHBI", 416_000, 16, 2000, 1, 0xDEADBEEF)
    body = struct.pack("<BBHH", 2, 0x01, 5, len(payload)) + payload
    wire = cobs.encode(body + struct.pack("<H", crc16(body))) + b"\x00"
    cfg = {"odr_mhz": 416_000, "accel_fs_g": 16, "gyro_fs_dps": 2000, "mode": "REPLAY", "session": 0xDEADBEEF}
    assert encode(MsgType.CONFIG, cfg, 5) == wire
    payload = struct.pack("<HbI", 5, -22, 0xDEADBEEF)
    body = struct.pack("<BBHH", 2, 0x11, 9, len(payload)) + payload
    ack = decode(cobs.encode(body + struct.pack("<H", crc16(body))))
    assert ack.payload == {"acked_seq": 5, "status": -22, "session": 0xDEADBEEF}


def test_errors_name_the_problem() -> None:
    with pytest.raises(FrameError, match="too short"):
        decode(cobs.encode(b"\x01\x02"))
    body = struct.pack("<BBHH", 1, 0x16, 0, 1) + b"\x01"
    with pytest.raises(FrameError, match="protocol version 1, this rig speaks 2"):
        decode(cobs.encode(body + struct.pack("<H", crc16(body))))
    body = struct.pack("<BBHH", 2, 0x7E, 0, 0)
    with pytest.raises(FrameError, match="message type|malformed"):
        decode(cobs.encode(body + struct.pack("<H", crc16(body))))
    body = struct.pack("<BBHH", 2, 0x12, 0, 3) + b"\x01\x02\x03"
    with pytest.raises(FrameError, match="malformed"):
        decode(cobs.encode(body + struct.pack("<H", crc16(body))))


def test_generated_c_is_current() -> None:
    from frame_spec import cgen, golden
    from rig.build import FIRMWARE_DIR

    assert cgen.main([str(FIRMWARE_DIR / "gen"), "--check"]) == 0, "run python -m frame_spec.cgen firmware_c/gen"
    assert golden.main(["--check"]) == 0, "run python -m frame_spec.golden"
