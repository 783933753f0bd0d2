"""Golden vectors of the Running Speed and Cadence service's values, packed by hand from the
specification text (RSCS 1.0 and the GATT Specification Supplement), not by construct.

    python -m frame_spec.rscs_golden          # rewrite firmware_c/tests/test_rscs_golden.c
    python -m frame_spec.rscs_golden --check  # exit 1 if it is stale

The Python tests check frame_spec.rscs against these bytes; the generated C test checks the
firmware's rscs.c against the same bytes. Each vector's comment derives every byte from the
specification's field table: flags (uint8: bit 0 stride length present, bit 1 total distance
present, bit 2 running), Instantaneous Speed (uint16, 1/256 m/s), Instantaneous Cadence (uint8,
1/min, contacts of the sensor's foot), Instantaneous Stride Length (uint16, 1/100 m), Total
Distance (uint32, 1/10 m); little-endian.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

C_TEST = Path(__file__).resolve().parent.parent / "firmware_c" / "tests" / "test_rscs_golden.c"


@dataclass(frozen=True)
class MeasurementVector:
    """An RSC Measurement in counts, and its bytes packed by hand."""

    name: str
    running: bool
    speed_256ths_mps: int
    cadence_per_min: int
    stride_length_cm: int | None
    total_distance_dm: int | None
    wire_hex: str


MEASUREMENTS: tuple[MeasurementVector, ...] = (
    # Running 3.0 m/s (3.0 x 256 = 768 = 0x0300), 85 contacts/min (0x55; 170 steps/min), stride
    # 2.12 m = 212 cm (0x00d4), total 105.5 m = 1055 dm (0x0000041f); flags 0x01|0x02|0x04 = 0x07.
    MeasurementVector("running_all_fields", True, 768, 85, 212, 1055, "07 0003 55 d400 1f040000"),
    # Standing after 1234.5 m: walking, speed 0, cadence 0, no stride length, total 12345 dm
    # (0x00003039); flags 0x02.
    MeasurementVector("standing_total_only", False, 0, 0, None, 12345, "02 0000 00 39300000"),
    # Walking 1.3 m/s (332.8 -> 333 = 0x014d), 55 contacts/min (0x37), stride 1.42 m = 142 cm
    # (0x008e), no total distance; flags 0x01.
    MeasurementVector("walking_stride_no_total", False, 333, 55, 142, None, "01 4d01 37 8e00"),
    # Running 7.0 m/s (1792 = 0x0700), 100 contacts/min (0x64), no optional field; flags 0x04.
    MeasurementVector("running_mandatory_only", True, 1792, 100, None, None, "04 0007 64"),
    # Every field at its largest: 65535/256 m/s, 255/min, 655.35 m, 429496729.5 m; flags 0x07.
    MeasurementVector("largest_values", True, 0xFFFF, 0xFF, 0xFFFF, 0xFFFFFFFF, "07 ffff ff ffff ffffffff"),
)

#: RSC Feature of this shoe: bit 0 stride length, bit 1 total distance, bit 2 walking or running
#: status, bit 4 multiple sensor locations (bit 3, calibration, clear): 0x0017, little-endian.
FEATURE_HEX = "1700"
#: Sensor Location "In shoe" = 2.
SENSOR_LOCATION_HEX = "02"


@dataclass(frozen=True)
class ControlPointVector:
    """An SC Control Point request as written, the response indicated, and the location after it."""

    name: str
    request_hex: str
    response_hex: str
    location_after: int = 2
    #: Total Distance (1/10 m) the next measurement reports when the analyzer has gone no further.
    total_dm_after: int = 0


CONTROL_POINT: tuple[ControlPointVector, ...] = (
    # Set Cumulative Value (0x01) to 1000.0 m = 10000 dm = 0x00002710 -> 0x10, 0x01, Success 0x01.
    ControlPointVector("set_cumulative_value", "01 10270000", "10 01 01", total_dm_after=10000),
    # Set Cumulative Value to 0 -> Success.
    ControlPointVector("set_cumulative_value_zero", "01 00000000", "10 01 01"),
    # Set Cumulative Value with a 2-byte parameter -> Invalid Parameter (0x03).
    ControlPointVector("set_cumulative_value_short", "01 1027", "10 01 03"),
    # Request Supported Sensor Locations (0x04) -> Success with the list: In shoe (2), Top of shoe (1).
    ControlPointVector("request_supported_locations", "04", "10 04 01 02 01"),
    # The same with a stray parameter byte -> Invalid Parameter.
    ControlPointVector("request_supported_locations_extra", "04 00", "10 04 03"),
    # Update Sensor Location (0x03) to Top of shoe (1) -> Success; the location is 1 after it.
    ControlPointVector("update_location_top_of_shoe", "03 01", "10 03 01", location_after=1),
    # Update Sensor Location to Hip (3), which a shoe cannot be -> Invalid Parameter.
    ControlPointVector("update_location_hip", "03 03", "10 03 03"),
    # Start Sensor Calibration (0x02): no calibration procedure -> Op Code not supported (0x02).
    ControlPointVector("start_calibration", "02", "10 02 02"),
    # Reserved op codes (0x00, 0x05) and the Response Code itself (0x10) -> Op Code not supported.
    ControlPointVector("reserved_op_0", "00", "10 00 02"),
    ControlPointVector("reserved_op_5", "05 aa", "10 05 02"),
    ControlPointVector("response_code_written", "10 01 01", "10 10 02"),
)


def wire(hex_text: str) -> bytes:
    """A vector's bytes (spaces in the hex text only group fields)."""
    return bytes.fromhex(hex_text.replace(" ", ""))


def _c_bytes(data: bytes) -> str:
    return "{" + ", ".join(f"0x{b:02x}" for b in data) + "}" if data else "{0}"


def c_test() -> str:
    """Source of the generated C test of rscs.c against the vectors."""
    out = ["/* Generated by `python -m frame_spec.rscs_golden` from frame_spec/rscs_golden.py. Do not edit. */",
           "#include <errno.h>", "#include <string.h>", "", "#include \"check.h\"", "#include \"rscs.h\"", "",
           "static void check_measurement(const char *name, const rscs_measurement_t *m, const uint8_t *want, size_t n) {",
           "    uint8_t got[RSCS_MEASUREMENT_MAX_BYTES + 4];",
           "    int len = rscs_pack_measurement(m, got, sizeof got);",
           "    CHECK(len == (int)n && memcmp(got, want, n) == 0, \"%s: packed %d bytes, golden %zu\", name, len, n);",
           "    CHECK(rscs_pack_measurement(m, got, n - 1u) == -ENOSPC, \"%s: a buffer one byte short is refused\", name);",
           "}", "",
           "static void check_control_point(const char *name, const uint8_t *req, size_t req_len, const uint8_t *want,",
           "                                size_t want_len, uint8_t location_after, uint32_t total_dm_after) {",
           "    rscs_t r;",
           "    rscs_init(&r);",
           "    uint8_t rsp[FRAME_MAX_GATT_VALUE];",
           "    int len = rscs_control_point(&r, 0.0f, req, req_len, rsp, sizeof rsp);",
           "    CHECK(len == (int)want_len && memcmp(rsp, want, want_len) == 0, \"%s: response of %d bytes, golden %zu\", name,",
           "          len, want_len);",
           "    CHECK(r.location == location_after, \"%s: location %u after, want %u\", name, r.location, location_after);",
           "    rscs_measurement_t m;",
           "    CHECK(rscs_measure(&r, 0u, 1248u, 0.0f, &m) == 0 && m.total_distance_dm == total_dm_after,",
           "          \"%s: total %u dm after, want %u\", name, (unsigned)m.total_distance_dm, (unsigned)total_dm_after);",
           "}", "", "int main(void) {"]
    for v in MEASUREMENTS:
        flags = (0x01 if v.stride_length_cm is not None else 0) | (0x02 if v.total_distance_dm is not None else 0) \
            | (0x04 if v.running else 0)
        data = wire(v.wire_hex)
        out += [f"    {{ /* {v.name} */",
                f"        const rscs_measurement_t m = {{.flags = 0x{flags:02x}, .speed_256ths_mps = {v.speed_256ths_mps}u, "
                f".cadence_per_min = {v.cadence_per_min}u, .stride_length_cm = {v.stride_length_cm or 0}u, "
                f".total_distance_dm = {v.total_distance_dm or 0}u}};",
                f"        const uint8_t golden[] = {_c_bytes(data)};",
                f"        check_measurement(\"{v.name}\", &m, golden, sizeof golden);",
                "    }"]
    out += ["    {",
            "        rscs_t r;",
            "        rscs_init(&r);",
            "        uint8_t got[4];",
            f"        const uint8_t feature[] = {_c_bytes(wire(FEATURE_HEX))}, location[] = {_c_bytes(wire(SENSOR_LOCATION_HEX))};",
            "        CHECK(rscs_read(&r, FRAME_RSCS_FEATURE_UUID, got, sizeof got) == 2 && memcmp(got, feature, 2) == 0,",
            "              \"RSC Feature\");",
            "        CHECK(rscs_read(&r, FRAME_RSCS_SENSOR_LOCATION_UUID, got, sizeof got) == 1 && got[0] == location[0],",
            "              \"Sensor Location\");",
            "    }"]
    for cp in CONTROL_POINT:
        req, rsp = wire(cp.request_hex), wire(cp.response_hex)
        out += [f"    {{ /* {cp.name} */",
                f"        const uint8_t req[] = {_c_bytes(req)}, rsp[] = {_c_bytes(rsp)};",
                f"        check_control_point(\"{cp.name}\", req, sizeof req, rsp, sizeof rsp, {cp.location_after}u, "
                f"{cp.total_dm_after}u);",
                "    }"]
    out += [f"    printf(\"rscs golden vectors: {len(MEASUREMENTS) + 2 + len(CONTROL_POINT)} checked, %d failure(s)\\n\", failures);",
            "    return failures ? 1 : 0;", "}", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    """Write or (--check) verify the generated C test."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--check", action="store_true", help="exit 1 if the C test differs from the vectors")
    args = ap.parse_args(argv)
    text = c_test()
    if not C_TEST.exists() or C_TEST.read_text() != text:
        if args.check:
            print(f"{C_TEST.name} is stale: run `python -m frame_spec.rscs_golden`", file=sys.stderr)
            return 1
        C_TEST.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
