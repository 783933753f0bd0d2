"""Build products: every artifact the rig runs or loads, built and current, from one place.

Targets launch what this module hands them and never run a compiler themselves:

| artifact | function | built by |
|---|---|---|
| native firmware | :func:`host_binary` | ``make -C firmware_c host`` |
| ... with gcov counters | :func:`host_coverage_binary` | ``make -C firmware_c host-cov`` |
| analyzer library (ctypes) | :func:`analyzer_library` | ``make -C firmware_c lib`` |
| co-simulation port library | :func:`cosim_port_library` | ``make -C firmware_c -f ports/cosim/cosim.mk cosim`` |
| STM32F4 image (ELF) | :func:`arm_elf` | ``make -C firmware_c arm`` |
| its symbols, disassembly | :func:`elf_symbols`, :func:`disassembly` | pyelftools, ``arm-none-eabi-objdump`` |
| a C struct's layout in a ``-g`` build | :func:`c_struct_layout` | pyelftools (DWARF) |
| QEMU instruction-count plugin | :func:`qemu_plugin` | ``make -C emulated_chip/qemu`` |
| LSM6DSO model simulation | :func:`simulation` | cocotb's runner (``rig.targets.cocotb_launch build``) |

Every build runs under one lock (:func:`build_lock`), so parallel pytest-xdist
workers build each product once; ``make`` is a no-op when a product is current.
A build runs in a process group of its own, ended whole when it is cut short (its time
limit, Ctrl-C, SIGTERM): no compiler goes on running after the rig (:mod:`rig.process_group`).
Make goals are called by name: a product's recipe lives in its makefile alone.
Within one process a product is made once for each state of its sources: ``make`` runs
again only when a file under the makefile's directory, the product itself or the
environment changed since the last build (a test session asks for the image per test).
"""

from __future__ import annotations

import errno
import fcntl
import functools
import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal
from pathlib import Path

from elftools.elf.elffile import ELFFile
from elftools.elf.sections import SymbolTableSection

from emulated_chip.lsm6dso import HDL_SOURCES
from emulated_chip.lsm6dso.simulators import get_simulator
from rig.elf_check import EM_ARM, elf_damage, host_machine
from rig.errors import RigError, TargetUnavailable
from rig.process_group import run_group

REPO = Path(__file__).resolve().parents[1]
FIRMWARE_DIR = REPO / "firmware_c"
BUILD_DIR = FIRMWARE_DIR / "build"
QEMU_DIR = REPO / "emulated_chip" / "qemu"

HOST_BINARY = BUILD_DIR / "host" / "stridelab-fw"
#: The native firmware under AddressSanitizer and UBSan (`make -C firmware_c host-san`).
HOST_SAN_BINARY = BUILD_DIR / "host-san" / "stridelab-fw"
#: The native firmware with gcov counters (`make -C firmware_c host-cov`): its .gcno/.gcda files lie beside it.
HOST_COV_BINARY = BUILD_DIR / "host-cov" / "stridelab-fw"
ANALYZER_LIBRARY = BUILD_DIR / "host" / "libstridelab.so"
ARM_ELF = BUILD_DIR / "arm" / "stridelab-fw.elf"
QEMU_PLUGIN = BUILD_DIR / "qemu-plugin" / "insn_count.so"
#: The TCG plugin that records which instructions ran (the ARM image's coverage).
QEMU_COVER_PLUGIN = BUILD_DIR / "qemu-plugin" / "pc_cover.so"
#: The co-simulation port's makefile, relative to firmware_c/, and its product.
COSIM_MAKEFILE = "ports/cosim/cosim.mk"
COSIM_PORT_LIBRARY = BUILD_DIR / "cosim" / "libstridelab_cosim.so"
#: Where simulation builds of the sensor model are kept, one directory per simulator and option set.
SIM_BUILD_ROOT = BUILD_DIR / "cocotb"

ARM_GCC = "arm-none-eabi-gcc"
ARM_OBJDUMP = "arm-none-eabi-objdump"
APT_ARM = "apt-get install gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi"

#: Longest wait for another worker's build, s (a Verilator build of the model takes a few minutes).
LOCK_TIMEOUT_S = 1200.0


def missing_tools(*tools: str) -> list[str]:
    """The tools among `tools` that are not on PATH."""
    return [t for t in tools if shutil.which(t) is None]


@contextmanager
def build_lock(timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Serialize builds between parallel test workers (the one lock every build takes).

    Raises RigError if another build holds the lock for more than timeout_s seconds.
    """
    path = BUILD_DIR / ".lock"
    try:
        BUILD_DIR.mkdir(parents=True, exist_ok=True)
        lock = open(path, "a")
    except OSError as exc:
        if exc.errno not in (errno.EROFS, errno.EACCES, errno.EPERM):
            raise RigError(f"cannot take the build lock {path} ({exc.strerror}); make firmware_c/build a directory "
                           "this user can write (or remove what is in its place)") from None
        # a checkout this user cannot write (mounted read-only, another user's): no build can run here at
        # the same time to guard against, and make finds its products current or says it cannot write them;
        # every command used to end in '[Errno 30] Read-only file system: .../firmware_c/build/.lock'
        yield
        return
    deadline = time.monotonic() + timeout_s
    with lock:
        while True:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise RigError(f"another build held {path} for over {timeout_s:g} s: is a build hung?") from None
                time.sleep(0.05)
        yield


def sources_stamp(directory: Path) -> str:
    """A digest of what a make goal in directory depends on: every file under it (path, mtime,
    size; firmware_c/build left out) and the environment make runs in."""
    h = hashlib.sha256()
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if Path(root, d) != BUILD_DIR and not d.startswith("."))
        for name in sorted(files):
            try:
                st = os.stat(os.path.join(root, name))
            except OSError:
                continue  # removed while walking: the next call sees the tree as it is
            h.update(f"{root}/{name}\0{st.st_mtime_ns}\0{st.st_size}\n".encode())
    h.update(repr(sorted(os.environ.items())).encode())
    return h.hexdigest()


def _product_stamp(product: Path) -> tuple[int, int] | None:
    try:
        st = product.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


#: make command -> (sources_stamp before it ran, the product's stamp after) of its last success here.
_MADE: dict[tuple[str, ...], tuple[str, tuple[int, int] | None]] = {}


def make(goal: str, product: Path, timeout_s: float = 300.0, *, directory: Path | None = None,
         args: tuple[str, ...] = (), what: str = "the firmware", machine: int | None | Literal["host"] = "host") -> Path:
    """Run `make -C DIRECTORY [ARGS] GOAL` under the build lock (a no-op when up to date); return product.

    DIRECTORY defaults to firmware_c/. make is not run again in this process while nothing it
    depends on changed (sources_stamp, and the product as it was left). Raises RigError with the command and its output when the
    build fails or product is missing, TargetUnavailable when make is not installed.
    A product that is no whole ELF file for `machine` (an ELF e_machine; "host": this machine's;
    rig.elf_check) is removed first, so make builds it again instead of keeping it by its date.
    """
    directory = directory or FIRMWARE_DIR
    cmd = ["make", "-s", "-C", str(directory), *args, goal]
    key = tuple(cmd)
    sources = sources_stamp(directory)
    if _MADE.get(key) == (sources, _product_stamp(product)):
        return product
    with build_lock():
        _remove_if_damaged(product, host_machine() if machine == "host" else machine)
        try:
            proc = run_group(cmd, timeout_s)
        except FileNotFoundError:
            raise TargetUnavailable("`make` is not installed: apt-get install make gcc") from None
        except subprocess.TimeoutExpired:
            raise RigError(f"building {what} (`{' '.join(cmd)}`) took over {timeout_s:g} s") from None
    if proc.returncode != 0 or not product.exists():
        _MADE.pop(key, None)
        raise RigError(f"building {what} failed: `{' '.join(cmd)}` exited {proc.returncode}\n{proc.stderr[-3000:]}")
    _MADE[key] = (sources, _product_stamp(product))
    return product


def _remove_if_damaged(product: Path, machine: int | None) -> None:
    """Remove product when it exists but is no whole ELF for machine (make then builds it again)."""
    if not product.is_file():
        return
    why = elf_damage(product, machine)
    if why is None:
        return
    try:
        product.unlink()
    except OSError as exc:
        raise RigError(f"the build product {product} {why}, and it cannot be removed to build it again "
                       f"({exc.strerror}): remove it (or make -C firmware_c clean)") from None
    print(f"rig: the build product {product} {why}: building it again", file=sys.stderr)


# ---- host builds ------------------------------------------------------------------------


def host_binary() -> Path:
    """The native firmware (`make -C firmware_c host`), built and current."""
    return make("host", HOST_BINARY, what="the native firmware")


def host_sanitized_binary() -> Path:
    """The native firmware built with AddressSanitizer and UBSan (`make -C firmware_c host-san`), current."""
    return make("host-san", HOST_SAN_BINARY, what="the native firmware under ASan/UBSan")


def host_coverage_binary() -> Path:
    """The native firmware with gcov counters (`make -C firmware_c host-cov`), current."""
    return make("host-cov", HOST_COV_BINARY, what="the native firmware with gcov counters")


def analyzer_library() -> Path:
    """The analyzer as a shared library for ctypes (`make -C firmware_c lib`), built and current."""
    return make("lib", ANALYZER_LIBRARY, what="the analyzer library")


def cosim_port_library(timeout_s: float = 300.0) -> Path:
    """The co-simulation port library the cocotb testbench loads, built and current."""
    return make("cosim", COSIM_PORT_LIBRARY, timeout_s, args=("-f", COSIM_MAKEFILE), what="the co-simulation port")


# ---- the ARM image ----------------------------------------------------------------------


def arm_toolchain_missing() -> str | None:
    """Why the STM32F4 image cannot be built here (what to install), or None when it can.

    The compiler is asked for newlib-nano once per process for each compiler found on PATH."""
    missing = missing_tools(ARM_GCC, ARM_OBJDUMP, "make")
    if missing:
        return f"{', '.join(missing)} not installed: {APT_ARM} make"
    gcc = shutil.which(ARM_GCC)
    assert gcc is not None  # missing_tools found it
    return _newlib_missing(gcc, *_stamp(Path(gcc)))


@functools.lru_cache(maxsize=4)
def _newlib_missing(gcc: str, _mtime_ns: int, _size: int) -> str | None:
    try:
        libc = subprocess.run([gcc, "--specs=nano.specs", "-print-file-name=libc_nano.a"],
                              capture_output=True, text=True, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"{ARM_GCC} does not run ({exc}): {APT_ARM}"
    if not os.path.isabs(libc):
        return f"newlib-nano for {ARM_GCC} is missing: {APT_ARM}"
    return None


def arm_elf() -> Path:
    """The STM32F4 image (`make -C firmware_c arm`), built and current: the ELF QEMU, Renode and a board run."""
    return make("arm", ARM_ELF, what="the STM32F4 image", machine=EM_ARM)


def _stamp(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise RigError(f"cannot read {path}: {exc}") from None
    return st.st_mtime_ns, st.st_size


def elf_symbols(elf: Path) -> dict[str, int]:
    """Addresses of the defined symbols of an ELF (functions, objects, linker symbols), by name.

    Functions of an ARM image are at their code's address, without the Thumb bit (as nm prints them).

    Read once per process for each build of the file (cached on its path, mtime and size).
    """
    return dict(_elf_symbols(elf.resolve(), *_stamp(elf)))


@functools.lru_cache(maxsize=8)
def _elf_symbols(elf: Path, _mtime_ns: int, _size: int) -> tuple[tuple[str, int], ...]:
    out: dict[str, int] = {}
    try:
        with open(elf, "rb") as f:
            elf_file = ELFFile(f)
            # Thumb functions carry bit 0 in st_value; the address of the code is without it (as nm prints)
            thumb = elf_file["e_machine"] == "EM_ARM"
            for section in elf_file.iter_sections():
                if not isinstance(section, SymbolTableSection):
                    continue
                for sym in section.iter_symbols():
                    kind = sym["st_info"]["type"]
                    if (not sym.name or sym.name.startswith("$") or sym["st_shndx"] == "SHN_UNDEF"
                            or kind in ("STT_FILE", "STT_SECTION")):
                        continue
                    value = int(sym["st_value"])
                    out[sym.name] = value & ~1 if thumb and kind == "STT_FUNC" else value
    except OSError as exc:
        raise RigError(f"cannot read {elf}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - pyelftools raises its own errors on a file that is no ELF
        raise RigError(f"{elf} is not a readable ELF file: {exc}") from None
    return tuple(out.items())


@dataclass(frozen=True)
class CStructLayout:
    """A C struct as the compiler laid it out: its size and each member's offset, bytes."""

    name: str
    size: int
    #: (member name, offset) in declaration order.
    members: tuple[tuple[str, int], ...]


def c_struct_layout(binary: Path, typedef: str) -> CStructLayout:
    """The layout of struct `typedef` (a typedef name, e.g. gait_stride_t) from the DWARF of a -g build.

    Read once per process for each build of the file. Raises RigError when the file has no
    debug information or no such typedef.
    """
    layouts = dict(_c_struct_layouts(binary.resolve(), *_stamp(binary)))
    if not layouts:
        raise RigError(f"{binary} has no DWARF debug information: build it with -g to check its structs")
    try:
        return layouts[typedef]
    except KeyError:
        raise RigError(f"{binary} defines no struct typedef {typedef!r} (has: {', '.join(sorted(layouts)) or 'none'})") from None


@functools.lru_cache(maxsize=4)
def _c_struct_layouts(binary: Path, _mtime_ns: int, _size: int) -> tuple[tuple[str, CStructLayout], ...]:
    out: dict[str, CStructLayout] = {}
    try:
        with open(binary, "rb") as f:
            elf_file = ELFFile(f)
            if not elf_file.has_dwarf_info():
                return ()
            for cu in elf_file.get_dwarf_info().iter_CUs():
                for die in cu.iter_DIEs():
                    if die.tag != "DW_TAG_typedef" or "DW_AT_name" not in die.attributes:
                        continue
                    name = die.attributes["DW_AT_name"].value.decode()
                    if name in out or "DW_AT_type" not in die.attributes:
                        continue
                    struct = die.get_DIE_from_attribute("DW_AT_type")
                    if struct.tag != "DW_TAG_structure_type" or "DW_AT_byte_size" not in struct.attributes:
                        continue
                    members = tuple(
                        (m.attributes["DW_AT_name"].value.decode(), int(m.attributes["DW_AT_data_member_location"].value))
                        for m in struct.iter_children()
                        if m.tag == "DW_TAG_member" and "DW_AT_name" in m.attributes
                        and "DW_AT_data_member_location" in m.attributes
                    )
                    out[name] = CStructLayout(name, int(struct.attributes["DW_AT_byte_size"].value), members)
    except OSError as exc:
        raise RigError(f"cannot read {binary}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - pyelftools raises its own errors on malformed DWARF
        raise RigError(f"cannot read the debug information of {binary}: {exc}") from None
    return tuple(out.items())


def disassembly(elf: Path) -> list[str]:
    """Lines of `arm-none-eabi-objdump -d` of the image (run once per process for each build of the file)."""
    return list(_disassembly(elf.resolve(), *_stamp(elf)))


@functools.lru_cache(maxsize=2)
def _disassembly(elf: Path, _mtime_ns: int, _size: int) -> tuple[str, ...]:
    try:
        out = subprocess.run([ARM_OBJDUMP, "-d", "--no-show-raw-insn", str(elf)], capture_output=True, text=True,
                             timeout=60, check=True).stdout
    except FileNotFoundError:
        raise TargetUnavailable(f"{ARM_OBJDUMP} is not installed: {APT_ARM}") from None
    except subprocess.CalledProcessError as exc:
        raise RigError(f"{ARM_OBJDUMP} -d {elf} failed: {exc.stderr.strip()}") from None
    return tuple(out.splitlines())


def qemu_plugin(timeout_s: float = 120.0) -> Path:
    """The instruction-counting TCG plugin, built from source with the host compiler; its .so."""
    return make("all", QEMU_PLUGIN, timeout_s, directory=QEMU_DIR, args=(f"BUILD={QEMU_PLUGIN.parent}",),
                what="the QEMU plugin")


def qemu_cover_plugin(timeout_s: float = 120.0) -> Path:
    """The TCG plugin that records the address of every instruction that ran; its .so."""
    return make("all", QEMU_COVER_PLUGIN, timeout_s, directory=QEMU_DIR, args=(f"BUILD={QEMU_COVER_PLUGIN.parent}",),
                what="the QEMU coverage plugin")


# ---- the sensor model under a simulator -----------------------------------------------------


def _simulation_key(simulator: str, fifo_aw: int, waves: bool) -> str:
    h = hashlib.sha256()
    for src in HDL_SOURCES:
        h.update(src.name.encode() + b"\0" + src.read_bytes())
    args = get_simulator(simulator).build_args(waves)
    h.update(f"{simulator} FIFO_AW={fifo_aw} waves={waves} args={args} "
             f"cocotb={importlib.metadata.version('cocotb')}".encode())
    return h.hexdigest()


def simulation_child_env() -> dict[str, str]:
    """This process's environment without what would change how cocotb's runner behaves."""
    drop = ("PYTEST_CURRENT_TEST", "WAVES", "GUI", "TESTCASE", "COCOTB_TEST_FILTER", "COCOTB_RESULTS_FILE")
    return {k: v for k, v in os.environ.items() if k not in drop}


def simulation(simulator: str, fifo_aw: int, waves: bool, timeout_s: float = 600.0) -> Path:
    """The LSM6DSO model built for simulator (once per source change); its build directory.

    The build runs in a child process (``python -m rig.targets.cocotb_launch build``) so a hung
    simulator build can be killed; its log is ``build.log`` in the build directory.
    """
    sim = get_simulator(simulator)
    build_dir = SIM_BUILD_ROOT / f"{simulator}-fifo{1 << fifo_aw}{'-waves' if waves else ''}"
    stamp = build_dir / "stridelab.stamp"
    key = _simulation_key(simulator, fifo_aw, waves)
    cmd = [sys.executable, "-m", "rig.targets.cocotb_launch", "build", "--simulator", simulator,
           "--build-dir", str(build_dir), "--fifo-aw", str(fifo_aw), *(["--waves"] if waves else [])]
    with build_lock():
        if stamp.is_file() and stamp.read_text() == key and sim.product(build_dir).is_file():
            return build_dir
        stamp.unlink(missing_ok=True)
        try:
            proc = run_group(cmd, timeout_s, cwd=REPO, env=simulation_child_env(), stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            raise RigError(f"building the LSM6DSO model for {simulator} took over {timeout_s:g} s; "
                           f"see {build_dir / 'build.log'}") from None
        if proc.returncode != 0 or not sim.product(build_dir).is_file():
            raise RigError(f"building the LSM6DSO model for {simulator} failed (exit status {proc.returncode}): "
                           f"{proc.stderr.strip()[-1500:]}\n  see {build_dir / 'build.log'}{_build_hint(build_dir)}")
        stamp.write_text(key)
    return build_dir


def _build_hint(build_dir: Path) -> str:
    """What to do about a build failure the log explains."""
    try:
        log = (build_dir / "build.log").read_text(errors="replace")
    except OSError:
        return ""
    if "lz4.h" in log:
        return ("\n  Verilator's FST trace writer needs the LZ4 headers: apt-get install liblz4-dev, "
                "or run without STRIDELAB_COCOTB_WAVES")
    return ""
