"""Golden vectors: wire bytes of sample messages, shared by the Python and C tests.

    python -m frame_spec.golden          # rewrite golden_vectors.json and the C test
    python -m frame_spec.golden --check  # exit 1 if either is stale

golden_vectors.json holds, per vector, the message type, sequence number,
payload fields and the exact wire bytes (COBS + delimiter). The C test
firmware_c/tests/test_golden.c is generated from that file: it packs each
payload with the generated C codec, frames it, and must produce the same bytes,
then decodes the bytes back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from frame_spec import messages as m
from frame_spec.envelope import encode
from frame_spec.messages import MAX_BATCH_SAMPLES, PAYLOADS, MsgType

HERE = Path(__file__).resolve().parent
VECTORS_JSON = HERE / "golden_vectors.json"
C_TEST = HERE.parent / "firmware_c" / "tests" / "test_golden.c"


def _samples(n: int, start: int) -> list[dict[str, int]]:
    keys = ("ax", "ay", "az", "gx", "gy", "gz")
    return [{k: ((start + 37 * i + 1000 * j) % 65536) - 32768 or 1 for j, k in enumerate(keys)} for i in range(n)]


#: (type, seq, payload): edge values on purpose (zeros for COBS, extremes, a full batch > 254 bytes).
VECTORS: list[tuple[MsgType, int, dict[str, Any]]] = [
    (MsgType.CONFIG, 0, {"odr_mhz": 416_000, "accel_fs_g": 16, "gyro_fs_dps": 2000, "mode": "REPLAY",
                          "session": 0xA5000001}),
    (MsgType.SAMPLE_BATCH, 1, {"first_index": 0, "samples": [{"ax": 0, "ay": 0, "az": 2049, "gx": 0, "gy": -32768, "gz": 32767}]}),
    (MsgType.SAMPLE_BATCH, 65535, {"first_index": 4_000_000_000, "samples": _samples(MAX_BATCH_SAMPLES, 12345)}),
    (MsgType.CMD, 7, {"op": "END"}),
    (MsgType.HELLO, 0, {"protocol": 2, "fw_major": 0, "fw_minor": 1, "fw_patch": 0, "max_batch": 32,
                        "rx_buffer_bytes": 2048, "board": "nucleo-f401re"}),
    (MsgType.ACK, 300, {"acked_seq": 299, "status": -22, "session": 0xFFFFFFFF}),
    (MsgType.STRIDE, 2, {"stride_no": 1, "ic_us": 1_234_567, "tc_us": 1_456_789, "gct_ms": 222.25, "flight_ms": 98.5,
                         "swing_ms": 480.0, "stride_ms": 702.25, "cadence_spm": 170.88, "duty_factor": 0.3164,
                         "fsa_deg": 12.5, "pronation_deg": 9.75, "peak_roll_rate_dps": 310.0, "peak_impact_g": 15.99,
                         "stride_m": 2.125, "speed_mps": 3.025, "strike": "heel", "activity": "run", "flags": 1}),
    (MsgType.SUMMARY, 3, {"strides": 42, "distance_m": 105.5, "duration_s": 30.0, "avg_pace_s_per_km": 284.5,
                          "avg_cadence_spm": 171.0, "still_s": 1.5, "walk_s": 0.0, "run_s": 28.5, "stairs_s": 0.0,
                          "dropped_samples": 3}),
    (MsgType.STATUS, 4, {"uptime_ms": 60_000, "samples": 24_960, "strides": 42, "rx_frames": 800, "rx_bad_frames": 1,
                         "rx_seq_gaps": 0, "rx_overflows": 0, "mode": "REPLAY"}),
    (MsgType.FAULT, 65535, {"reason": "HARDFAULT", "pc": 0x0800_1234, "lr": 0xFFFF_FFF9, "cfsr": 0x0000_8200,
                            "hfsr": 0x4000_0000, "bfar": 0xE000_EDF8}),
    (MsgType.LOG, 5, {"level": 1, "text": "rx: corrupt frame (COBS/CRC/length), dropped"}),
    (MsgType.GATT_READ, 8, {"uuid": 0x2A54}),
    (MsgType.GATT_WRITE, 9, {"uuid": 0x2A55, "value": "0110270000"}),
    (MsgType.RSC_MEASUREMENT, 6, {"t_us": 61_000_000, "value": "07000355d4001f040000"}),
    (MsgType.GATT_VALUE, 7, {"uuid": 0x2A55, "value": "1004010201"}),
    (MsgType.RAW_BATCH, 10, {"first_index": 70_000, "samples": _samples(3, 5432)}),
]


def vectors() -> list[dict[str, Any]]:
    """Every golden vector with its wire bytes as built by construct."""
    return [{"type": t.name, "seq": seq, "payload": p, "wire": encode(t, p, seq).hex()} for t, seq, p in VECTORS]


def _c_value(v: Any) -> str:
    if isinstance(v, float):
        return repr(v) + "f"
    if isinstance(v, int):
        return f"{v}u" if v > 0x7FFFFFFF else str(v)
    raise TypeError(v)


def _c_enum(msg: MsgType, field: str, value: Any) -> str:
    enums = {"mode": ("FRAME_MODE", m.Mode), "op": ("FRAME_OP", m.Op), "strike": ("FRAME_STRIKE", m.Strike),
             "activity": ("FRAME_ACTIVITY", m.Activity), "reason": ("FRAME_FAULT", m.FaultReason)}
    prefix, _ = enums[field]
    return f"{prefix}_{str(value).upper()}"


def _c_init(msg: MsgType, payload: dict[str, Any]) -> str:
    parts = []
    for key, value in payload.items():
        if key == "samples" and isinstance(value, list):
            parts.append(f".count = {len(value)}")
            items = ", ".join("{" + ", ".join(f".{k} = {v}" for k, v in s.items()) + "}" for s in value)
            parts.append(f".samples = {{{items}}}")
        elif key == "board":
            parts.append(f".board = \"{value}\"")
        elif key == "value" and isinstance(value, str):
            raw = bytes.fromhex(value)
            parts.append(f".value_len = {len(raw)}, .value = {{" + ", ".join(f"0x{b:02x}" for b in raw) + "}")
        elif key == "text":
            parts.append(f".text_len = {len(value.encode())}, .text = \"{value}\"")
        elif isinstance(value, str):
            parts.append(f".{key} = {_c_enum(msg, key, value)}")
        else:
            parts.append(f".{key} = {_c_value(value)}")
    return "{" + ", ".join(parts) + "}"


def c_test(vecs: list[dict[str, Any]]) -> str:
    """Source of the generated C golden-vector test."""
    out = ["/* Generated by `python -m frame_spec.golden` from frame_spec/golden_vectors.json. Do not edit. */",
           "#include <stdio.h>", "#include <string.h>", "", "#include \"frame.h\"", "",
           "static int failures;", "",
           "/* Pack m, frame it, compare with the golden wire bytes; then decode them and repack. */",
           "#define CHECK_VECTOR(NAME, TYPE, SEQ, M, WIRE) do { \\",
           "    uint8_t pay[FW_MAX_FRAME_BYTES], wire[FRAME_WIRE_BYTES(FW_MAX_FRAME_BYTES)], pay2[FW_MAX_FRAME_BYTES]; \\",
           "    int n = frame_pack_##NAME(&(M), pay, sizeof pay); \\",
           "    int w = n < 0 ? n : frame_encode(TYPE, SEQ, pay, (size_t)n, wire, sizeof wire); \\",
           "    if (w != (int)sizeof(WIRE) || memcmp(wire, WIRE, sizeof(WIRE)) != 0) { \\",
           "        printf(\"FAIL %s seq %u: encoded %d bytes, golden %zu\\n\", #NAME, (unsigned)(SEQ), w, sizeof(WIRE)); failures++; break; } \\",
           "    frame_rx_t rx; frame_view_t v; int got = 0; frame_rx_init(&rx); \\",
           "    for (size_t i = 0; i < sizeof(WIRE); i++) got = frame_rx_byte(&rx, WIRE[i], &v); \\",
           "    if (got != 1 || v.type != (TYPE) || v.seq != (SEQ)) { printf(\"FAIL %s: decode %d\\n\", #NAME, got); failures++; break; } \\",
           "    frame_##NAME##_t back; \\",
           "    if (frame_unpack_##NAME(&back, v.payload, v.len) != 0 || frame_pack_##NAME(&back, pay2, sizeof pay2) != n || \\",
           "        memcmp(pay, pay2, (size_t)n) != 0) { printf(\"FAIL %s: unpack/repack differs\\n\", #NAME); failures++; } \\",
           "} while (0)", "", "int main(void) {"]
    for v in vecs:
        msg = MsgType[v["type"]]
        name = msg.name.lower()
        wire = bytes.fromhex(v["wire"])
        out.append(f"    {{ /* {v['type']} seq {v['seq']} */")
        out.append(f"        static const frame_{name}_t m = {_c_init(msg, v['payload'])};")
        out.append("        static const uint8_t golden[] = {" + ", ".join(f"0x{b:02x}" for b in wire) + "};")
        out.append(f"        CHECK_VECTOR({name}, FRAME_MSG_{msg.name}, {v['seq']}u, m, golden);")
        out.append("    }")
    out += ["    const uint8_t check[] = \"123456789\";",
            "    if (frame_crc16(check, 9) != 0x29B1u) { printf(\"FAIL crc16 check value\\n\"); failures++; }",
            f"    printf(\"golden vectors: {len(vecs)} checked, %d failed\\n\", failures);",
            "    return failures ? 1 : 0;", "}", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write or check golden_vectors.json and the generated C test."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    vecs = vectors()
    files = {VECTORS_JSON: json.dumps(vecs, indent=1) + "\n", C_TEST: c_test(vecs)}
    stale = [p for p, text in files.items() if not p.exists() or p.read_text() != text]
    if args.check:
        for p in stale:
            print(f"{p.name} is stale: run `python -m frame_spec.golden`", file=sys.stderr)
        return 1 if stale else 0
    for p in stale:
        p.write_text(files[p])
    return 0


assert set(PAYLOADS) == {MsgType[t] for t, _, _ in ((v[0].name, 0, 0) for v in VECTORS)}, "a message has no vector"

if __name__ == "__main__":
    raise SystemExit(main())
