"""The one ctypes bridge between the C firmware and the simulated sensor.

- mirrors of the C structures and callbacks of ``firmware_c/drivers/lsm6dso.h`` (the driver
  alone, :func:`load_driver`) and ``firmware_c/ports/cosim/cosim_port.h`` (the whole firmware
  on the co-simulation port, :func:`load_port`, which checks every structure's size against C);
- :class:`BusCallbacks`: the I2C bus read/write callbacks C calls, both for the driver and for
  the port. No Python exception crosses into C: a failing transaction is kept in a list and
  the callback returns a negative errno (:func:`errno_for_c`; :func:`errno_name` prints one).
"""

from __future__ import annotations

import ctypes
import errno
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from emulated_chip.lsm6dso.i2c_master import I2cNack
from emulated_chip.lsm6dso.samples import RawSample

_log = logging.getLogger(__name__)


# ---- errors across the C boundary -----------------------------------------------------------


def errno_name(rc: int) -> str:
    """-ETIMEDOUT for -110, and so on; a non-negative rc as its number."""
    return f"-{errno.errorcode.get(-rc, str(-rc))}" if rc < 0 else str(rc)


def errno_for_c(action: Callable[[], None], errors: list[BaseException], what: str) -> int:
    """Run a bus action for a C caller: 0, or a negative errno; never an exception into C.

    A NACK is -ENXIO (no device answered); anything else is logged and is -EIO.
    Every exception is kept in errors for the Python side to report.
    """
    try:
        action()
        return 0
    except I2cNack as exc:
        errors.append(exc)
        return -errno.ENXIO
    except BaseException as exc:  # noqa: BLE001 - C must get an errno, not an exception
        errors.append(exc)
        _log.error("%s failed: %r", what, exc)
        return -errno.EIO


# ---- the I2C bus callbacks (the same signature in lsm6dso.h and cosim_port.h) -----------------

BusReadFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint8, ctypes.POINTER(ctypes.c_uint8),
                             ctypes.c_size_t)
BusWriteFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint8, ctypes.POINTER(ctypes.c_uint8),
                              ctypes.c_size_t)


class BusCallbacks:
    """The bus read and write callbacks C calls, around two blocking register transactions.

    Args:
        read: read(reg, length) -> bytes, blocking the calling (bridge) thread while the
            simulator runs the transaction.
        write: write(reg, data), likewise.
        errors: where every exception a transaction raised is kept (each became a negative errno).

    Keep the object alive as long as C may call :attr:`read_fn` and :attr:`write_fn`.
    """

    def __init__(self, read: Callable[[int, int], bytes], write: Callable[[int, bytes], None],
                 errors: list[BaseException]) -> None:
        self._read = read
        self._write = write
        self.errors = errors
        self.read_fn = BusReadFn(self._c_read)
        self.write_fn = BusWriteFn(self._c_write)

    def _c_read(self, _ctx: int | None, reg: int, buf: Any, length: int) -> int:
        def read() -> None:
            ctypes.memmove(buf, self._read(reg, length), length)

        return errno_for_c(read, self.errors, f"I2C read of 0x{reg:02X} ({length} bytes)")

    def _c_write(self, _ctx: int | None, reg: int, buf: Any, length: int) -> int:
        def write() -> None:
            self._write(reg, bytes(buf[:length]))

        return errno_for_c(write, self.errors, f"I2C write of 0x{reg:02X} ({length} bytes)")


# ---- lsm6dso.h --------------------------------------------------------------------------------


class BusT(ctypes.Structure):
    """lsm6dso_bus_t"""

    _fields_ = [("ctx", ctypes.c_void_p), ("read", BusReadFn), ("write", BusWriteFn)]


class ConfigT(ctypes.Structure):
    """lsm6dso_config_t"""

    _fields_ = [("odr_hz", ctypes.c_uint16), ("accel_fs_g", ctypes.c_uint8),
                ("gyro_fs_dps", ctypes.c_uint16), ("fifo_wtm_samples", ctypes.c_uint16)]


class RawT(ctypes.Structure):
    """lsm6dso_raw_t"""

    _fields_ = [("accel", ctypes.c_int16 * 3), ("gyro", ctypes.c_int16 * 3)]

    def to_sample(self) -> RawSample:
        """This driver sample as a RawSample (gyro and accel in raw counts)."""
        return RawSample(gyro=(self.gyro[0], self.gyro[1], self.gyro[2]),
                         accel=(self.accel[0], self.accel[1], self.accel[2]))


class StatusT(ctypes.Structure):
    """lsm6dso_status_t"""

    _fields_ = [("fifo_words", ctypes.c_uint16), ("watermark", ctypes.c_bool),
                ("overrun", ctypes.c_bool), ("full", ctypes.c_bool)]


class DevT(ctypes.Structure):
    """lsm6dso_t"""

    _fields_ = [("bus", BusT), ("cfg", ConfigT), ("half_gyro", ctypes.c_int16 * 3),
                ("half_accel", ctypes.c_int16 * 3), ("halves", ctypes.c_uint8),
                ("overrun_seen", ctypes.c_bool), ("overruns", ctypes.c_uint32),
                ("unpaired_words", ctypes.c_uint32), ("other_words", ctypes.c_uint32)]


def load_driver(library: Path) -> ctypes.CDLL:
    """The driver library (lsm6dso.c alone, or any library that contains it), its functions typed."""
    lib = ctypes.CDLL(str(library))
    lib.lsm6dso_config_default.argtypes = [ctypes.POINTER(ConfigT)]
    lib.lsm6dso_config_default.restype = None
    lib.lsm6dso_init.argtypes = [ctypes.POINTER(DevT), ctypes.POINTER(BusT), ctypes.POINTER(ConfigT)]
    lib.lsm6dso_init.restype = ctypes.c_int
    lib.lsm6dso_fifo_read.argtypes = [ctypes.POINTER(DevT), ctypes.POINTER(RawT), ctypes.c_size_t]
    lib.lsm6dso_fifo_read.restype = ctypes.c_int
    lib.lsm6dso_read_status.argtypes = [ctypes.POINTER(DevT), ctypes.POINTER(StatusT)]
    lib.lsm6dso_read_status.restype = ctypes.c_int
    return lib


# ---- cosim_port.h -----------------------------------------------------------------------------

WaitFn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32)
NowNsFn = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)

# Bits of cosim_sim_t.wait's result.
WAKE_INT1 = 0x1
WAKE_STREAM_OVER = 0x2


class SimT(ctypes.Structure):
    """cosim_sim_t"""

    _fields_ = [("ctx", ctypes.c_void_p), ("bus_read", BusReadFn), ("bus_write", BusWriteFn),
                ("wait", WaitFn), ("now_ns", NowNsFn)]


class OptionsT(ctypes.Structure):
    """cosim_options_t"""

    _fields_ = [("announce_path", ctypes.c_char_p), ("tcp_port", ctypes.c_uint16),
                ("rig_pid", ctypes.c_int32), ("poll_us", ctypes.c_uint32),
                ("sim_limit_ns", ctypes.c_uint64), ("fifo_wtm_samples", ctypes.c_uint16)]


class StatsT(ctypes.Structure):
    """cosim_stats_t"""

    _fields_ = [(name, ctypes.c_uint32) for name in (
        "samples", "wakeups", "int1_wakeups", "overruns", "anchors", "gaps", "missing", "resyncs", "odr_hz")
    ] + [("stream_end_ns", ctypes.c_uint64)]

    def as_dict(self) -> dict[str, int]:
        """Every counter by name."""
        return {f[0]: int(getattr(self, f[0])) for f in self._fields_}


# What the port asks when it is stepped (cosim_co_t.op).
CO_READ, CO_WRITE, CO_WAIT, CO_DONE = 1, 2, 3, 4
CO_MAX_BYTES = 256


class CoT(ctypes.Structure):
    """cosim_co_t: a request of the stepped port and the simulation's answer."""

    _fields_ = [("op", ctypes.c_int32), ("reg", ctypes.c_uint8), ("len", ctypes.c_uint16),
                ("timeout_us", ctypes.c_uint32), ("result", ctypes.c_int32), ("now_ns", ctypes.c_uint64),
                ("data", ctypes.c_uint8 * CO_MAX_BYTES)]


def load_port(library: Path) -> ctypes.CDLL:
    """The co-simulation port library, its functions typed and its structures checked against C."""
    try:
        lib = ctypes.CDLL(str(library))
    except OSError as exc:
        raise RuntimeError(f"cannot load the co-simulation port {library}: {exc}; "
                           "build it with `make -C firmware_c -f ports/cosim/cosim.mk`") from None
    lib.cosim_options_default.argtypes = [ctypes.POINTER(OptionsT)]
    lib.cosim_options_default.restype = None
    lib.cosim_run.argtypes = [ctypes.POINTER(SimT), ctypes.POINTER(OptionsT), ctypes.POINTER(StatsT)]
    lib.cosim_run.restype = ctypes.c_int
    lib.cosim_struct_size.argtypes = [ctypes.c_int]
    lib.cosim_struct_size.restype = ctypes.c_size_t
    lib.cosim_co_start.argtypes = [ctypes.POINTER(OptionsT), ctypes.POINTER(StatsT), ctypes.POINTER(CoT)]
    lib.cosim_co_start.restype = ctypes.c_int
    lib.cosim_co_resume.argtypes = [ctypes.POINTER(CoT)]
    lib.cosim_co_resume.restype = ctypes.c_int
    for which, struct in enumerate((SimT, OptionsT, StatsT, CoT)):
        size = lib.cosim_struct_size(which)
        if size != ctypes.sizeof(struct):
            raise RuntimeError(f"{library}: {struct.__doc__} is {size} bytes in C but {ctypes.sizeof(struct)} "
                               f"in {__name__}: the two definitions differ, update them together")
    return lib
