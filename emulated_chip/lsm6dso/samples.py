"""Raw samples, the sample source that feeds them to the model at its ODR, and FIFO word decoding."""

from __future__ import annotations

import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from cocotb.triggers import Timer, with_timeout

from emulated_chip.lsm6dso.regs import ODR_HZ, FifoTag

Axes = tuple[int, int, int]


@dataclass(frozen=True)
class RawSample:
    """One 6-axis sample in raw LSM6DSO counts (int16), sensor axes x, y, z."""

    gyro: Axes
    accel: Axes

    def __post_init__(self) -> None:
        for v in (*self.gyro, *self.accel):
            if not -32768 <= v <= 32767:
                raise ValueError(f"raw count {v} is outside int16")


@dataclass(frozen=True)
class FifoWord:
    """One FIFO word: the sensor tag, the TAG_CNT time slot and three int16 values."""

    tag: int
    slot: int
    data: Axes

    @classmethod
    def from_bytes(cls, raw: bytes) -> FifoWord:
        """Decode FIFO_DATA_OUT_TAG and the six FIFO_DATA_OUT bytes."""
        if len(raw) != 7:
            raise ValueError(f"a FIFO word is 7 bytes, got {len(raw)}")
        x, y, z = struct.unpack("<hhh", raw[1:])
        return cls(tag=raw[0] >> 3, slot=(raw[0] >> 1) & 0x3, data=(x, y, z))


def words_of(samples: Iterable[RawSample], gyro: bool = True, accel: bool = True) -> list[tuple[int, Axes]]:
    """(tag, data) of the FIFO words a stream of samples produces: gyro word, then accel word."""
    out: list[tuple[int, Axes]] = []
    for s in samples:
        if gyro:
            out.append((FifoTag.GYRO, s.gyro))
        if accel:
            out.append((FifoTag.ACCEL, s.accel))
    return out


def ramp_samples(count: int, start: int = 0) -> list[RawSample]:
    """Distinct, recognisable samples: every axis of sample k differs from every other sample's."""
    out = []
    for k in range(start, start + count):
        base = (k * 97) % 30000 - 15000
        out.append(RawSample(gyro=(base, -base - 1, base + 7), accel=(base + 11, -base - 13, 4096 + k % 1000)))
    return out


class SampleSource:
    """Drives the model's sample port: six int16 values and a strobe.

    Args:
        dut: the ``lsm6dso_tb`` toplevel handle.
        strobe_ns: width of the strobe pulse.
    """

    def __init__(self, dut: Any, strobe_ns: int = 10) -> None:
        self._dut = dut
        self._strobe_ns = strobe_ns
        self._strobe = Timer(strobe_ns, "ns")
        self._ports = (dut.smp_gx, dut.smp_gy, dut.smp_gz, dut.smp_ax, dut.smp_ay, dut.smp_az)
        dut.smp_strobe.value = 0
        #: Samples handed to the model so far.
        self.count = 0

    async def push(self, sample: RawSample) -> None:
        """Present one sample and strobe it in (a pulse of strobe_ns, then as long low)."""
        for port, v in zip(self._ports, (*sample.gyro, *sample.accel)):
            port.value = v
        self._dut.smp_strobe.value = 1
        self.count += 1
        await self._strobe
        self._dut.smp_strobe.value = 0
        await self._strobe

    def odr_hz(self) -> float:
        """Output data rate the model is configured for (the faster of accel and gyro)."""
        rates = [ODR_HZ.get(int(self._dut.odr_xl.value), 0.0), ODR_HZ.get(int(self._dut.odr_g.value), 0.0)]
        if int(self._dut.odr_g.value) == 0xB:
            rates[1] = 0.0  # 1011b is an accelerometer-only rate
        return max(rates)

    async def stream(self, samples: Sequence[RawSample], odr_hz: float | None = None) -> None:
        """Feed samples at the ODR in simulated time: sample k at k / odr_hz after the call.

        Times are computed from the sample index, so they never drift; odr_hz defaults to
        the rate the model is configured for, which must then be non-zero.
        """
        rate = odr_hz if odr_hz is not None else self.odr_hz()
        if rate <= 0:
            raise RuntimeError("the model's accelerometer and gyroscope are powered down (ODR = 0)")
        period_ns = 1e9 / rate
        elapsed_ns = 0
        for k, sample in enumerate(samples):
            due_ns = round(k * period_ns)
            if due_ns > elapsed_ns:
                await Timer(due_ns - elapsed_ns, "ns")
                elapsed_ns = due_ns
            await self.push(sample)
            elapsed_ns += 2 * self._strobe_ns


async def push_all(source: SampleSource, samples: Iterable[RawSample], timeout_us: float = 1e6) -> None:
    """Push samples back to back (no ODR pacing), bounded by a timeout."""

    async def run() -> None:
        for s in samples:
            await source.push(s)

    await with_timeout(run(), timeout_us, "us")


def fifo_reference(words: Sequence[tuple[int, Axes]], depth: int, overwrite: bool) -> tuple[list[tuple[int, Axes]], bool]:
    """What a FIFO of depth words holds after words were batched with nobody reading.

    Continuous mode (overwrite) keeps the newest depth words and reports an overrun when
    any was lost; FIFO mode keeps the first depth words and stops, without an overrun.

    Returns:
        (words held, oldest first; overrun flag)
    """
    if overwrite:
        return list(words[-depth:]), len(words) > depth
    return list(words[:depth]), False
