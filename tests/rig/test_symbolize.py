"""FAULT addresses as source: function, file and line from the ARM image, checked against binutils' addr2line."""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from rig.build import arm_elf, arm_toolchain_missing, elf_symbols
from rig.errors import FirmwareFault
from rig.symbolize import locate, symbolizer

pytestmark = pytest.mark.skipif(arm_toolchain_missing() is not None, reason=str(arm_toolchain_missing()))
ADDR2LINE = "arm-none-eabi-addr2line"


@pytest.fixture(scope="module")
def elf() -> Path:
    return arm_elf()


def test_functions_and_thumb_return_addresses(elf: Path) -> None:
    start = elf_symbols(elf)["port_fault_test"]
    at = locate(elf, start + 4)
    assert (at.function, at.offset) == ("port_fault_test", 4)
    assert at.file == "firmware_c/ports/stm32f4/main.c" and at.line is not None
    lr = locate(elf, start + 5)  # a return address carries the Thumb bit
    assert (lr.function, lr.offset, lr.file, lr.line) == (at.function, at.offset, at.file, at.line)
    nowhere = locate(elf, 0x2FFF0000)
    assert (nowhere.function, nowhere.file, str(nowhere)) == (None, None, "?")


@pytest.mark.skipif(shutil.which(ADDR2LINE) is None, reason=f"{ADDR2LINE} not installed")
def test_file_and_line_agree_with_addr2line(elf: Path) -> None:
    rng = random.Random(7)
    # functions only: a data object in flash (the vector table) has no line row of its own, and
    # addr2line names its declaration instead
    code = [a for a in elf_symbols(elf).values() if 0x08000000 <= a < 0x08100000 and locate(elf, a).function]
    addresses = [a + rng.choice((0, 2, 4, 6, 8, 10, 20, 40)) for a in rng.sample(code, min(80, len(code)))]
    out = subprocess.run([ADDR2LINE, "-e", str(elf), *map(hex, addresses)], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    compared = 0
    for address, line in zip(addresses, out):
        path, _, number = line.partition(":")
        number = number.split()[0] if number else "?"
        if number in ("?", "0"):
            continue  # no line information there (library code): nothing to compare
        at = locate(elf, address)
        assert at.file is not None and path.endswith(at.file.split("/")[-1]) and str(at.line) == number, (
            f"0x{address:08x}: {at} but addr2line says {line}")
        compared += 1
    assert compared > 40


def test_fault_error_names_function_file_and_line(elf: Path) -> None:
    start = elf_symbols(elf)["app_poll"]
    payload = {"reason": "HARDFAULT", "pc": start + 2, "lr": start + 9, "cfsr": 0, "hfsr": 0, "bfar": 0}
    err = FirmwareFault.from_payload(payload, Path("rx.bin"), symbolizer(elf))
    text = str(err)
    assert f"pc=0x{start + 2:08x}" in text  # the registers stay as they were
    assert f"pc 0x{start + 2:08x}: app_poll+0x2 at firmware_c/src/app.c:" in text
    assert f"lr 0x{start + 9:08x}: app_poll+0x8 at firmware_c/src/app.c:" in text
    assert symbolizer(None) is None
    assert "? (" in symbolizer(elf.parent / "missing.elf")(0x08000000)  # type: ignore[misc]
