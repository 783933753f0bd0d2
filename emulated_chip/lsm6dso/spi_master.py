"""Bit-level 4-wire SPI master for cocotb, mode 3 (clock idles high, data sampled on rising edges).

LSM6DSO framing: the first byte is R/W (bit 7, 1 = read) and the register address
(bits 6:0); data bytes follow, the address advancing with CTRL3_C.IF_INC.
"""

from __future__ import annotations

from collections.abc import Sequence

from cocotb.handle import LogicObject
from cocotb.triggers import Timer


class SpiMaster:
    """Drives CS, SPC and SDI push-pull and samples SDO.

    Args:
        cs_n: chip select, active low.
        sclk: SPC.
        mosi: SDI of the device.
        miso: SDO of the device.
        rate_hz: SPC frequency (the LSM6DSO allows up to 10 MHz).
    """

    def __init__(self, cs_n: LogicObject, sclk: LogicObject, mosi: LogicObject, miso: LogicObject,
                 rate_hz: float = 10e6) -> None:
        self._cs_n = cs_n
        self._sclk = sclk
        self._mosi = mosi
        self._miso = miso
        self._half = Timer(max(1, round(5e8 / rate_hz)), "ns")
        self.bytes_transferred = 0

    async def _transfer(self, out: Sequence[int], read_count: int) -> bytes:
        self._sclk.value = 1
        self._cs_n.value = 0
        await self._half
        received = bytearray()
        for byte in [*out, *([0] * read_count)]:
            value = 0
            for i in range(7, -1, -1):
                self._sclk.value = 0
                self._mosi.value = (byte >> i) & 1
                await self._half
                self._sclk.value = 1
                value = (value << 1) | (1 if self._miso.value else 0)
                await self._half
            received.append(value)
            self.bytes_transferred += 1
        self._cs_n.value = 1
        await self._half
        self._mosi.value = 1
        await self._half
        return bytes(received[len(out):])

    async def write_regs(self, reg: int, data: Sequence[int] | bytes) -> None:
        """Write data starting at register reg."""
        await self._transfer([reg & 0x7F, *data], 0)

    async def read_regs(self, reg: int, count: int) -> bytes:
        """Read count bytes starting at register reg."""
        if count < 1:
            raise ValueError("count must be at least 1")
        return await self._transfer([0x80 | (reg & 0x7F)], count)
