"""Addresses of a firmware image as source: function, file and line, from the ELF's symbols and DWARF.

A FAULT frame carries the PC and LR of the crash; `describe(elf, address)` turns each into
"port_fault_test at ports/stm32f4/main.c:65" (pyelftools, no external tool). The image is read
once per build (cached on path, mtime and size).
"""

from __future__ import annotations

import bisect
import functools
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from rig.build import FIRMWARE_DIR


@dataclass(frozen=True)
class Location:
    """Where an address is in the source; None for what the image does not say."""

    address: int
    function: str | None
    offset: int | None  # bytes into the function
    file: str | None
    line: int | None

    def __str__(self) -> str:
        where = f"{self.function}+0x{self.offset:x}" if self.function and self.offset else (self.function or "?")
        src = f" at {self.file}:{self.line}" if self.file and self.line else ""
        return f"{where}{src}"


@dataclass(frozen=True)
class _Image:
    functions: tuple[tuple[int, int, str], ...]  # (start, size, name), sorted by start
    starts: tuple[int, ...]
    rows: tuple[tuple[int, str, int], ...]  # (address, file, line) of every line-table row, sorted
    row_addresses: tuple[int, ...]
    ends: tuple[int, ...]  # end addresses of the line-table sequences, sorted


def _short(path: str) -> str:
    """A source path relative to the firmware's directory when it lies inside it."""
    try:
        return os.path.relpath(path, FIRMWARE_DIR.parent) if os.path.isabs(path) and \
            Path(path).resolve().is_relative_to(FIRMWARE_DIR.parent) else path
    except (OSError, ValueError):
        return path


def _file_name(lineprog: object, index: int, comp_dir: str) -> str:
    header = lineprog.header  # type: ignore[attr-defined]
    version = header["version"]
    entries = header["file_entry"]
    entry = entries[index] if version >= 5 else entries[index - 1]
    name = entry.name.decode(errors="replace")
    dirs = header["include_directory"]
    d_index = entry.dir_index
    directory = comp_dir
    if version >= 5 and d_index < len(dirs):
        directory = dirs[d_index].decode(errors="replace")
    elif version < 5 and 0 < d_index <= len(dirs):
        directory = dirs[d_index - 1].decode(errors="replace")
    path = name if os.path.isabs(name) else os.path.join(directory, name)
    if not os.path.isabs(path) and comp_dir:
        path = os.path.join(comp_dir, path)
    return _short(os.path.normpath(path))


@functools.lru_cache(maxsize=4)
def _image(elf: Path, _mtime_ns: int, _size: int) -> _Image:
    functions: list[tuple[int, int, str]] = []
    rows: list[tuple[int, str, int]] = []
    ends: list[int] = []
    with open(elf, "rb") as f:
        image = ELFFile(f)
        thumb = image["e_machine"] == "EM_ARM"
        for section in image.iter_sections():
            if isinstance(section, SymbolTableSection):
                for sym in section.iter_symbols():
                    if sym["st_info"]["type"] == "STT_FUNC" and sym.name and sym["st_shndx"] != "SHN_UNDEF":
                        start = int(sym["st_value"]) & (~1 if thumb else ~0)
                        functions.append((start, int(sym["st_size"]), sym.name))
        if image.has_dwarf_info():
            dwarf = image.get_dwarf_info()
            for cu in dwarf.iter_CUs():
                top = cu.get_top_DIE()
                comp_dir_attr = top.attributes.get("DW_AT_comp_dir")
                comp_dir = comp_dir_attr.value.decode(errors="replace") if comp_dir_attr else ""
                lineprog = dwarf.line_program_for_CU(cu)
                if lineprog is None:
                    continue
                names: dict[int, str] = {}
                for entry in lineprog.get_entries():
                    state = entry.state
                    if state is None:
                        continue
                    if state.end_sequence:
                        ends.append(int(state.address))
                        continue
                    if state.file not in names:
                        try:
                            names[state.file] = _file_name(lineprog, state.file, comp_dir)
                        except (IndexError, KeyError, AttributeError):
                            names[state.file] = "?"
                    rows.append((int(state.address), names[state.file], int(state.line)))
    functions.sort()
    rows.sort(key=lambda r: r[0])  # stable: rows at one address keep the line table's order
    ends.sort()
    return _Image(tuple(functions), tuple(s for s, _, _ in functions), tuple(rows), tuple(a for a, _, _ in rows),
                  tuple(ends))


def locate(elf: Path, address: int) -> Location:
    """The function (from the symbol table) and the file and line (from DWARF) of address in elf.

    A Thumb return address (bit 0 set, as in LR) is looked up without that bit. Raises OSError when
    the file cannot be read; anything pyelftools cannot parse reads as an unknown location."""
    st = elf.stat()
    try:
        image = _image(elf.resolve(), st.st_mtime_ns, st.st_size)
    except OSError:
        raise
    except Exception:  # noqa: BLE001 - pyelftools raises its own errors on a file that is no ELF
        return Location(address, None, None, None, None)
    addr = address & ~1
    function = offset = None
    i = bisect.bisect_right(image.starts, addr) - 1
    if i >= 0:
        start, size, name = image.functions[i]
        if start <= addr < start + max(size, 1):
            function, offset = name, addr - start
    file = line = None
    j = bisect.bisect_right(image.row_addresses, addr) - 1
    if j >= 0:
        row_addr = image.row_addresses[j]
        # several rows at one address: the last names what runs there (the others have no length), as in addr2line
        _, row_file, row_line = image.rows[j]
        # the row covers addr unless a sequence ended between them
        k = bisect.bisect_right(image.ends, row_addr)
        if k >= len(image.ends) or image.ends[k] > addr:
            file, line = row_file, row_line
    return Location(address, function, offset, file, line)


def symbolizer(elf: Path | None) -> Callable[[int], str] | None:
    """A function address -> 'function+0x.. at file:line' for elf, or None without an image.
    An image that cannot be read gives '?' rather than hiding the crash behind another error."""
    if elf is None:
        return None

    def describe(address: int) -> str:
        try:
            return str(locate(elf, address))
        except OSError as exc:
            return f"? ({elf}: {exc.strerror})"

    return describe


def code_lines(elf: Path) -> dict[str, set[int]]:
    """The source lines the image has code for (its DWARF line table), by file."""
    st = elf.stat()
    out: dict[str, set[int]] = {}
    for _, file, line in _image(elf.resolve(), st.st_mtime_ns, st.st_size).rows:
        if line > 0:
            out.setdefault(file, set()).add(line)
    return out


def lines_run(elf: Path, addresses: set[int]) -> dict[str, set[int]]:
    """The source lines of the instructions at addresses (instructions that ran), by file."""
    out: dict[str, set[int]] = {}
    for address in addresses:
        at = locate(elf, address)
        if at.file is not None and at.line:
            out.setdefault(at.file, set()).add(at.line)
    return out
