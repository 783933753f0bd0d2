"""`rig record`: the board's own sensor, streamed raw over the link into a recording CSV.

The firmware in RAW mode (CONFIG mode RAW) sends every sample its sensor delivers in RAW_BATCH
frames instead of analyzing it. The rig writes each one as a row of the recording CSV as it comes
(the file is valid at every moment), shows the samples, the rate and the samples lost (jumps of the
sample index: a FIFO overrun, or a frame lost on the link) while it runs, and stops on --duration
(sensor time) or Ctrl-C/SIGTERM: it sends END, and keeps every sample the firmware sent before
acknowledging it. The file replays on every target and draws with `rig plot`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from frame_spec import Message, MsgType
from frame_spec.messages import Mode, Op
from rig.errors import LinkError, LinkTimeout, RigError
from rig.inject import ACCEL_G_PER_LSB, GYRO_DPS_PER_LSB, RawStream
from rig.link import Link
from rig.progress import ProgressClock, WallClock
from rig.session import ReplaySession
from scenarios.recording_csv import COLUMNS, MAX_SAMPLES, MAX_STEP_S
from scenarios.whole_file import open_fifo_for_writing

#: Full scales of a recording: the analyzer's defaults (a CSV carries g and dps, not counts).
ACCEL_FS_G = 16
GYRO_FS_DPS = 2000
#: The LSM6DSO's output rates, Hz (datasheet tables 52 and 55): the board's firmware sets the nearest and stamps
#: its samples at the rate asked, so any other rate would be recorded with times that are not the samples'.
LSM6DSO_RATES_HZ = (12.5, 26.0, 52.0, 104.0, 208.0, 416.0, 833.0, 1666.0, 3333.0, 6667.0)
#: How far from a listed rate a requested one may be and still name it (6666 for 6667), as a ratio.
RATE_MATCH = 1e-3
#: How long the stream may pause before the recording fails, s (a board sends 13 batches a second at 416 Hz).
STALL_S = 5.0
#: How often the progress line is redrawn on a terminal, s.
PROGRESS_EVERY_S = 0.5
#: How often a plain progress line is printed anywhere else (a CI log, a file), s: a log gets lines, not
#: one line of carriage returns growing for the whole recording.
PROGRESS_LOG_EVERY_S = 10.0


@dataclass(frozen=True)
class RecordResult:
    """What a recording got."""

    out: Path
    samples: int
    #: Samples the index says were lost (sensor overruns, frames lost on the link).
    dropped: int
    #: Sensor time covered, first to last sample, s.
    duration_s: float
    odr_hz: float
    #: Why it stopped: "duration", or the signal's name.
    stopped_by: str
    hello: dict[str, Any]
    seq_gaps: int

    def line(self) -> str:
        """One line for the user."""
        return (f"{self.samples} samples ({self.duration_s:.2f} s at {self.odr_hz:g} Hz), {self.dropped} dropped, "
                f"stopped by {self.stopped_by} -> {self.out}")


class _Csv:
    """The recording CSV, written a row at a time and flushed every batch."""

    def __init__(self, path: Path, odr_hz: float, source: str) -> None:
        """A regular file at path is opened (so one that cannot be written is refused at once) but cut and
        written only when the first samples come: a recording that ends before them (a board that never
        streams, Ctrl-C) leaves a file that was there as it was, where it was emptied at once and lost."""
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fifo = open_fifo_for_writing(path)  # a FIFO nobody reads held the recording for ever
            self._existed = os.path.lexists(path)
            self._regular = fifo is None and (not self._existed or path.is_file())
            if fifo is not None:
                self._f: IO[str] = os.fdopen(fifo, "w", encoding="ascii")
            elif self._regular:
                self._f = os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o666), "w", encoding="ascii")
            else:  # a device: written through
                self._f = open(path, "w", encoding="ascii")
        except OSError as exc:
            raise RigError(f"--out {path}: cannot write the recording ({exc.strerror}); give a writable path") from None
        self._path = path
        self._header = (f"# stridelab recording {path.stem}, {source}\n"
                        f"# odr_hz={odr_hz:g} accel_fs_g={ACCEL_FS_G} gyro_fs_dps={GYRO_FS_DPS}\n"
                        + ",".join(COLUMNS) + "\n")
        #: Whether the file has been cut to this recording (its header written).
        self.started = False
        if not self._regular:
            self._start()
        self._odr_hz = odr_hz
        self._g = ACCEL_G_PER_LSB[ACCEL_FS_G]
        self._dps = GYRO_DPS_PER_LSB[GYRO_FS_DPS]

    def _start(self) -> None:
        """Cut the file to this recording and write its header."""
        if self._regular:
            try:
                self._f.truncate(0)
            except OSError as exc:
                raise RigError(f"--out {self._path}: cannot write the recording ({exc.strerror or exc}); give a "
                               "writable path") from None
        self.started = True
        self._put(self._header)

    def write(self, first_index: int, samples: list[dict[str, int]]) -> None:
        if not self.started:
            self._start()
        rows = []
        for i, s in enumerate(samples):
            rows.append(f"{(first_index + i) / self._odr_hz:.6f},{s['ax'] * self._g:.7f},{s['ay'] * self._g:.7f},"
                        f"{s['az'] * self._g:.7f},{s['gx'] * self._dps:.5f},{s['gy'] * self._dps:.5f},"
                        f"{s['gz'] * self._dps:.5f}\n")
        self._put("".join(rows))

    def _put(self, text: str) -> None:
        """Write and flush text; RigError naming --out when that fails (a full file system)."""
        try:
            self._f.write(text)
            self._f.flush()
        except OSError as exc:
            raise RigError(f"--out {self._path}: cannot write the recording ({exc.strerror or exc}); the rows written "
                           "before are kept: free space on that file system, or give another --out") from None

    def close(self) -> None:
        try:
            self._f.close()
        except OSError:
            pass  # what could not be written was refused by _put already

    def discard(self) -> None:
        """Leave no file holding no recording (its header, perhaps one sample): one this recording made or
        cut is removed; one it never touched stays as it was; a device or a FIFO stays."""
        if not self._regular or (self._existed and not self.started):
            return
        try:
            self._path.unlink()
        except OSError:
            pass


class Recorder:
    """One recording over an open Link: handshake, CONFIG in RAW mode, collect, END."""

    def __init__(self, link: Link, csv: _Csv, odr_hz: float, progress: IO[str] | None = None,
                 hello_check: Callable[[dict[str, Any]], None] | None = None, clock: ProgressClock | None = None) -> None:
        self.link = link
        self.csv = csv
        self.odr_hz = odr_hz
        self.progress = progress
        self._tty = bool(getattr(progress, "isatty", lambda: False)())
        self.session = ReplaySession(link, hello_check=hello_check, clock=clock)
        self.clock = clock or WallClock()
        self.samples = 0
        self.dropped = 0
        self.first: int | None = None
        self.next_index: int | None = None
        self._t0 = 0.0
        self._shown = 0.0
        self._at_end = 0
        #: Most samples written: a recording may hold MAX_SAMPLES; those the firmware sends past it are left out.
        self.limit = MAX_SAMPLES

    @property
    def full(self) -> bool:
        """Whether the recording holds as many samples as a recording may."""
        return self.samples >= self.limit

    def _take(self, msg: Message) -> None:
        if msg.type is not MsgType.RAW_BATCH:
            self.session.take(msg)
            return
        first = int(msg.payload["first_index"])
        samples = msg.payload["samples"]
        if self.next_index is not None and first < self.next_index:
            raise RigError(f"the firmware on {self.link.url} sent sample {first} after {self.next_index - 1}: its "
                           "sample index went back (a reset?); the recording so far is kept")
        if self.next_index is not None and (first - self.next_index) / self.odr_hz > MAX_STEP_S:
            # a recording with such a gap is one rig replay and rig bench refuse: a corrupt index, or a
            # sensor that restarted its count, not samples lost
            raise RigError(f"the firmware on {self.link.url} sent sample {first} after {self.next_index - 1}: its "
                           f"sample index jumped {(first - self.next_index) / self.odr_hz:.6g} s of sensor time ahead, "
                           f"more than the {MAX_STEP_S:.0f} s a recording may skip (a corrupt index, or a sensor that "
                           "restarted its count); the recording so far is kept")
        if self.full:
            return  # (sent before END was acknowledged) past what a recording may hold
        samples = samples[:self.limit - self.samples]
        if self.first is None:
            self.first = first
        elif self.next_index is not None:
            self.dropped += first - self.next_index
        self.csv.write(first, samples)
        self.samples += len(samples)
        self.next_index = first + len(samples)
        self._show()

    def _show(self, final: bool = False) -> None:
        now = time.monotonic()
        every_s = PROGRESS_EVERY_S if self._tty else PROGRESS_LOG_EVERY_S
        if self.progress is None or (not final and now - self._shown < every_s):
            return
        self._shown = now
        span = self.sensor_s()
        rate = (self.samples + self.dropped) / span if span > 0 else 0.0
        text = f"recording: {self.samples} samples, {span:7.2f} s, {rate:6.1f} samples/s, {self.dropped} dropped"
        if self._tty:  # one line rewritten in place
            self.progress.write(f"\r{text}" + ("\n" if final else ""))
        else:  # a CI log or a file: a line each
            self.progress.write(text + "\n")
        self.progress.flush()

    def sensor_s(self) -> float:
        """Sensor time from the first sample to the last one received, s."""
        if self.first is None or self.next_index is None:
            return 0.0
        return (self.next_index - 1 - self.first) / self.odr_hz

    def start(self) -> dict[str, Any]:
        """HELLO (checked), then CONFIG in RAW mode."""
        hello = self.session.handshake()
        settings = RawStream(np.zeros((0, 6), np.int16), np.zeros(0, np.uint32), np.zeros(0), int(round(self.odr_hz * 1000)),
                             ACCEL_FS_G, GYRO_FS_DPS)
        self.session.configure(settings, Mode.RAW)
        self._t0 = time.monotonic()
        return hello

    def collect(self, duration_s: float | None, stop: Callable[[], bool] = lambda: False) -> None:
        """Write batches until duration_s of sensor time (None: until stop() says so); RigError on a stalled stream."""
        last = self.samples
        self.clock.start()
        while not stop() and not self.full and (duration_s is None or self.sensor_s() < duration_s - 0.5 / self.odr_hz):
            msg = self.link.receive(0.1)
            if msg is not None:
                self._take(msg)
            if self.samples != last:
                last = self.samples
                self.clock.start()
            elif self.clock.charged() > STALL_S:
                raise LinkTimeout(f"the firmware on {self.link.url} sent no samples for {STALL_S:g} s "
                                  f"({self.samples} so far): is its sensor running? (LOG: {self.link.logs[-3:]})",
                                  self.link.capture)

    def stop(self) -> None:
        """END, then every batch until its ACK: nothing the firmware sent before it is left out.

        The wait is bounded whatever arrives meanwhile: a firmware that streams on and never acknowledges
        END (one that ignores it) kept the recording going for ever, past its --duration."""
        seq = self.link.send(MsgType.CMD, {"op": Op.END.name})
        self._at_end = self.samples
        self.clock.start()
        while not self.session.acked(seq):
            if self.clock.charged() > STALL_S:
                raise LinkTimeout(f"the firmware on {self.link.url} did not acknowledge END within {STALL_S:g} s "
                                  f"(it sent {self.samples - self._at_end} samples meanwhile); {self.samples} "
                                  "samples are kept", self.link.capture)
            msg = self.link.receive(0.1)
            if msg is not None:
                self._take(msg)
        self._show(final=True)


def check_settings(duration_s: float | None, odr_hz: float) -> None:
    """Refuse a --duration or --odr-hz no recording can have (RigError naming the option), before anything starts."""
    if duration_s is not None and not duration_s > 0:
        raise RigError(f"--duration {duration_s}: give a positive number of seconds")
    if not any(abs(odr_hz / rate - 1.0) <= RATE_MATCH for rate in LSM6DSO_RATES_HZ):
        # 500 recorded a board's 416 Hz samples stamped 2 ms apart, its timeline stretched by a fifth
        rates = ", ".join(f"{rate:g}" for rate in LSM6DSO_RATES_HZ)
        hint = ""
        if odr_hz > 0 and np.isfinite(odr_hz):
            nearest = min(LSM6DSO_RATES_HZ, key=lambda rate: abs(np.log(odr_hz / rate)))
            hint = f" (the nearest: {nearest:g})"
        raise RigError(f"--odr-hz {odr_hz:g}: the LSM6DSO has no such output rate; give one of its rates: "
                       f"{rates} Hz{hint}")
    if duration_s is not None and not duration_s * odr_hz <= MAX_SAMPLES:
        # --duration inf recorded until Ctrl-C as if none were given; 86400 wrote a recording of 36 M samples
        # that rig replay, rig plot and rig bench then refused (more than 2^23 samples)
        raise RigError(f"--duration {duration_s:g}: {odr_hz:g} Hz gives more than the {MAX_SAMPLES:,} samples a "
                       f"recording may hold; give at most {MAX_SAMPLES / odr_hz:,.0f} s, or leave --duration out "
                       "to record until Ctrl-C")
    if duration_s is not None and duration_s * odr_hz < 2.0:
        # recorded nothing, exit 0: a file every command refuses ('no samples after the header')
        raise RigError(f"--duration {duration_s:g}: {odr_hz:g} Hz gives fewer than two samples in it, and a "
                       f"recording needs two or more; give at least {2.0 / odr_hz:.3g} s")


def record(url: str, out: Path, run_dir: Path, duration_s: float | None = None, odr_hz: float = 416.0,
           hello_check: Callable[[dict[str, Any]], None] | None = None, baud: int = 115200, reopen_s: float = 0.0,
           progress: IO[str] | None = sys.stderr, pid: Callable[[], int | None] | None = None) -> RecordResult:
    """Record the sensor of the firmware at url into out; captures in run_dir.

    Stops after duration_s seconds of sensor time, or on Ctrl-C, SIGTERM or SIGHUP (when called from the
    main thread): either way it ends the stream with END and keeps every sample sent before its ACK.
    A second signal during that stop abandons it (KeyboardInterrupt); the file keeps what was written."""
    check_settings(duration_s, odr_hz)
    csv = _Csv(out, odr_hz, f"recorded by rig record from {url}")
    rec: Recorder | None = None
    try:
        with Link(url, run_dir, baud=baud, reopen_s=reopen_s) as link:
            rec = Recorder(link, csv, odr_hz, progress, hello_check,
                           ProgressClock(pid) if pid is not None else None)
            hello = rec.start()
            with _StopRequests() as stop:
                rec.collect(duration_s, stop.requested)
                rec.stop()
            if rec.samples < 2:
                # ended with exit 0 and a file of its header alone, which every command then refused
                got = "any sample" if rec.samples == 0 else "a second sample"
                raise RigError(f"--out {out}: stopped by {stop.by or 'the end of the stream'} before the firmware "
                               f"sent {got}, so there is no recording (it needs two samples or more) and no file was "
                               "left; record for longer, or check that the board's sensor streams (LOG lines in "
                               f"{run_dir / 'frames.jsonl'})")
            # at 6667 Hz a recording stopped by Ctrl-C after 21 minutes held more than 2^23 samples: a file rig
            # replay, rig plot and rig bench refuse; it now ends there
            how = stop.by or (f"the {rec.limit:,} samples a recording may hold" if rec.full else "duration")
            return RecordResult(out, rec.samples, rec.dropped, rec.sensor_s(), odr_hz, how, hello,
                                link.seq_gaps)
    except LinkError as exc:
        said, _, rest = str(exc).partition("\n")
        if rec is not None and rec.samples >= 2 and " kept" not in said:
            # a link that failed mid-stream said nothing of the recording: the rows written stay, and are whole
            exc.args = (f"{said}; the {rec.samples} rows written before are kept in {out}"
                        + (f"\n{rest}" if rest else ""),)
        raise
    finally:
        csv.close()
        if rec is None or rec.samples < 2:  # a header alone (a signal, an error before the samples came)
            csv.discard()


class _StopRequests:
    """While recording, SIGINT, SIGTERM and SIGHUP ask the loop to stop instead of interrupting it anywhere
    (a byte read from the port but not yet in the capture would be lost); a second one interrupts the stop."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.by = ""
        self._saved: dict[int, Any] = {}

    def requested(self) -> bool:
        return bool(self.by)

    def _handle(self, signum: int, frame: object) -> None:
        if self.by:
            raise KeyboardInterrupt(signal.Signals(signum).name)
        self.by = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name

    def __enter__(self) -> "_StopRequests":
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._saved[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._saved.items():
            signal.signal(sig, handler)
