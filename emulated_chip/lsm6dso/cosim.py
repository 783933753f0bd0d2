"""Co-simulation: the firmware's C LSM6DSO driver talks to the RTL model in simulated time.

The driver is compiled as a shared library and called through ctypes from a cocotb
bridge thread (:func:`cocotb.task.bridge`). Its bus callbacks run in that thread and
block on a :func:`cocotb.task.resume` coroutine that performs the I2C transaction on the
model, so every register access of the C code costs the simulated time it would on the
wire. The bus master is the bit-level Python :class:`~emulated_chip.lsm6dso.i2c_master.I2cMaster`
(``master="python"``) or the testbench's Verilog bus-functional master (``master="bfm"``):
same 400 kHz bit timing, one simulator round trip per byte instead of several per bit.

No Python exception crosses into C: a failing transaction is logged, kept in
:attr:`DriverCosim.bus_errors`, and the callback returns a negative errno.

Usage inside a cocotb test::

    cosim = DriverCosim(dut, library)
    await cosim.run(lambda fw: fw.init())
    cocotb.start_soon(SampleSource(dut).stream(samples))
    got = await cosim.run(lambda fw: fw.collect(len(samples)))
"""

from __future__ import annotations

import ctypes
import errno
import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from cocotb.task import bridge, resume
from cocotb.triggers import First, RisingEdge, Timer

from emulated_chip.lsm6dso.bridge import BusCallbacks, BusT, ConfigT, DevT, RawT, StatusT, errno_name, load_driver
from emulated_chip.lsm6dso.i2c_master import I2cBfmMaster, I2cMaster, I2cRegisterMaster
from emulated_chip.lsm6dso.regs import I2C_ADDRESS
from emulated_chip.lsm6dso.samples import RawSample

#: The repository's firmware tree.
FIRMWARE_DIR: Path = Path(__file__).resolve().parents[2] / "firmware_c"
#: Sources of the driver library.
DRIVER_SOURCES: tuple[Path, ...] = (FIRMWARE_DIR / "drivers" / "lsm6dso.c",)

T = TypeVar("T")


class CosimError(RuntimeError):
    """The co-simulation could not be set up or the firmware side failed."""


def build_driver_library(out_dir: Path, sources: Sequence[Path] = DRIVER_SOURCES,
                         compiler: str | None = None) -> Path:
    """Compile the driver into ``liblsm6dso_cosim.so`` in out_dir with the firmware's warnings."""
    cc = compiler or shutil.which("cc") or shutil.which("gcc")
    if cc is None:
        raise CosimError("no C compiler (cc or gcc) on PATH to build the driver library")
    out_dir.mkdir(parents=True, exist_ok=True)
    lib = out_dir / "liblsm6dso_cosim.so"
    cmd = [cc, "-std=c99", "-Wall", "-Wextra", "-Werror", "-Wshadow", "-Wdouble-promotion",
           "-O2", "-fPIC", "-shared", f"-I{FIRMWARE_DIR / 'include'}", f"-I{FIRMWARE_DIR / 'drivers'}",
           "-o", str(lib), *map(str, sources)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CosimError(f"building the driver library failed:\n{' '.join(cmd)}\n{done.stderr}")
    return lib


class Firmware:
    """The driver as the firmware uses it, called from the bridge thread.

    Every method blocks the calling (bridge) thread while the simulation runs the bus
    transactions; call them only from the function handed to :meth:`DriverCosim.run`.
    """

    def __init__(self, cosim: DriverCosim) -> None:
        self._cosim = cosim
        self._lib = cosim.lib
        self.dev = DevT()
        self._buf = (RawT * 64)()
        #: -EOVERFLOW results of lsm6dso_fifo_read() seen by :meth:`collect`.
        self.overflows = 0

    def init(self, config: ConfigT | None = None) -> None:
        """lsm6dso_init(); raises :class:`CosimError` with the errno name on failure."""
        rc = self._lib.lsm6dso_init(ctypes.byref(self.dev), ctypes.byref(self._cosim.bus),
                                    ctypes.byref(config) if config is not None else None)
        if rc != 0:
            raise CosimError(f"lsm6dso_init returned {errno_name(rc)}{self._cosim.bus_error_note()}")

    def fifo_read(self, max_samples: int = 64) -> list[RawSample] | int:
        """lsm6dso_fifo_read(): the samples read, or the negative errno it returned."""
        n = min(max_samples, len(self._buf))
        rc = self._lib.lsm6dso_fifo_read(ctypes.byref(self.dev), self._buf, n)
        if rc < 0:
            return rc
        return [self._buf[i].to_sample() for i in range(rc)]

    def status(self) -> StatusT:
        """lsm6dso_read_status()."""
        st = StatusT()
        rc = self._lib.lsm6dso_read_status(ctypes.byref(self.dev), ctypes.byref(st))
        if rc != 0:
            raise CosimError(f"lsm6dso_read_status returned {errno_name(rc)}{self._cosim.bus_error_note()}")
        return st

    def wait_int1(self, timeout_ms: float) -> bool:
        """Sleep until INT1 is high or timeout_ms of simulated time passed; True if INT1 is high."""
        return self._cosim.wait_int1_blocking(timeout_ms)

    def collect(self, count: int, poll_ms: float = 20.0, limit_ms: float = 10_000.0) -> list[RawSample]:
        """Run the firmware's sensor loop until count samples came out of the FIFO.

        Like the board port: sleep until INT1 (watermark) or a poll period, then drain
        the FIFO. Gives up after limit_ms of simulated time.
        """
        got: list[RawSample] = []
        waited_ms = 0.0
        while len(got) < count:
            if waited_ms > limit_ms:
                raise CosimError(f"only {len(got)} of {count} samples after {limit_ms} ms of simulated time")
            self.wait_int1(poll_ms)
            waited_ms += poll_ms
            while True:
                r = self.fifo_read(count - len(got))
                if isinstance(r, int):
                    if r == -errno.EOVERFLOW:
                        self.overflows += 1
                        continue
                    raise CosimError(f"lsm6dso_fifo_read returned {errno_name(r)}{self._cosim.bus_error_note()}")
                got.extend(r)
                if not r or len(got) >= count:
                    break
        return got



class DriverCosim:
    """The C driver on the model's I2C bus.

    Args:
        dut: the ``lsm6dso_tb`` toplevel handle.
        library: the driver library (see :func:`build_driver_library`, or the firmware's
            ``make lib`` output, which contains the driver too).
        master: ``"python"`` (bit-level, in Python) or ``"bfm"`` (the Verilog master), both
            fast mode (400 kHz).
    """

    def __init__(self, dut: Any, library: Path, master: str = "python") -> None:
        self.dut = dut
        self.lib = load_driver(library)
        self.i2c = make_master(dut, master)
        #: Exceptions raised by bus transactions, in order (each became a negative errno in C).
        self.bus_errors: list[BaseException] = []
        read_blocking = resume(self.i2c.read_regs)
        write_blocking = resume(self.i2c.write_regs)
        # the C side keeps the callback pointers: they live as long as this object
        self._callbacks = BusCallbacks(lambda reg, n: read_blocking(I2C_ADDRESS, reg, n),
                                       lambda reg, data: write_blocking(I2C_ADDRESS, reg, data), self.bus_errors)
        self.bus = BusT(ctx=None, read=self._callbacks.read_fn, write=self._callbacks.write_fn)
        self._wait_int1 = resume(self._wait_int1_coro)
        #: The firmware side; its driver state lives across :meth:`run` calls.
        self.firmware = Firmware(self)

    async def run(self, body: Callable[[Firmware], T]) -> T:
        """Run body(firmware) in a bridge thread and return its result (exceptions propagate)."""
        return await bridge(body)(self.firmware)

    def bus_error_note(self) -> str:
        """' (last bus error: ...)' to append to an error message, or '' when no bus transaction failed."""
        return f" (last bus error: {self.bus_errors[-1]!r})" if self.bus_errors else ""

    async def _wait_int1_coro(self, timeout_ms: float) -> bool:
        if not self.dut.int1.value:
            await First(RisingEdge(self.dut.int1), Timer(timeout_ms, "ms"))
        return bool(self.dut.int1.value)

    def wait_int1_blocking(self, timeout_ms: float) -> bool:
        """Block the bridge thread until INT1 is high or timeout_ms of simulated time passed."""
        return self._wait_int1(timeout_ms)


#: The bus masters a co-simulation can use.
MASTERS: tuple[str, ...] = ("python", "bfm")


def make_master(dut: Any, master: str) -> I2cRegisterMaster:
    """The I2C master named master (one of :data:`MASTERS`) on the ``lsm6dso_tb`` bus."""
    if master == "python":
        return I2cMaster(dut.scl_m, dut.sda_m, dut.scl, dut.sda)
    if master == "bfm":
        return I2cBfmMaster(dut)
    raise ValueError(f"unknown I2C master {master!r}; choose from {', '.join(MASTERS)}")


async def power_on(dut: Any) -> None:
    """Power-on reset of the model with I2C selected and the bus idle (bounded wait)."""
    dut.cs_n.value = 1
    dut.scl_m.value = 1
    dut.sda_m.value = 1
    dut.smp_strobe.value = 0
    dut.rst_n.value = 0
    await Timer(100, "ns")
    dut.rst_n.value = 1
    await Timer(5, "us")
