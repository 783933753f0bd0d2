"""Generate the firmware's C message codec from the construct definitions.

    python -m frame_spec.cgen firmware_c/gen        # write frame_msgs.h / .c
    python -m frame_spec.cgen firmware_c/gen --check  # fail if they are stale

Each payload Struct becomes a C struct plus pack/unpack functions that move
its fields in the same little-endian order. Only the field kinds the link
uses are supported; anything else is refused with the field's name.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

from construct import Array, Construct, Enum, FormatField, Rebuild, Renamed, StringEncoded, Struct
from construct.core import FixedSized

from frame_spec import messages as m
from frame_spec import rscs

_FMT = {"<B": ("uint8_t", 1, "u8"), "<b": ("int8_t", 1, "i8"), "<H": ("uint16_t", 2, "u16"),
        "<h": ("int16_t", 2, "i16"), "<L": ("uint32_t", 4, "u32"), "<f": ("float", 4, "f32")}


@dataclass(frozen=True)
class Field:
    """One C field: name, kind (scalar/padded/count/array/greedy), C type, byte size."""

    name: str
    kind: str
    ctype: str
    size: int = 0  # bytes of a scalar; characters of a padded string
    codec: str = ""  # put_/get_ suffix for scalars
    elem: str = ""  # element struct name for arrays
    max_len: int = 0
    count_of: str = ""


def _scalar(sc: Construct, where: str) -> tuple[str, int, str]:
    if isinstance(sc, Enum):
        sc = sc.subcon
    if isinstance(sc, FormatField) and sc.fmtstr in _FMT:
        return _FMT[sc.fmtstr]
    raise TypeError(f"{where}: field type {type(sc).__name__} is not supported by the C generator")


def fields_of(msg: str, struct: Struct) -> list[Field]:
    """Map a payload Struct's subcons onto C fields."""
    out: list[Field] = []
    counts: dict[str, str] = {}
    for rn in struct.subcons:
        assert isinstance(rn, Renamed), f"{msg}: anonymous field"
        name, sc, where = rn.name, rn.subcon, f"{msg}.{rn.name}"
        if isinstance(sc, Rebuild):
            ctype, size, codec = _scalar(sc.subcon, where)
            out.append(Field(name, "count", ctype, size, codec))
        elif isinstance(sc, Array):
            elem = f"frame_{name.rstrip('s')}_t"
            max_len = m.ARRAY_MAX[(msg, name)]
            count_field = next(f.name for f in out if f.kind == "count")
            counts[count_field] = name
            out.append(Field(name, "array", elem, elem=sc.subcon, max_len=max_len, count_of=count_field))
        elif isinstance(sc, m.HexBytes):
            out.append(Field(name, "greedy", "uint8_t", max_len=m.ARRAY_MAX[(msg, name)]))
        elif isinstance(sc, StringEncoded) and isinstance(sc.subcon, FixedSized):
            out.append(Field(name, "padded", "char", sc.subcon.length))
        elif isinstance(sc, StringEncoded) and type(sc.subcon).__name__ == "GreedyBytes":
            out.append(Field(name, "greedy", "char", max_len=m.ARRAY_MAX[(msg, name)]))
        else:
            ctype, size, codec = _scalar(sc, where)
            out.append(Field(name, "scalar", ctype, size, codec))
    return out


def _elem_fields(struct: Struct, name: str) -> list[Field]:
    return [Field(rn.name, "scalar", *_scalar(rn.subcon, f"{name}.{rn.name}")) for rn in struct.subcons]


def _enum_defs() -> list[str]:
    lines = []
    for enum_cls, prefix in [(m.MsgType, "FRAME_MSG"), (m.Mode, "FRAME_MODE"), (m.Op, "FRAME_OP"),
                             (m.Strike, "FRAME_STRIKE"), (m.Activity, "FRAME_ACTIVITY"),
                             (m.FaultReason, "FRAME_FAULT")]:
        lines.append(f"/* {enum_cls.__doc__} */")
        lines += [f"#define {prefix}_{e.name.upper()} {int(e)}" for e in enum_cls]
        lines.append("")
    return lines


def _rscs_defs() -> list[str]:
    """The Running Speed and Cadence service's codes (frame_spec.rscs) for the firmware."""
    measurement_flags = rscs.RscMeasurement.subcons[0].subcon.subcon.flags
    lines = ["/* Running Speed and Cadence service (frame_spec/rscs.py): UUIDs, field flags and codes. */",
             f"#define FRAME_RSCS_SERVICE_UUID 0x{rscs.RSCS_SERVICE_UUID:04x}",
             f"#define FRAME_RSCS_MEASUREMENT_UUID 0x{rscs.RSC_MEASUREMENT_UUID:04x}",
             f"#define FRAME_RSCS_FEATURE_UUID 0x{rscs.RSC_FEATURE_UUID:04x}",
             f"#define FRAME_RSCS_CONTROL_POINT_UUID 0x{rscs.SC_CONTROL_POINT_UUID:04x}",
             f"#define FRAME_RSCS_SENSOR_LOCATION_UUID 0x{rscs.SENSOR_LOCATION_UUID:04x}",
             f"#define FRAME_MAX_GATT_VALUE {m.MAX_GATT_VALUE}"]
    lines += [f"#define FRAME_RSCS_MEAS_{k.upper()} 0x{v:02x}" for k, v in measurement_flags.items()]
    lines += [f"#define FRAME_RSCS_FEATURE_{k.upper()} 0x{v:04x}" for k, v in rscs.RscFeature.flags.items()]
    lines += [f"#define FRAME_RSCS_LOCATION_{e.name.upper()} {int(e)}" for e in rscs.SensorLocation]
    lines += [f"#define FRAME_RSCS_OP_{e.name.upper()} 0x{int(e):02x}" for e in rscs.ScOpCode]
    lines += [f"#define FRAME_RSCS_RESPONSE_{e.name.upper()} 0x{int(e):02x}" for e in rscs.ScResponse]
    return lines + [""]


def generate() -> tuple[str, str]:
    """Return the text of frame_msgs.h and frame_msgs.c."""
    h = ["/* Generated by `python -m frame_spec.cgen` from frame_spec/messages.py. Do not edit. */",
         "#ifndef FRAME_MSGS_H", "#define FRAME_MSGS_H", "", "#include <stddef.h>", "#include <stdint.h>", "",
         f"#define FRAME_PROTOCOL_VERSION {m.PROTOCOL_VERSION}",
         f"#define FRAME_MAX_BATCH_SAMPLES {m.MAX_BATCH_SAMPLES}",
         f"#define FRAME_MAX_LOG_TEXT {m.MAX_LOG_TEXT}",
         f"#define FRAME_FLAG_IMPACT_CLIPPED {m.FLAG_IMPACT_CLIPPED}",
         f"#define FRAME_FLAG_GYRO_SATURATED {m.FLAG_GYRO_SATURATED}",
         f"#define FRAME_FLAG_SAMPLES_DROPPED {m.FLAG_SAMPLES_DROPPED}", ""]
    h += _enum_defs()
    h += _rscs_defs()
    c = ["/* Generated by `python -m frame_spec.cgen` from frame_spec/messages.py. Do not edit. */",
         "#include \"frame_msgs.h\"", "", "#include <errno.h>", "#include <string.h>", "",
         "static void put_u8(uint8_t *p, uint8_t v) { p[0] = v; }",
         "static void put_i8(uint8_t *p, int8_t v) { p[0] = (uint8_t)v; }",
         "static void put_u16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }",
         "static void put_i16(uint8_t *p, int16_t v) { put_u16(p, (uint16_t)v); }",
         "static void put_u32(uint8_t *p, uint32_t v) { put_u16(p, (uint16_t)v); put_u16(p + 2, (uint16_t)(v >> 16)); }",
         "static void put_f32(uint8_t *p, float v) { uint32_t u; memcpy(&u, &v, 4); put_u32(p, u); }",
         "static uint8_t get_u8(const uint8_t *p) { return p[0]; }",
         "static int8_t get_i8(const uint8_t *p) { return (int8_t)p[0]; }",
         "static uint16_t get_u16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }",
         "static int16_t get_i16(const uint8_t *p) { return (int16_t)get_u16(p); }",
         "static uint32_t get_u32(const uint8_t *p) { return (uint32_t)get_u16(p) | ((uint32_t)get_u16(p + 2) << 16); }",
         "static float get_f32(const uint8_t *p) { uint32_t u = get_u32(p); float v; memcpy(&v, &u, 4); return v; }",
         ""]
    elements: set[str] = set()  # element structs already emitted (two messages may carry samples)
    for mt, struct in m.PAYLOADS.items():
        name = mt.name.lower()
        fields = fields_of(mt.name, struct)
        for f in fields:
            if f.kind == "array" and f.ctype not in elements:
                elements.add(f.ctype)
                ef = _elem_fields(f.elem, f.ctype)
                h.append("typedef struct {")
                h += [f"    {e.ctype} {e.name};" for e in ef]
                h += [f"}} {f.ctype};", ""]
                c += _elem_codec(f.ctype, ef)
        h.append(f"/* {mt.name} payload (type 0x{int(mt):02x}). */")
        h.append("typedef struct {")
        for f in fields:
            if f.kind in ("scalar", "count"):
                h.append(f"    {f.ctype} {f.name};")
            elif f.kind == "padded":
                h.append(f"    char {f.name}[{f.size}]; /* not NUL-terminated when full */")
            elif f.kind == "array":
                h.append(f"    {f.ctype} {f.name}[{f.max_len}]; /* {f.count_of} used */")
            elif f.kind == "greedy":
                h.append(f"    uint16_t {f.name}_len;")
                h.append(f"    {f.ctype} {f.name}[{f.max_len}]; /* {f.name}_len used"
                         + (", not NUL-terminated */" if f.ctype == "char" else " */"))
        h += [f"}} frame_{name}_t;", "",
              "/** Pack into buf. @return bytes written, or -ENOSPC if cap is too small, -EINVAL on a bad count. */",
              f"int frame_pack_{name}(const frame_{name}_t *m, uint8_t *buf, size_t cap);",
              "/** Unpack len bytes. @return 0, or -EBADMSG if the length does not match the fields. */",
              f"int frame_unpack_{name}(frame_{name}_t *m, const uint8_t *buf, size_t len);", ""]
        c += _msg_codec(name, fields)
    h += ["#endif /* FRAME_MSGS_H */", ""]
    return "\n".join(h), "\n".join(c)


def _elem_codec(ctype: str, ef: list[Field]) -> list[str]:
    size = sum(e.size for e in ef)
    out = [f"#define SIZE_{ctype.upper()} {size}u",
           f"static void pack_{ctype}(const {ctype} *e, uint8_t *p) {{"]
    off = 0
    for e in ef:
        out.append(f"    put_{e.codec}(p + {off}, e->{e.name});")
        off += e.size
    out += ["}", f"static void unpack_{ctype}({ctype} *e, const uint8_t *p) {{"]
    off = 0
    for e in ef:
        out.append(f"    e->{e.name} = get_{e.codec}(p + {off});")
        off += e.size
    return out + ["}", ""]


def _msg_codec(name: str, fields: list[Field]) -> list[str]:
    fixed = sum(f.size for f in fields if f.kind in ("scalar", "count", "padded"))
    pack = [f"int frame_pack_{name}(const frame_{name}_t *m, uint8_t *buf, size_t cap) {{",
            f"    size_t n = {fixed}u;"]
    unpack = [f"int frame_unpack_{name}(frame_{name}_t *m, const uint8_t *buf, size_t len) {{",
              "    size_t off = 0;", "    memset(m, 0, sizeof *m);",
              f"    if (len < {fixed}u) return -EBADMSG;"]
    for f in fields:
        if f.kind == "array":
            pack += [f"    if (m->{f.count_of} > {f.max_len}u) return -EINVAL;",
                     f"    n += (size_t)m->{f.count_of} * SIZE_{f.ctype.upper()};"]
        elif f.kind == "greedy":
            pack += [f"    if (m->{f.name}_len > {f.max_len}u) return -EINVAL;", f"    n += m->{f.name}_len;"]
    pack += ["    if (n > cap) return -ENOSPC;", "    size_t off = 0;"]
    for f in fields:
        if f.kind in ("scalar", "count"):
            pack.append(f"    put_{f.codec}(buf + off, m->{f.name}); off += {f.size};")
            unpack.append(f"    m->{f.name} = get_{f.codec}(buf + off); off += {f.size};")
        elif f.kind == "padded":
            pack += [f"    {{ size_t k = 0; for (; k < {f.size}u && m->{f.name}[k]; k++) buf[off + k] = (uint8_t)m->{f.name}[k];",
                     f"      for (; k < {f.size}u; k++) buf[off + k] = 0; }}", f"    off += {f.size};"]
            unpack.append(f"    memcpy(m->{f.name}, buf + off, {f.size}); off += {f.size};")
        elif f.kind == "array":
            size = f"SIZE_{f.ctype.upper()}"
            pack += [f"    for (size_t i = 0; i < m->{f.count_of}; i++) {{ pack_{f.ctype}(&m->{f.name}[i], buf + off); off += {size}; }}"]
            unpack += [f"    if (m->{f.count_of} > {f.max_len}u || len - off != (size_t)m->{f.count_of} * {size}) return -EBADMSG;",
                       f"    for (size_t i = 0; i < m->{f.count_of}; i++) {{ unpack_{f.ctype}(&m->{f.name}[i], buf + off); off += {size}; }}"]
        elif f.kind == "greedy":
            pack += [f"    memcpy(buf + off, m->{f.name}, m->{f.name}_len); off += m->{f.name}_len;"]
            unpack += [f"    if (len - off > {f.max_len}u) return -EBADMSG;",
                       f"    m->{f.name}_len = (uint16_t)(len - off);",
                       f"    memcpy(m->{f.name}, buf + off, len - off); off = len;"]
    pack += ["    return (int)off;", "}", ""]
    unpack += ["    return off == len ? 0 : -EBADMSG;", "}", ""]
    return pack + unpack


def _out_dir(text: str) -> Path:
    """argparse type of OUT_DIR: an empty path wrote the codec into the current directory, a file
    (/dev/null) ended in a FileExistsError traceback."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give the directory of the generated codec (firmware_c/gen)")
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is no directory; give the directory of the generated codec "
                                         "(firmware_c/gen)")
    return path


def main(argv: list[str] | None = None) -> int:
    """Write (or, with --check, verify) frame_msgs.h and frame_msgs.c in OUT_DIR."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("out_dir", type=_out_dir)
    ap.add_argument("--check", action="store_true", help="exit 1 if the files differ from the definition")
    args = ap.parse_args(argv)
    texts = dict(zip(("frame_msgs.h", "frame_msgs.c"), generate()))
    try:
        stale = [n for n, t in texts.items() if not (args.out_dir / n).exists() or (args.out_dir / n).read_text() != t]
        if args.check:
            for n in stale:
                print(f"{args.out_dir / n} is stale: run `python -m frame_spec.cgen {args.out_dir}`", file=sys.stderr)
            return 1 if stale else 0
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for n in stale:
            (args.out_dir / n).write_text(texts[n])
    except (OSError, UnicodeDecodeError) as exc:
        # a directory that cannot be made or written (/proc/x, a read-only file system), or a frame_msgs.h that
        # is a directory, ended in a traceback
        why = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        print(f"frame_spec.cgen: {getattr(exc, 'filename', None) or args.out_dir}: {why}; give a directory where the "
              "generated codec can be written (firmware_c/gen)", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
