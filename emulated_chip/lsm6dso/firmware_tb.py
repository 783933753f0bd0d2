"""The cocotb target's testbench: the firmware's port on the LSM6DSO model, in simulated time.

This module runs inside the simulator (cocotb imports it; the rig's cocotb target starts it
through ``rig.targets.cocotb_launch``), so it lives beside the model it drives. One test, :func:`firmware_on_the_sensor`:

- the board: the model powered on with I2C selected, the Verilog I2C master on its bus;
- the sensor: once the firmware gives the part an output rate, the testbench's sample
  player (``hdl/sample_player.v``) strobes the recording's samples into the model's sample
  port, sample ``k`` in output slot ``index[k]`` at the recording's real rate (the configured
  ODR as this sensor's clock runs it), so a slot the recording lost stays empty. It reads
  them from a file :class:`SensorFeed` writes, all in the simulator: Python wakes only to
  check the configuration at the first slot and when the player says the stream is over;
- the MCU: :class:`FirmwarePort` steps ``cosim_run()`` of the co-simulation port
  (``firmware_c/ports/cosim``), which runs on a stack of its own in the simulator's thread
  and comes back with each register transaction or sleep it needs; the transaction runs
  bit by bit in the Verilog I2C master (one wake-up of Python per transaction), the sleep
  until INT1, and simulated time stands still while the C code computes, so every register
  access costs the time it takes on the wire. No Python exception reaches C: a failing
  request is a negative errno there and the exception is kept for the report.

Settings come from the JSON file named by ``STRIDELAB_COCOTB_CONFIG`` (written by the
target): the library, the samples, the announce file, the MCU stalls to inject, the rig's
process and where to write the speed figures. No wait here is bounded by the host's clock:
the stream by simulated time, every wait on the rig by the rig's process and its end of the
link (the port ends when either is gone), so a busy host changes no verdict.
"""

from __future__ import annotations

import ctypes
import errno
import gc
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Coroutine
from typing import Any

import cocotb
import numpy as np
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, First, RisingEdge, Timer

from emulated_chip.lsm6dso.bridge import (
    CO_DONE,
    CO_READ,
    CO_WAIT,
    CO_WRITE,
    WAKE_INT1,
    WAKE_STREAM_OVER,
    CoT,
    OptionsT,
    StatsT,
    errno_name,
    load_port,
)
from emulated_chip.lsm6dso.cosim import make_master, power_on
from emulated_chip.lsm6dso.i2c_master import I2cNack
from emulated_chip.lsm6dso.regs import ACCEL_FS_CODE, GYRO_FS_CODE, I2C_ADDRESS
from emulated_chip.lsm6dso.samples import RawSample, SampleSource

#: Environment variable naming the run's settings file.
CONFIG_ENV = "STRIDELAB_COCOTB_CONFIG"

#: A configured output rate further than this from the samples' rate is a firmware error.
RATE_TOLERANCE = 0.10


@dataclass(frozen=True)
class RunConfig:
    """What one co-simulation run needs, from the target's settings file."""

    library: Path
    samples: Path
    announce: Path
    speed_out: Path
    master: str = "bfm"
    #: MCU stalls as (start, duration) in seconds from the first sample slot.
    stalls_s: tuple[tuple[float, float], ...] = ()
    #: The rig's process: the port waits for it as long as it lives (0: the simulator's parent).
    rig_pid: int = 0
    fifo_wtm_samples: int = 16
    #: Where the sample player reads the samples (the +stridelab_samples plusarg names the same file).
    player_file: Path | None = None

    @classmethod
    def from_env(cls) -> RunConfig:
        """Read the file named by :data:`CONFIG_ENV`."""
        path = os.environ.get(CONFIG_ENV)
        if not path:
            raise RuntimeError(f"{CONFIG_ENV} must name the run's settings file (the cocotb target writes it)")
        raw: dict[str, Any] = json.loads(Path(path).read_text())
        return cls(
            library=Path(raw["library"]),
            samples=Path(raw["samples"]),
            announce=Path(raw["announce"]),
            speed_out=Path(raw["speed_out"]),
            master=raw.get("master", "bfm"),
            stalls_s=tuple((float(a), float(b)) for a, b in raw.get("stalls_s", ())),
            rig_pid=int(raw.get("rig_pid", 0)),
            fifo_wtm_samples=int(raw.get("fifo_wtm_samples", 16)),
            player_file=Path(raw["player_file"]) if raw.get("player_file") else None,
        )


@dataclass(frozen=True)
class SensorStream:
    """The samples the model is fed: int16 counts ax..gz (shoe frame), slot indices, real rate."""

    counts: np.ndarray
    index: np.ndarray
    odr_mhz: int
    accel_fs_g: int
    gyro_fs_dps: int

    @classmethod
    def load(cls, path: Path) -> SensorStream:
        """Read the file the target's feed() wrote."""
        with np.load(path) as z:
            return cls(counts=z["counts"], index=z["index"], odr_mhz=int(z["odr_mhz"]),
                       accel_fs_g=int(z["accel_fs_g"]), gyro_fs_dps=int(z["gyro_fs_dps"]))

    def slot_ns(self, k: int) -> int:
        """Time from the sensor's start to the end of output slot k (slot 0 ends one period in), ns."""
        return ((k + 1) * 10**12 + self.odr_mhz // 2) // self.odr_mhz

    @property
    def duration_ns(self) -> int:
        """From the sensor's start to one period after the last sample, ns."""
        return self.slot_ns(int(self.index[-1]) + 1) if len(self.index) else 0


# ---- the sensor's side ------------------------------------------------------------------


def write_player_file(stream: SensorStream, path: Path) -> None:
    """The samples as the sample player reads them: COUNT DURATION_NS, then DUE_NS and six counts a line."""
    due = np.array([stream.slot_ns(int(k)) for k in stream.index.tolist()], dtype=np.int64)
    rows = np.column_stack([due, stream.counts.astype(np.int64)])
    body = "\n".join(" ".join(map(str, r)) for r in rows.tolist())
    path.write_text(f"{len(rows)} {stream.duration_ns}\n{body}\n")


@dataclass
class SensorFeed:
    """Feeds a :class:`SensorStream` into the model once the firmware starts the part.

    With a player file, the Verilog sample player strobes the samples in (Python wakes at the
    first slot, to check the configuration, and at the end); without one, Python strobes each
    sample itself (slow: three wake-ups a sample). ``over`` is set one period after the last
    sample; ``errors`` holds what made the feed stop early (a rate or full scale the samples
    were not made for).
    """

    dut: Any
    stream: SensorStream
    player_file: Path | None = None
    over: Event = field(default_factory=Event)
    errors: list[str] = field(default_factory=list)
    #: Simulated time of the sensor's start (its output rate written), ns; None before.
    start_ns: int | None = None
    start_wall_s: float = 0.0
    end_wall_s: float = 0.0

    async def run(self) -> None:
        """Wait for an output rate, check the configuration, feed every sample at its slot."""
        dut = self.dut
        source = SampleSource(dut)
        if self.player_file is not None:
            write_player_file(self.stream, self.player_file)
            dut.player_abort.value = 0
            dut.player_en.value = 1
        while source.odr_hz() == 0.0:
            await First(dut.odr_xl.value_change, dut.odr_g.value_change)
        self.start_ns = int(get_sim_time("ns"))
        self.start_wall_s = time.perf_counter()
        if self.player_file is not None:
            await self._play(source)
        else:
            await self._push_each(source)
        self.over.set()

    async def _play(self, source: SampleSource) -> None:
        dut, s = self.dut, self.stream
        assert self.start_ns is not None
        first_due = self.start_ns + s.slot_ns(int(s.index[0]))
        now = int(get_sim_time("ns"))
        if first_due > now:
            await Timer(first_due - now, "ns")
        # the firmware has had a sample period to finish configuring the part
        problem = self._configuration_problem(source.odr_hz())
        if problem:
            self.errors.append(problem)
            dut.player_abort.value = 1
            return
        if not dut.player_done.value:
            await RisingEdge(dut.player_done)
        if dut.player_error.value:
            self.errors.append(f"the sample player could not read {self.player_file} (see the simulator's output)")
        elif int(dut.player_played.value) != len(s.index):
            self.errors.append(f"the sample player strobed {int(dut.player_played.value)} of {len(s.index)} samples")

    async def _push_each(self, source: SampleSource) -> None:
        assert self.start_ns is not None
        s = self.stream
        now = self.start_ns
        for k, slot in enumerate(s.index.tolist()):
            due = self.start_ns + s.slot_ns(slot)
            if due > now:
                await Timer(due - now, "ns")
            if k == 0:  # the firmware has had a sample period to finish configuring the part
                problem = self._configuration_problem(source.odr_hz())
                if problem:
                    self.errors.append(problem)
                    return
            ax, ay, az, gx, gy, gz = (int(v) for v in s.counts[k])
            await source.push(RawSample(gyro=(gx, gy, gz), accel=(ax, ay, az)))
            now = int(get_sim_time("ns"))
        end = self.start_ns + s.duration_ns
        if end > now:
            await Timer(end - now, "ns")

    def _configuration_problem(self, model_hz: float) -> str:
        s = self.stream
        rate_hz = s.odr_mhz / 1000.0
        if abs(model_hz / rate_hz - 1.0) > RATE_TOLERANCE:
            return (f"the firmware set the sensor to {model_hz:g} Hz but the samples were made at {rate_hz:g} Hz "
                    f"(more than {RATE_TOLERANCE:.0%} apart)")
        fs_xl, fs_g = int(self.dut.fs_xl.value), int(self.dut.fs_g.value)
        if ACCEL_FS_CODE.get(s.accel_fs_g) != fs_xl or GYRO_FS_CODE.get(s.gyro_fs_dps) != fs_g:
            return (f"the firmware set full scales FS_XL={fs_xl:02b}, FS_G={fs_g:03b}; the samples are counts at "
                    f"+-{s.accel_fs_g} g and +-{s.gyro_fs_dps} dps")
        return ""


# ---- the MCU's side -------------------------------------------------------------------------


class FirmwarePort:
    """The firmware's co-simulation port on the model, stepped from the simulator's thread.

    :meth:`run` starts the port's ``cosim_run()`` on a stack of its own (``cosim_co_start``);
    it runs until it needs the bus or a sleep, and returns that request. The request is
    carried out here, in simulated time, and the answer handed back with
    ``cosim_co_resume``: one return to Python per register transaction or sleep, no thread.
    A failing request becomes a negative errno for C (a NACK is -ENXIO, anything else -EIO)
    and the exception is kept for the report.

    Args:
        dut: the ``lsm6dso_tb`` toplevel handle.
        config: the run's settings.
        feed: the sensor feed (its ``over`` event ends the stream; its start time anchors
            the MCU stalls).
    """

    def __init__(self, dut: Any, config: RunConfig, feed: SensorFeed) -> None:
        self.dut = dut
        self.config = config
        self.feed = feed
        self.lib = load_port(config.library)
        self.i2c = make_master(dut, config.master)
        #: Exceptions raised by requests, in order (each became a negative errno in C).
        self.errors: list[BaseException] = []
        self.stats = StatsT()
        self._stalls_ns = [(round(a * 1e9), round((a + d) * 1e9)) for a, d in config.stalls_s]
        self.options = OptionsT()
        self.lib.cosim_options_default(ctypes.byref(self.options))
        self._announce = str(config.announce).encode()  # C keeps the pointer: it lives as long as the port
        self.options.announce_path = self._announce
        self.options.rig_pid = config.rig_pid
        self.options.fifo_wtm_samples = config.fifo_wtm_samples

    async def run(self, sim_limit_ns: int) -> int:
        """Run the port to its end, serving its requests; cosim_run()'s return code, 0 after a whole run."""
        self.options.sim_limit_ns = sim_limit_ns
        co = CoT()
        co.now_ns = int(get_sim_time("ns"))
        co_ref = ctypes.byref(co)
        rc = self.lib.cosim_co_start(ctypes.byref(self.options), ctypes.byref(self.stats), co_ref)
        if rc < 0:
            raise RuntimeError(f"cosim_co_start failed: {errno_name(rc)}")
        resume_port = self.lib.cosim_co_resume
        while co.op != CO_DONE:
            op = co.op
            if op == CO_READ:
                co.result = await self._answer(self._read(co.reg, co.len, co))
            elif op == CO_WRITE:
                co.result = await self._answer(self._write(co.reg, bytes(co.data[:co.len])))
            elif op == CO_WAIT:
                co.result = await self._answer(self._wait(co.timeout_us))
            else:
                raise RuntimeError(f"the co-simulation port asked for unknown request {op}")
            co.now_ns = int(get_sim_time("ns"))
            resume_port(co_ref)
        return int(co.result)

    async def _answer(self, request: Coroutine[Any, Any, int]) -> int:
        """A request's result for C: its own, or a negative errno if it raised (kept in errors)."""
        try:
            return await request
        except I2cNack as exc:
            self.errors.append(exc)
            return -errno.ENXIO
        except Exception as exc:  # noqa: BLE001 - C gets an errno, the report gets the exception
            self.errors.append(exc)
            return -errno.EIO

    # ---- the requests, carried out in simulated time ---------------------------------------

    async def _read(self, reg: int, length: int, co: CoT) -> int:
        data = await self.i2c.read_regs(I2C_ADDRESS, reg, length)
        ctypes.memmove(co.data, data, length)
        return 0

    async def _write(self, reg: int, data: bytes) -> int:
        await self.i2c.write_regs(I2C_ADDRESS, reg, data)
        return 0

    async def _wait(self, timeout_us: int) -> int:
        dut, over = self.dut, self.feed.over
        rose = False
        if not over.is_set():
            edge = RisingEdge(dut.int1)
            fired = await First(edge, Timer(timeout_us, "us"), over.wait())
            rose = fired is edge
        # INT1 is reported only when the MCU takes it at the edge: a stalled wake-up
        # happens later, and the port must not time the FIFO by it
        flags = WAKE_INT1 if rose and not await self._stall() else 0
        if over.is_set():
            self.feed.end_wall_s = self.feed.end_wall_s or time.perf_counter()
            flags |= WAKE_STREAM_OVER
        return flags

    async def _stall(self) -> bool:
        """An injected MCU stall (say, a flash erase): the wake-up waits until it is over.

        Returns True when the wake-up was delayed."""
        if self.feed.start_ns is None:
            return False
        now = int(get_sim_time("ns")) - self.feed.start_ns
        delayed = False
        for begin, end in self._stalls_ns:
            if begin <= now < end:
                await Timer(end - now, "ns")
                now = end
                delayed = True
        return delayed


@cocotb.test()
async def firmware_on_the_sensor(dut: Any) -> None:
    """The firmware reads the fed samples from the model's FIFO and reports over its link."""
    config = RunConfig.from_env()
    # what is loaded by now lives for the whole run: keep the cyclic collector from walking it
    # again at every collection (it was a tenth of the simulator's time)
    gc.collect()
    gc.freeze()
    stream = SensorStream.load(config.samples)
    if not len(stream.index):
        raise AssertionError(f"{config.samples} holds no samples")
    await power_on(dut)
    feed = SensorFeed(dut, stream, config.player_file)
    feeder = cocotb.start_soon(feed.run())
    port = FirmwarePort(dut, config, feed)
    # the stream must be over by then: sensor start-up and a 10 s margin on top
    limit_ns = int(get_sim_time("ns")) + stream.duration_ns + 10**10
    wall0 = time.perf_counter()
    rc = await port.run(limit_ns)
    wall = time.perf_counter() - wall0
    if not feeder.done():
        feeder.cancel()
    stats = port.stats.as_dict()
    figures = _figures(feed, stream, port, stats, wall)
    config.speed_out.write_text(json.dumps(figures, indent=1) + "\n")
    dut._log.info("co-simulation: %s", figures)
    problems = [f"cosim_run returned {errno_name(rc)}"] if rc else []
    problems += feed.errors
    problems += [f"a bus or INT1 callback failed: {e!r}" for e in port.errors[:3]]
    if problems:
        raise AssertionError("; ".join(problems) + " (the port's own messages are in this log above)")


def _figures(feed: SensorFeed, stream: SensorStream, port: FirmwarePort, stats: dict[str, int],
             wall_s: float) -> dict[str, Any]:
    """Speed and counters of the run, for speed.json and the log."""
    sim_s = (stats["stream_end_ns"] - (feed.start_ns or 0)) / 1e9 if stats["stream_end_ns"] else 0.0
    stream_wall_s = (feed.end_wall_s - feed.start_wall_s) if feed.end_wall_s else 0.0
    return {
        "simulator": cocotb.SIM_NAME,
        "master": port.config.master,
        "odr_hz": stream.odr_mhz / 1000.0,
        "samples_fed": int(len(stream.index)),
        "simulated_s": sim_s,
        "wall_s": stream_wall_s,
        "sim_s_per_wall_s": sim_s / stream_wall_s if stream_wall_s > 0 else None,
        "run_wall_s": wall_s,
        "i2c_bytes": port.i2c.bytes_transferred,
        "port": stats,
    }
