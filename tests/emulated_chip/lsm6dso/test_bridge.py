"""emulated_chip.lsm6dso.bridge: errno names, and bus callbacks that never let an exception into C."""

from __future__ import annotations

import ctypes
import errno

import pytest

pytest.importorskip("cocotb", reason="cocotb is not installed (pip install 'cocotb>=2.1')")

from emulated_chip.lsm6dso.bridge import BusCallbacks, errno_name  # noqa: E402
from emulated_chip.lsm6dso.i2c_master import I2cNack  # noqa: E402


def test_errno_names() -> None:
    assert errno_name(-errno.ETIMEDOUT) == "-ETIMEDOUT" and errno_name(0) == "0" and errno_name(3) == "3"


def test_callbacks_copy_bytes_and_turn_exceptions_into_errnos() -> None:
    written: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []

    def read(reg: int, n: int) -> bytes:
        if reg == 0x0F:
            return bytes([0x6C] * n)
        if reg == 0x10:
            raise I2cNack("no ACK")
        raise RuntimeError("bus stuck low")

    bus = BusCallbacks(read, lambda reg, data: written.append((reg, data)), errors)
    buf = (ctypes.c_uint8 * 2)()
    assert bus.read_fn(None, 0x0F, buf, 2) == 0 and bytes(buf) == b"\x6c\x6c"
    assert bus.read_fn(None, 0x10, buf, 2) == -errno.ENXIO
    assert bus.read_fn(None, 0x11, buf, 2) == -errno.EIO
    assert [type(e) for e in errors] == [I2cNack, RuntimeError]
    data = (ctypes.c_uint8 * 3)(1, 2, 3)
    assert bus.write_fn(None, 0x10, data, 3) == 0 and written == [(0x10, b"\x01\x02\x03")]
