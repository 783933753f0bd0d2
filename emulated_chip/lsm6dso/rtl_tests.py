"""cocotb tests of the LSM6DSO model against the datasheet's behaviour.

Run through tests/emulated_chip/lsm6dso/test_model.py (cocotb's Python runner), or any runner
with toplevel ``lsm6dso_tb`` and this module. LSM6DSO_FIFO_AW in the environment gives
the FIFO depth the model was built with (log2 of words).
"""

from __future__ import annotations

import os
import struct
from collections.abc import Sequence
from typing import Any

import cocotb
from cocotb.triggers import RisingEdge, Timer, with_timeout

from emulated_chip.lsm6dso.i2c_master import I2cBfmMaster, I2cError, I2cMaster, I2cNack
from emulated_chip.lsm6dso.regs import (
    CTRL3_BDU,
    CTRL3_H_LACTIVE,
    CTRL3_IF_INC,
    CTRL3_SW_RESET,
    FIFO_STATUS2_FULL_IA,
    FIFO_STATUS2_OVR_IA,
    FIFO_STATUS2_OVR_LATCHED,
    FIFO_STATUS2_WTM_IA,
    FIFO_WORD_BYTES,
    I2C_ADDRESS,
    I2C_ADDRESS_SA0_LOW,
    INT1_DRDY_XL,
    INT1_FIFO_OVR,
    INT1_FIFO_TH,
    RESET_VALUES,
    STATUS_GDA,
    STATUS_XLDA,
    WHO_AM_I_VALUE,
    FifoMode,
    FifoTag,
    Reg,
    ctrl1_xl,
    ctrl2_g,
)
from emulated_chip.lsm6dso.samples import (
    FifoWord,
    RawSample,
    SampleSource,
    fifo_reference,
    push_all,
    ramp_samples,
    words_of,
)
from emulated_chip.lsm6dso.spi_master import SpiMaster

FIFO_AW = int(os.environ.get("LSM6DSO_FIFO_AW", "7"))
FIFO_DEPTH = 1 << FIFO_AW
TEST_TIMEOUT_MS = 2000


class Bench:
    """The model on its board: an I2C master, an SPI master and the sample source."""

    def __init__(self, dut: Any) -> None:
        self.dut = dut
        self.i2c = I2cMaster(dut.scl_m, dut.sda_m, dut.scl, dut.sda)
        self.spi = SpiMaster(dut.cs_n, dut.scl_m, dut.sda_m, dut.sdo)
        self.source = SampleSource(dut)

    async def power_on(self) -> None:
        """Apply the power-on reset with the bus idle and I2C selected."""
        self.dut.cs_n.value = 1
        self.dut.scl_m.value = 1
        self.dut.sda_m.value = 1
        self.dut.rst_n.value = 0
        await Timer(100, "ns")
        self.dut.rst_n.value = 1
        await self.i2c.idle()

    async def read(self, reg: int, count: int = 1) -> bytes:
        """Read count bytes from register reg on, in one I2C burst at the SA0-high address."""
        return await self.i2c.read_regs(I2C_ADDRESS, reg, count)

    async def read1(self, reg: int) -> int:
        """Read register reg over I2C; return its value."""
        return (await self.read(reg))[0]

    async def write(self, reg: int, *data: int) -> None:
        """Write data to register reg on, in one I2C transaction at the SA0-high address."""
        await self.i2c.write_regs(I2C_ADDRESS, reg, data)

    async def fifo_level(self) -> tuple[int, int]:
        """(DIFF_FIFO in words, FIFO_STATUS2) read in one burst."""
        s1, s2 = await self.read(Reg.FIFO_STATUS1, 2)
        return s1 | ((s2 & 0x03) << 8), s2

    async def read_words(self, count: int) -> list[FifoWord]:
        """Read count FIFO words in one burst from FIFO_DATA_OUT_TAG (address roll-back)."""
        raw = await self.read(Reg.FIFO_DATA_OUT_TAG, count * FIFO_WORD_BYTES)
        return [FifoWord.from_bytes(raw[i:i + FIFO_WORD_BYTES]) for i in range(0, len(raw), FIFO_WORD_BYTES)]

    async def start_fifo(self, mode: FifoMode, wtm_words: int = 0, int1: int = 0,
                         bdr: int = 0x66) -> None:
        """416 Hz, +-16 g, +-2000 dps, BDU; FIFO batching both sensors at 416 Hz in mode."""
        await self.write(Reg.CTRL3_C, CTRL3_BDU | CTRL3_IF_INC)
        await self.write(Reg.FIFO_CTRL1, wtm_words & 0xFF, (wtm_words >> 8) & 1, bdr, mode)
        await self.write(Reg.INT1_CTRL, int1)
        await self.write(Reg.CTRL1_XL, ctrl1_xl(416, 16), ctrl2_g(416, 2000))


async def bench(dut: Any) -> Bench:
    """A Bench on dut, after the power-on reset."""
    b = Bench(dut)
    await b.power_on()
    return b


def expect_words(got: Sequence[FifoWord], want: Sequence[tuple[int, tuple[int, int, int]]]) -> None:
    """Assert that the FIFO words read are want, (tag, (x, y, z)) each, in order and number."""
    assert len(got) == len(want), f"expected {len(want)} FIFO words, read {len(got)}"
    for i, (g, (tag, data)) in enumerate(zip(got, want)):
        assert (g.tag, g.data) == (tag, data), f"word {i}: expected tag {tag} {data}, read tag {g.tag} {g.data}"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def who_am_i(dut: Any) -> None:
    """WHO_AM_I reads 6Ch at the SA0-high address."""
    b = await bench(dut)
    assert await b.read1(Reg.WHO_AM_I) == WHO_AM_I_VALUE


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def reset_values(dut: Any) -> None:
    """Every stored register reads its datasheet default after power-on."""
    b = await bench(dut)
    for reg, value in RESET_VALUES.items():
        got = await b.read1(reg)
        assert got == value, f"{reg.name}: expected 0x{value:02X} after reset, read 0x{got:02X}"
    assert await b.read1(0x03) == 0, "a reserved register reads 0"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def register_write_read(dut: Any) -> None:
    """Writable registers keep what is written; read-only and reserved ones ignore writes."""
    b = await bench(dut)
    await b.write(Reg.CTRL1_XL, 0x64)
    await b.write(Reg.INT1_CTRL, 0x18)
    await b.write(Reg.WHO_AM_I, 0x00)
    await b.write(0x03, 0x5A)
    await b.write(Reg.FIFO_STATUS1, 0xFF)
    assert await b.read1(Reg.CTRL1_XL) == 0x64
    assert await b.read1(Reg.INT1_CTRL) == 0x18
    assert await b.read1(Reg.WHO_AM_I) == WHO_AM_I_VALUE
    assert await b.read1(0x03) == 0
    assert await b.read1(Reg.FIFO_STATUS1) == 0
    assert int(dut.odr_xl.value) == 0x6 and int(dut.fs_xl.value) == 0b01, "ODR/FS ports follow CTRL1_XL"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def auto_increment_burst(dut: Any) -> None:
    """IF_INC=1: bursts walk the addresses; IF_INC=0: every byte hits the same register."""
    b = await bench(dut)
    await b.write(Reg.FIFO_CTRL1, 0x20, 0x01, 0x66, 0x06)
    assert await b.read(Reg.FIFO_CTRL1, 4) == bytes([0x20, 0x01, 0x66, 0x06])
    assert await b.read(Reg.WHO_AM_I, 4) == bytes([WHO_AM_I_VALUE, 0x00, 0x00, 0x04])
    await b.write(Reg.CTRL3_C, 0x00)
    assert await b.read(Reg.WHO_AM_I, 3) == bytes([WHO_AM_I_VALUE] * 3)
    await b.write(Reg.FIFO_CTRL1, 0x11, 0x22, 0x33)
    assert await b.read1(Reg.FIFO_CTRL1) == 0x33, "without IF_INC the last byte wins"
    assert await b.read1(Reg.FIFO_CTRL2) == 0x01, "without IF_INC the next register is untouched"
    await b.write(Reg.CTRL3_C, CTRL3_IF_INC)
    assert await b.read(Reg.FIFO_CTRL1, 2) == bytes([0x33, 0x01])


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def wrong_address_nack(dut: Any) -> None:
    """Another device's address is not acknowledged, changes nothing, and leaves the bus free."""
    b = await bench(dut)
    for address in (I2C_ADDRESS_SA0_LOW, 0x35, 0x10):
        try:
            await b.i2c.write_regs(address, Reg.CTRL1_XL, [0x64])
        except I2cNack:
            pass
        else:
            raise AssertionError(f"address 0x{address:02X} was acknowledged")
        assert dut.sda.value == 1, "SDA released after the NACKed transaction"
    try:
        await b.i2c.read_regs(I2C_ADDRESS_SA0_LOW, Reg.WHO_AM_I, 1)
    except I2cNack:
        pass
    else:
        raise AssertionError("a read at the SA0-low address was acknowledged")
    assert await b.read1(Reg.CTRL1_XL) == 0x00, "a NACKed write must not reach the register"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def early_stop(dut: Any) -> None:
    """A STOP inside a byte discards the partial byte; the next transaction works."""
    b = await bench(dut)
    i2c = b.i2c
    # write: address, register, then 4 of 8 data bits and STOP
    await i2c.start()
    assert await i2c.write_byte(I2C_ADDRESS << 1)
    assert await i2c.write_byte(Reg.CTRL1_XL)
    for bit in (1, 0, 1, 0):
        await i2c.write_bit(bit)
    await i2c.stop()
    assert await b.read1(Reg.CTRL1_XL) == 0x00, "a partial data byte must not be written"
    # STOP right after the address byte
    await i2c.start()
    assert await i2c.write_byte(I2C_ADDRESS << 1)
    await i2c.stop()
    # read: WHO_AM_I = 0b0110_1100; after two bits the part releases SDA for a 1
    await i2c.start()
    assert await i2c.write_byte(I2C_ADDRESS << 1)
    assert await i2c.write_byte(Reg.WHO_AM_I)
    await i2c.start()
    assert await i2c.write_byte((I2C_ADDRESS << 1) | 1)
    assert [await i2c.read_bit(), await i2c.read_bit()] == [0, 1]
    await i2c.stop()
    assert dut.sda.value == 1, "SDA released after a STOP inside a read byte"
    await b.write(Reg.CTRL1_XL, 0x64)
    assert await b.read(Reg.WHO_AM_I, 2) == bytes([WHO_AM_I_VALUE, 0x64])


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def outputs_and_data_ready(dut: Any) -> None:
    """A sample lands in OUTX_L_G..OUTZ_H_A; XLDA/GDA rise with it and fall when read."""
    b = await bench(dut)
    s = RawSample(gyro=(1234, -2, 32767), accel=(-32768, 0, 2048))
    await b.source.push(s)
    assert await b.read1(Reg.STATUS_REG) == 0, "powered down: no new data"
    assert await b.read(Reg.OUTX_L_G, 12) == bytes(12)
    await b.write(Reg.CTRL1_XL, ctrl1_xl(416, 16), ctrl2_g(416, 2000))
    await b.source.push(s)
    assert await b.read1(Reg.STATUS_REG) == STATUS_XLDA | STATUS_GDA
    raw = await b.read(Reg.OUTX_L_G, 12)
    assert struct.unpack("<6h", raw) == (*s.gyro, *s.accel)
    assert await b.read1(Reg.STATUS_REG) == 0, "reading the outputs clears XLDA and GDA"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def int1_data_ready(dut: Any) -> None:
    """INT1_DRDY_XL drives INT1 from XLDA; H_LACTIVE inverts the pin."""
    b = await bench(dut)
    await b.write(Reg.INT1_CTRL, INT1_DRDY_XL)
    await b.write(Reg.CTRL1_XL, ctrl1_xl(416, 16))
    assert dut.int1.value == 0
    await b.source.push(RawSample(gyro=(0, 0, 0), accel=(1, 2, 3)))
    assert dut.int1.value == 1, "INT1 rises with accelerometer data ready"
    await b.read(Reg.OUTX_L_A, 6)
    assert dut.int1.value == 0, "INT1 falls when the data is read"
    await b.write(Reg.CTRL3_C, CTRL3_IF_INC | CTRL3_H_LACTIVE)
    assert dut.int1.value == 1, "active-low INT1 idles high"
    await b.source.push(RawSample(gyro=(0, 0, 0), accel=(4, 5, 6)))
    assert dut.int1.value == 0


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def block_data_update(dut: Any) -> None:
    """BDU=1 holds a value between reading its low and high byte; BDU=0 does not."""
    b = await bench(dut)
    await b.write(Reg.CTRL1_XL, ctrl1_xl(416, 16))
    s1, s2, s3 = (RawSample(gyro=(0, 0, 0), accel=(v, 0, 0)) for v in (0x1122, 0x3344, 0x5566))
    await b.write(Reg.CTRL3_C, CTRL3_IF_INC | CTRL3_BDU)
    await b.source.push(s1)
    assert await b.read1(Reg.OUTX_L_A) == 0x22
    await b.source.push(s2)
    assert await b.read1(Reg.OUTX_H_A) == 0x11, "BDU: high byte of the sample whose low byte was read"
    assert await b.read(Reg.OUTX_L_A, 2) == bytes([0x44, 0x33]), "after the high byte, outputs update"
    await b.write(Reg.CTRL3_C, CTRL3_IF_INC)
    assert await b.read1(Reg.OUTX_L_A) == 0x44
    await b.source.push(s3)
    assert await b.read1(Reg.OUTX_H_A) == 0x55, "without BDU the high byte is the newest"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def fifo_watermark_interrupt(dut: Any) -> None:
    """Samples at 416 Hz fill the FIFO; INT1 rises at the watermark; the words come back in order."""
    b = await bench(dut)
    wtm_words = 10
    await b.start_fifo(FifoMode.CONTINUOUS, wtm_words=wtm_words, int1=INT1_FIFO_TH)
    samples = ramp_samples(8)
    feeder = cocotb.start_soon(b.source.stream(samples))
    await with_timeout(RisingEdge(dut.int1), 100, "ms")
    assert b.source.count == wtm_words // 2, f"INT1 rose after {b.source.count} samples"
    await with_timeout(feeder, 100, "ms")
    level, status2 = await b.fifo_level()
    assert level == 2 * len(samples)
    assert status2 & FIFO_STATUS2_WTM_IA
    assert not status2 & (FIFO_STATUS2_OVR_IA | FIFO_STATUS2_OVR_LATCHED | FIFO_STATUS2_FULL_IA)
    first = await b.read_words(7)
    rest = await b.read_words(2 * len(samples) - 7)
    got = first + rest
    expect_words(got, words_of(samples))
    assert [w.slot for w in got[::2]] == [k % 4 for k in range(len(samples))], "TAG_CNT counts batch slots"
    assert await b.fifo_level() == (0, 0)
    assert dut.int1.value == 0, "INT1 falls below the watermark"
    assert (await b.read(Reg.FIFO_DATA_OUT_TAG, 7)) == bytes(7), "an empty FIFO reads tag 0"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def fifo_overrun(dut: Any) -> None:
    """Continuous mode overwrites the oldest words and flags the overrun on INT1 and FIFO_STATUS2."""
    b = await bench(dut)
    await b.start_fifo(FifoMode.CONTINUOUS, int1=INT1_FIFO_OVR)
    samples = ramp_samples(FIFO_DEPTH // 2 + 3)
    await push_all(b.source, samples[:-4])
    assert dut.int1.value == 0
    await push_all(b.source, samples[-4:])
    assert dut.int1.value == 1, "INT1_FIFO_OVR"
    level, status2 = await b.fifo_level()
    assert level == FIFO_DEPTH
    assert status2 & FIFO_STATUS2_OVR_IA and status2 & FIFO_STATUS2_OVR_LATCHED and status2 & FIFO_STATUS2_FULL_IA
    _, status2 = await b.fifo_level()
    assert not status2 & FIFO_STATUS2_OVR_LATCHED, "FIFO_OVR_LATCHED is reset by reading FIFO_STATUS2"
    assert status2 & FIFO_STATUS2_OVR_IA
    want, overrun = fifo_reference(words_of(samples), FIFO_DEPTH, overwrite=True)
    assert overrun
    got = await b.read_words(FIFO_DEPTH)
    expect_words(got, want)
    assert await b.fifo_level() == (0, 0)
    assert dut.int1.value == 0


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def fifo_mode_stops_when_full(dut: Any) -> None:
    """FIFO mode keeps the first words and stops collecting when full, without an overrun."""
    b = await bench(dut)
    await b.start_fifo(FifoMode.FIFO)
    samples = ramp_samples(FIFO_DEPTH // 2 + 3)
    await push_all(b.source, samples)
    level, status2 = await b.fifo_level()
    assert level == FIFO_DEPTH
    assert status2 & FIFO_STATUS2_FULL_IA and not status2 & (FIFO_STATUS2_OVR_IA | FIFO_STATUS2_OVR_LATCHED)
    want, _ = fifo_reference(words_of(samples), FIFO_DEPTH, overwrite=False)
    expect_words(await b.read_words(FIFO_DEPTH), want)


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def bypass_empties_fifo(dut: Any) -> None:
    """Writing bypass mode empties the FIFO and stops batching."""
    b = await bench(dut)
    await b.start_fifo(FifoMode.CONTINUOUS)
    await push_all(b.source, ramp_samples(3))
    assert (await b.fifo_level())[0] == 6
    await b.write(Reg.FIFO_CTRL4, FifoMode.BYPASS)
    assert (await b.fifo_level())[0] == 0
    await push_all(b.source, ramp_samples(2))
    assert (await b.fifo_level())[0] == 0
    await b.write(Reg.FIFO_CTRL4, FifoMode.CONTINUOUS)
    fresh = ramp_samples(1, start=50)
    await push_all(b.source, fresh)
    expect_words(await b.read_words(2), words_of(fresh))


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def batch_data_rate(dut: Any) -> None:
    """BDR_XL at half the ODR batches every other accelerometer sample; BDR 0 batches none."""
    b = await bench(dut)
    await b.start_fifo(FifoMode.CONTINUOUS, bdr=0x65)  # gyro 416 Hz, accel 208 Hz
    samples = ramp_samples(4)
    await push_all(b.source, samples)
    want = []
    for k, s in enumerate(samples):
        want.append((FifoTag.GYRO, s.gyro))
        if k % 2 == 0:
            want.append((FifoTag.ACCEL, s.accel))
    expect_words(await b.read_words(len(want)), want)
    await b.write(Reg.FIFO_CTRL3, 0x60)  # accel not batched
    await push_all(b.source, samples[:2])
    expect_words(await b.read_words(2), words_of(samples[:2], accel=False))


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def software_reset(dut: Any) -> None:
    """CTRL3_C.SW_RESET restores the defaults, empties the FIFO and clears the outputs."""
    b = await bench(dut)
    await b.start_fifo(FifoMode.CONTINUOUS, wtm_words=4, int1=INT1_FIFO_TH)
    await push_all(b.source, ramp_samples(3))
    assert dut.int1.value == 1
    await b.write(Reg.CTRL3_C, CTRL3_SW_RESET)
    assert dut.int1.value == 0
    for reg, value in RESET_VALUES.items():
        got = await b.read1(reg)
        assert got == value, f"{reg.name}: expected 0x{value:02X} after SW_RESET, read 0x{got:02X}"
    assert await b.fifo_level() == (0, 0)
    assert await b.read(Reg.OUTX_L_G, 12) == bytes(12)
    assert await b.read1(Reg.STATUS_REG) == 0


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def spi_mode3(dut: Any) -> None:
    """The same registers and FIFO over 4-wire SPI; I2C still works after CS returns high."""
    b = await bench(dut)
    spi = b.spi
    assert await spi.read_regs(Reg.WHO_AM_I, 1) == bytes([WHO_AM_I_VALUE])
    await spi.write_regs(Reg.FIFO_CTRL1, [0x08, 0x00, 0x66, FifoMode.CONTINUOUS])
    assert await spi.read_regs(Reg.FIFO_CTRL1, 4) == bytes([0x08, 0x00, 0x66, FifoMode.CONTINUOUS])
    await spi.write_regs(Reg.CTRL1_XL, [ctrl1_xl(416, 16), ctrl2_g(416, 2000)])
    samples = ramp_samples(3)
    await push_all(b.source, samples)
    raw = await spi.read_regs(Reg.FIFO_DATA_OUT_TAG, 2 * FIFO_WORD_BYTES)
    got = [FifoWord.from_bytes(raw[:7]), FifoWord.from_bytes(raw[7:])]
    # a read that ends on a word boundary must not consume the next word
    raw = await spi.read_regs(Reg.FIFO_DATA_OUT_TAG, 4 * FIFO_WORD_BYTES)
    got += [FifoWord.from_bytes(raw[i:i + 7]) for i in range(0, len(raw), 7)]
    expect_words(got, words_of(samples))
    assert await spi.read_regs(Reg.FIFO_STATUS1, 1) == bytes([0])
    assert await b.read1(Reg.CTRL1_XL) == ctrl1_xl(416, 16), "I2C after SPI"


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def bus_conflict_is_detected(dut: Any) -> None:
    """The bus master reports a device holding SDA low (its own check can fail)."""
    b = await bench(dut)
    i2c = b.i2c
    await i2c.start()
    assert await i2c.write_byte(I2C_ADDRESS << 1)
    assert await i2c.write_byte(Reg.WHO_AM_I)
    await i2c.start()
    assert await i2c.write_byte((I2C_ADDRESS << 1) | 1)
    # WHO_AM_I's first bit is 0: the part holds SDA low, so a STOP cannot be made
    try:
        await i2c.stop()
    except I2cError as exc:
        assert "held low" in str(exc)
    else:
        raise AssertionError("a STOP while the part drives SDA low went unnoticed")


@cocotb.test(timeout_time=TEST_TIMEOUT_MS, timeout_unit="ms")
async def bfm_master_transactions(dut: Any) -> None:
    """The Verilog bus-functional master reads, writes, bursts the FIFO and sees NACKs."""
    b = await bench(dut)
    bfm = I2cBfmMaster(dut)
    assert await bfm.read_regs(I2C_ADDRESS, Reg.WHO_AM_I, 1) == bytes([WHO_AM_I_VALUE])
    await bfm.write_regs(I2C_ADDRESS, Reg.FIFO_CTRL1, [0, 0, 0x66, FifoMode.CONTINUOUS])
    await bfm.write_regs(I2C_ADDRESS, Reg.CTRL1_XL, [ctrl1_xl(416, 16), ctrl2_g(416, 2000)])
    samples = ramp_samples(5)
    await push_all(b.source, samples)
    raw = await bfm.read_regs(I2C_ADDRESS, Reg.FIFO_DATA_OUT_TAG, 10 * FIFO_WORD_BYTES)
    expect_words([FifoWord.from_bytes(raw[i:i + 7]) for i in range(0, len(raw), 7)], words_of(samples))
    try:
        await bfm.write_regs(I2C_ADDRESS_SA0_LOW, Reg.CTRL1_XL, [0])
    except I2cNack:
        pass
    else:
        raise AssertionError("the SA0-low address was acknowledged")
    assert await b.read1(Reg.CTRL1_XL) == ctrl1_xl(416, 16), "the Python master after the BFM"
