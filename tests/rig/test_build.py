"""rig.build: the STM32F4 image (warning-free, memory map of the F401RE and QEMU's F405, float32 only), lock, ELF."""

from __future__ import annotations

import errno
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import rig.build
from rig.build import APT_ARM, FIRMWARE_DIR, arm_elf, build_lock, elf_symbols, make
from rig.errors import RigError
from rig.targets.qemu import MAILBOX_FORMAT, MAILBOX_MAGIC, MAILBOX_SYMBOL, mailbox_bytes

FLASH = (0x08000000, 512 * 1024)  # STM32F401RE
SRAM = (0x20000000, 96 * 1024)  # STM32F401: the F405's first 128 KiB contain it


needs_arm_gcc = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                   reason=f"arm-none-eabi-gcc not installed: {APT_ARM}")


@pytest.fixture(scope="module")
def elf() -> Path:
    return arm_elf()


def _arm_tool(tool: str, *args: str) -> str:
    return subprocess.run([f"arm-none-eabi-{tool}", *args], capture_output=True, text=True, check=True,
                          timeout=60).stdout


@needs_arm_gcc
def test_build_from_scratch_is_warning_free(tmp_path: Path) -> None:
    proc = subprocess.run(["make", "-C", str(FIRMWARE_DIR), "arm", f"BUILD={tmp_path}"], capture_output=True,
                          text=True, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "warning" not in (proc.stderr + proc.stdout).lower(), proc.stderr
    # The build prints the image size (arm-none-eabi-size) for the record.
    assert re.search(r"text\s+data\s+bss", proc.stdout), proc.stdout
    assert (tmp_path / "arm" / "stridelab-fw.elf").exists() and (tmp_path / "arm" / "stridelab-fw.bin").exists()


@needs_arm_gcc
def test_image_fits_the_smaller_part(elf: Path) -> None:
    text, data, bss = (int(v) for v in _arm_tool("size", str(elf)).splitlines()[1].split()[:3])
    assert text + data <= FLASH[1], f"flash: {text + data} bytes"
    assert data + bss + 4096 + 256 <= SRAM[1], f"SRAM: {data + bss} bytes + 4 KiB stack + mailbox"
    for line in _arm_tool("readelf", "-lW", str(elf)).splitlines():
        fields = line.split()
        if fields[:1] == ["LOAD"]:
            vaddr, paddr, memsz = int(fields[2], 16), int(fields[3], 16), int(fields[5], 16)
            assert FLASH[0] <= paddr and paddr + memsz <= FLASH[0] + FLASH[1] or \
                SRAM[0] <= vaddr and vaddr + memsz <= SRAM[0] + SRAM[1], line


@needs_arm_gcc
def test_vector_table_boots_from_flash(elf: Path) -> None:
    symbols = elf_symbols(elf)
    image = (elf.parent / "stridelab-fw.bin").read_bytes()
    initial_sp, reset = struct.unpack_from("<II", image, 0)
    assert symbols["g_vectors"] == FLASH[0]
    assert initial_sp == symbols["_estack"] and initial_sp % 8 == 0
    assert reset == symbols["Reset_Handler"] | 1, "the reset vector must point at Thumb code"
    usart2 = struct.unpack_from("<I", image, 4 * (16 + 38))[0]
    assert usart2 == symbols["USART2_IRQHandler"] | 1


@needs_arm_gcc
def test_mailbox_sits_at_the_top_of_sram_and_matches_python(elf: Path) -> None:
    symbols = elf_symbols(elf)
    assert symbols[MAILBOX_SYMBOL] == SRAM[0] + SRAM[1] - 256 == symbols["_estack"]
    blob = mailbox_bytes(3, "/runs/x/link_rx.bin")
    assert len(blob) == struct.calcsize(MAILBOX_FORMAT) == 256
    magic, inv, flags, _ = struct.unpack_from("<IIII", blob)
    assert (magic, inv, flags) == (MAILBOX_MAGIC, MAILBOX_MAGIC ^ 0xFFFFFFFF, 3)
    assert blob[16:].rstrip(b"\0") == b"/runs/x/link_rx.bin"


@needs_arm_gcc
def test_float32_hard_float_and_no_heap(elf: Path) -> None:
    attrs = _arm_tool("readelf", "-A", str(elf))
    assert "Tag_ABI_VFP_args: VFP registers" in attrs and "VFPv4-D16" in attrs
    names = set(elf_symbols(elf))
    doubles = sorted(n for n in names if re.match(r"__aeabi_d|__(add|sub|mul|div)df3|__extendsfdf2", n))
    assert not doubles, f"double-precision arithmetic linked in: {doubles}"
    heap = sorted(names & {"malloc", "free", "calloc", "realloc", "_sbrk", "_malloc_r"})
    assert not heap, f"heap functions linked in: {heap}"


def test_mailbox_rejects_a_path_it_cannot_hold() -> None:
    with pytest.raises(Exception, match="mailbox holds 231"):
        mailbox_bytes(2, "/" + "x" * 300)
    with pytest.raises(Exception, match="mailbox holds 231"):
        mailbox_bytes(2, "/" + "x" * 231)  # 232 bytes would run into the sensor words
    assert len(mailbox_bytes(2, "/" + "x" * 230)) == 256


def test_a_build_lock_held_too_long_is_reported() -> None:
    with build_lock():
        # a second worker (here, a second open file description of the same lock) gives up with a reason
        with pytest.raises(RigError, match="held .*\\.lock for over 0.2 s"):
            with build_lock(timeout_s=0.2):
                pass


def test_a_checkout_that_cannot_be_written_builds_without_the_lock(monkeypatch: pytest.MonkeyPatch) -> None:
    """A read-only checkout with every product built: each command ended in '[Errno 30] Read-only file system:
    .../firmware_c/build/.lock' before make could find the products current."""
    def read_only(*args: object, **kw: object) -> object:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(rig.build, "open", read_only, raising=False)
    with build_lock():
        pass
    assert make("host", rig.build.HOST_BINARY) == rig.build.HOST_BINARY


def test_a_build_lock_in_the_way_of_a_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "build").write_text("")  # firmware_c/build a regular file: the lock cannot go under it
    monkeypatch.setattr(rig.build, "BUILD_DIR", tmp_path / "build")
    with pytest.raises(RigError, match="cannot take the build lock .*build/.lock"):
        with build_lock():
            pass


def test_elf_symbols_refuses_a_file_that_is_no_elf(tmp_path: Path) -> None:
    bogus = tmp_path / "image.elf"
    bogus.write_bytes(b"not an ELF at all")
    with pytest.raises(RigError, match="image.elf is not a readable ELF file"):
        elf_symbols(bogus)


def test_make_runs_again_only_when_a_source_or_the_product_changed(tmp_path: Path) -> None:
    """A product asked for per test is made once for each state of its sources (rig.build.make)."""
    sources, product, runs = tmp_path / "src", tmp_path / "out.txt", tmp_path / "runs.log"
    sources.mkdir()
    (sources / "in.txt").write_text("one\n")
    # the recipe always runs when make is called: the log counts the calls
    (sources / "Makefile").write_text(f".PHONY: all\nall:\n\tcp in.txt {product} && echo made >> {runs}\n")

    def made() -> int:
        return len(runs.read_text().splitlines()) if runs.exists() else 0

    for _ in range(3):
        assert make("all", product, directory=sources, what="a test product") == product
    assert made() == 1, "make ran again although nothing changed"
    (sources / "in.txt").write_text("two, longer\n")  # a source changed: make runs
    make("all", product, directory=sources, what="a test product")
    assert made() == 2 and product.read_text() == "two, longer\n"
    product.unlink()  # the product went away: make runs
    make("all", product, directory=sources, what="a test product")
    assert made() == 3 and product.exists()
