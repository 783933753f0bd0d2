"""Whether a build product is a whole ELF file for the machine it is built for.

make rebuilds a product only when it is older than its sources: an image cut short (a disk that
filled up, a copy or an unpack interrupted), emptied, or replaced by a build for another machine
keeps its date and would be run as it is: the native firmware then dies of SIGSEGV before saying
a word, or the ARM image stops the build at `arm-none-eabi-size: file format not recognized`.
rig.build asks elf_damage() before it runs make and removes a damaged product, so make builds it
again.
"""

from __future__ import annotations

import struct
import sys
from pathlib import Path

#: e_machine of the ARM architecture (the STM32F4 image).
EM_ARM = 40

_MAGIC = b"\x7fELF"


def machine_of(path: Path) -> int | None:
    """e_machine of an ELF file, or None when it is not one (or cannot be read)."""
    try:
        with open(path, "rb") as f:
            head = f.read(20)
    except OSError:
        return None
    if len(head) < 20 or head[:4] != _MAGIC or head[5] not in (1, 2):
        return None
    return int(struct.unpack_from("<H" if head[5] == 1 else ">H", head, 18)[0])


def host_machine() -> int | None:
    """e_machine of this machine's own programs (read from the running Python)."""
    return machine_of(Path(sys.executable).resolve())


def elf_damage(path: Path, machine: int | None) -> str | None:
    """Why the file at path is no whole ELF for `machine` (None: any machine), or None when it is.

    Whole means: ELF magic, a known class and byte order, the expected machine, and the program and
    section header tables (which the linker writes last) inside the file."""
    try:
        data_len = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(64)
    except OSError as exc:
        return f"cannot be read ({exc.strerror})"
    if data_len == 0:
        return "is empty"
    if head[:4] != _MAGIC:
        return "is not an ELF file"
    if len(head) < 52 or head[4] not in (1, 2) or head[5] not in (1, 2) or (head[4] == 2 and len(head) < 64):
        return f"ends inside its ELF header ({data_len} bytes)"
    order = "<" if head[5] == 1 else ">"
    got = struct.unpack_from(order + "H", head, 18)[0]
    if machine is not None and got != machine:
        return f"is built for ELF machine {got}, not {machine}"
    if head[4] == 1:
        phoff, shoff = struct.unpack_from(order + "II", head, 28)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", head, 42)
    else:
        phoff, shoff = struct.unpack_from(order + "QQ", head, 32)
        phentsize, phnum, shentsize, shnum = struct.unpack_from(order + "HHHH", head, 54)
    end = max(phoff + phentsize * phnum, shoff + shentsize * shnum)
    if end > data_len:
        return f"is cut short: {data_len} bytes, its headers say at least {end}"
    return None
