"""I2C bus masters for cocotb: START, byte write/read with ACK/NACK, STOP, register transactions.

:class:`I2cMaster` drives the bits from Python; :class:`I2cBfmMaster` commands the
testbench's Verilog bus-functional master one byte at a time (same bus timing, far fewer
simulator round trips, for long co-simulations). Both share the register transactions
of :class:`I2cRegisterMaster`.

The master never drives a line high: it pulls SCL or SDA low (writes 0 to its drive
signal) or releases it (writes 1) and reads the resolved line, as an open-drain
controller on a bus with pull-ups. It checks what it sees: a line held low by someone
else while the master released it is reported, and a device stretching SCL longer than
the timeout is an error rather than a hang.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from cocotb.handle import LogicObject
from cocotb.triggers import RisingEdge, SimTimeoutError, Timer, ValueChange, with_timeout


class I2cError(Exception):
    """A transaction did not complete as the protocol says."""


class I2cNack(I2cError):
    """The addressed device (or nobody) did not acknowledge a byte."""


@dataclass(frozen=True)
class I2cTiming:
    """Bus timing in nanoseconds. The default is fast mode, 400 kHz."""

    t_low_ns: int = 1300
    t_high_ns: int = 1200
    #: Time SDA settles after SCL falls before the master changes it (data hold).
    t_hold_ns: int = 300
    #: Longest SCL stretch accepted from a device.
    stretch_timeout_ns: int = 1_000_000

    @classmethod
    def from_rate(cls, rate_hz: float) -> I2cTiming:
        """Timing for a bit rate, with a 52/48 low/high split as fast mode specifies."""
        period_ns = 1e9 / rate_hz
        t_low = round(period_ns * 0.52)
        return cls(t_low_ns=t_low, t_high_ns=round(period_ns) - t_low,
                   t_hold_ns=max(1, t_low // 4))




class I2cRegisterMaster(ABC):
    """Register reads and writes built on the four bus primitives a master provides."""

    #: Bytes moved on the bus (address bytes included), for throughput figures.
    bytes_transferred: int = 0

    @abstractmethod
    async def start(self) -> None:
        """START, or a repeated START inside a transaction."""

    @abstractmethod
    async def stop(self) -> None:
        """STOP."""

    @abstractmethod
    async def write_byte(self, value: int) -> bool:
        """Send a byte; True when it was acknowledged."""

    @abstractmethod
    async def read_byte(self, ack: bool) -> int:
        """Receive a byte and answer ACK (more to come) or NACK (last)."""

    async def _address(self, address: int, read: bool) -> None:
        if not await self.write_byte((address << 1) | int(read)):
            await self.stop()
            raise I2cNack(f"no ACK for address 0x{address:02X} ({'read' if read else 'write'})")

    async def write_regs(self, address: int, reg: int, data: Sequence[int] | bytes) -> None:
        """S addr+W reg data... P. Raises :class:`I2cNack` on any missing ACK."""
        await self.start()
        await self._address(address, read=False)
        for n, byte in enumerate([reg, *data]):
            if not await self.write_byte(byte):
                await self.stop()
                what = "register address" if n == 0 else f"data byte {n - 1}"
                raise I2cNack(f"device 0x{address:02X} did not ACK the {what} (0x{byte:02X})")
        await self.stop()

    async def read_regs(self, address: int, reg: int, count: int) -> bytes:
        """S addr+W reg Sr addr+R data... (NACK on the last) P."""
        if count < 1:
            raise ValueError("count must be at least 1")
        await self.start()
        await self._address(address, read=False)
        if not await self.write_byte(reg):
            await self.stop()
            raise I2cNack(f"device 0x{address:02X} did not ACK register address 0x{reg:02X}")
        await self.start()
        await self._address(address, read=True)
        out = bytearray()
        for i in range(count):
            out.append(await self.read_byte(ack=i < count - 1))
        await self.stop()
        return bytes(out)


class I2cMaster(I2cRegisterMaster):
    """An open-drain I2C controller on four signals of a simulated bus, bit-banged from Python.

    Args:
        scl_drive: master's SCL drive, 1 = release, 0 = pull low.
        sda_drive: master's SDA drive, 1 = release, 0 = pull low.
        scl_line: the resolved SCL line.
        sda_line: the resolved SDA line.
        timing: bus timing, fast mode by default.
    """

    def __init__(self, scl_drive: LogicObject, sda_drive: LogicObject, scl_line: LogicObject,
                 sda_line: LogicObject, timing: I2cTiming | None = None) -> None:
        self._scl_drive = scl_drive
        self._sda_drive = sda_drive
        self._scl = scl_line
        self._sda = sda_line
        self.timing = timing or I2cTiming()
        t = self.timing
        self._t_hold = Timer(t.t_hold_ns, "ns")
        self._t_setup = Timer(t.t_low_ns - t.t_hold_ns, "ns")
        self._t_high = Timer(t.t_high_ns, "ns")
        self._t_low = Timer(t.t_low_ns, "ns")
        self._busy = False
        #: Bytes moved on the bus (address bytes included), for throughput figures.
        self.bytes_transferred = 0

    # ---- bus primitives ---------------------------------------------------------------

    async def idle(self) -> None:
        """Release both lines and wait one bit time (bus free)."""
        self._scl_drive.value = 1
        self._sda_drive.value = 1
        self._busy = False
        await self._t_low
        await self._t_high

    async def _clock_high(self) -> None:
        """Release SCL for the high time; a device stretching SCL delays it, up to the timeout."""
        self._scl_drive.value = 1
        await self._t_high
        if not self._scl.value:
            try:
                await with_timeout(RisingEdge(self._scl), self.timing.stretch_timeout_ns, "ns")
            except SimTimeoutError:
                raise I2cError(
                    f"SCL held low by a device for more than {self.timing.stretch_timeout_ns} ns"
                ) from None
            await self._t_high

    async def start(self) -> None:
        """Send START, or a repeated START when a transaction is open."""
        if self._busy:
            # repeated START: SDA released during SCL low, then SCL high
            await self._t_hold
            self._sda_drive.value = 1
            await self._t_setup
            await self._clock_high()
        if not self._sda.value:
            raise I2cError("cannot send START: SDA is held low by a device")
        self._sda_drive.value = 0
        await self._t_high
        self._scl_drive.value = 0
        self._busy = True

    async def stop(self) -> None:
        """Send STOP: SDA low during SCL low, SCL high, then SDA high."""
        await self._t_hold
        self._sda_drive.value = 0
        await self._t_setup
        await self._clock_high()
        self._sda_drive.value = 1
        await self._t_low
        if not self._sda.value:
            raise I2cError("cannot send STOP: SDA is held low by a device")
        self._busy = False

    async def write_bit(self, bit: int) -> None:
        """Clock one bit out; SCL is low on entry and on return."""
        await self._t_hold
        self._sda_drive.value = 1 if bit else 0
        await self._t_setup
        await self._clock_high()
        if bit and not self._sda.value:
            raise I2cError("SDA held low by a device while the master sent a 1 (bus conflict)")
        self._scl_drive.value = 0

    async def read_bit(self) -> int:
        """Release SDA, clock one bit in; SCL is low on entry and on return."""
        await self._t_hold
        self._sda_drive.value = 1
        await self._t_setup
        await self._clock_high()
        bit = 1 if self._sda.value else 0
        self._scl_drive.value = 0
        return bit

    async def write_byte(self, value: int) -> bool:
        """Send eight bits MSB first and return True when the receiver acknowledged."""
        if not 0 <= value <= 0xFF:
            raise ValueError(f"byte out of range: {value}")
        for i in range(7, -1, -1):
            await self.write_bit((value >> i) & 1)
        self.bytes_transferred += 1
        return await self.read_bit() == 0

    async def read_byte(self, ack: bool) -> int:
        """Receive eight bits MSB first, then ACK (more to come) or NACK (last byte)."""
        value = 0
        for _ in range(8):
            value = (value << 1) | await self.read_bit()
        await self.write_bit(0 if ack else 1)
        self.bytes_transferred += 1
        return value


class I2cBfmMaster(I2cRegisterMaster):
    """The testbench's Verilog I2C master (``i2c_master_bfm``): a register read or write of up
    to :attr:`XMAX` data bytes is one command, run bit by bit in the simulator (the test wakes
    once per transaction); the bus primitives, and longer transactions, go byte by byte.

    Bus timing is the BFM's (fast mode, 400 kHz, by its parameters). Every command
    completes in bounded simulated time; op_timeout_us bounds each byte command's wait
    anyway (a transaction's wait: see :meth:`_transaction`).

    Args:
        dut: the ``lsm6dso_tb`` toplevel handle (its ``bfm_*`` ports).
        op_timeout_us: longest simulated time one byte may take.
    """

    _START, _WRITE, _READ, _STOP, _WRITE_REGS, _READ_REGS = 1, 2, 3, 4, 5, 6
    #: Most data bytes one transaction command carries (the BFM's XMAX parameter).
    XMAX = 128

    def __init__(self, dut: Any, op_timeout_us: float = 100.0) -> None:
        self._dut = dut
        self._timeout_us = op_timeout_us
        self.bytes_transferred = 0
        dut.bfm_op.value = 0
        # go is a toggle that may be left high by an earlier user: continue from its level
        go = dut.bfm_go.value
        self._go = int(go) if go.is_resolvable else 0
        if not go.is_resolvable:
            dut.bfm_go.value = 0
        # the handles and the trigger a transaction uses, looked up once
        self._x = SimpleNamespace(**{name: getattr(dut, f"bfm_{name}") for name in (
            "op", "go", "xaddr", "xreg", "xlen", "xwdata", "xrdata", "xnack", "xnack_at", "conflict")})
        self._done = ValueChange(dut.bfm_done)

    async def _run(self, op: int, wdata: int = 0, ack: bool = False) -> None:
        dut = self._dut
        dut.bfm_op.value = op
        dut.bfm_wdata.value = wdata
        dut.bfm_ack.value = int(ack)
        self._go ^= 1
        dut.bfm_go.value = self._go
        try:
            await with_timeout(ValueChange(dut.bfm_done), self._timeout_us, "us")
        except SimTimeoutError:
            raise I2cError(f"the I2C bus-functional master did not finish op {op} in {self._timeout_us} us") from None
        if dut.bfm_conflict.value:
            raise I2cError(f"SDA held low by a device while the master released it (op {op})")

    async def _transaction(self, op: int, address: int, reg: int, count: int, data: bytes = b"") -> None:
        """One register transaction in the BFM; raises I2cNack as the byte-by-byte path would.

        This is the co-simulation's hot path (one call per register access of the firmware), so
        it waits on the BFM's done alone: a transaction is a fixed sequence of delays in the
        BFM, which always ends; were it ever not to, the simulation would run out of events
        and end, failing the test, rather than hang."""
        h = self._x
        h.xaddr.value = address
        h.xreg.value = reg
        h.xlen.value = count
        if data:
            h.xwdata.value = int.from_bytes(data, "little")
        h.op.value = op
        self._go ^= 1
        h.go.value = self._go
        await self._done
        if h.conflict.value:
            raise I2cError(f"SDA held low by a device while the master released it (op {op})")
        where = int(h.xnack.value)
        wire_bytes = count + (3 if op == self._READ_REGS else 2)
        if where == 0:
            self.bytes_transferred += wire_bytes
            return
        if where == 1:
            raise I2cNack(f"no ACK for address 0x{address:02X} (write)")
        if where == 2:
            if op == self._READ_REGS:
                raise I2cNack(f"device 0x{address:02X} did not ACK register address 0x{reg:02X}")
            raise I2cNack(f"device 0x{address:02X} did not ACK the register address (0x{reg:02X})")
        if where == 3:
            k = int(h.xnack_at.value)
            raise I2cNack(f"device 0x{address:02X} did not ACK the data byte {k} (0x{data[k]:02X})")
        raise I2cNack(f"no ACK for address 0x{address:02X} (read)")

    async def write_regs(self, address: int, reg: int, data: Sequence[int] | bytes) -> None:
        """S addr+W reg data... P, as one command when it fits; raises :class:`I2cNack` on any missing ACK."""
        payload = bytes(data)
        if not 1 <= len(payload) <= self.XMAX:
            await super().write_regs(address, reg, payload)
            return
        await self._transaction(self._WRITE_REGS, address, reg, len(payload), payload)

    async def read_regs(self, address: int, reg: int, count: int) -> bytes:
        """S addr+W reg Sr addr+R data... (NACK on the last) P, as one command when it fits."""
        if not 1 <= count <= self.XMAX:
            return await super().read_regs(address, reg, count)
        await self._transaction(self._READ_REGS, address, reg, count)
        return int(self._x.xrdata.value).to_bytes(self.XMAX, "little")[:count]

    async def start(self) -> None:
        """Have the BFM send START, or a repeated START inside a transaction."""
        await self._run(self._START)

    async def stop(self) -> None:
        """Have the BFM send STOP."""
        await self._run(self._STOP)

    async def write_byte(self, value: int) -> bool:
        """Have the BFM send a byte; True when it was acknowledged. Raises ValueError outside 0..255."""
        if not 0 <= value <= 0xFF:
            raise ValueError(f"byte out of range: {value}")
        await self._run(self._WRITE, wdata=value)
        self.bytes_transferred += 1
        return not self._dut.bfm_nack.value

    async def read_byte(self, ack: bool) -> int:
        """Have the BFM receive a byte and answer ACK (more to come) or NACK (last); return the byte."""
        await self._run(self._READ, ack=ack)
        self.bytes_transferred += 1
        return int(self._dut.bfm_rdata.value)
