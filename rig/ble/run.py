"""A scenario run with the shoe on Bluetooth LE and a phone app subscribed to it.

The firmware runs on its target as in any run; the rig exposes it as a BLE peripheral with the
Running Speed and Cadence service (rig.ble.shoe) and, on the virtual link, starts the phone
(rig.ble.phone) as a separate process on a loopback socket. The phone finds the shoe, reads its
characteristics, runs the SC Control Point procedures (which reach the firmware and come back as
indications) and subscribes; then the samples stream and every RSC Measurement travels firmware
-> link -> GATT notification -> phone. The verdict judges what the phone received against the
truth (rig.app_view), and checks that it received exactly what the firmware sent.

Captures, besides the usual ones: phone.jsonl (every line the phone printed), phone.log (its
stderr), app_view.json (the firmware's RSC Measurements).
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from construct import ConstructError

from frame_spec import Message, MsgType
from frame_spec import rscs
from rig.app_view import RscSample
from rig.assertions import Report, check_result
from rig.ble.link import VIRTUAL, BleStack
from rig.ble.shoe import ShoePeripheral
from rig.errors import CaptureError, RigError
from rig.inject import to_raw
from rig.link import Link
from rig.records import RunResult
from rig.runner import new_run_dir, target_running, write_capture
from rig.session import ReplaySession, Timeouts
from rig.targets.base import Target
from scenarios.catalog import synthesize
from scenarios.model import Recording

#: Total distance the phone sets with Set Cumulative Value before the run, m.
PHONE_SET_DISTANCE_M = 1000.0
#: Bound of each BLE step (scanning, connecting, a GATT procedure), s.
STEP_S = 30.0


class PhoneProcess:
    """The phone app, a separate process; every line it prints is kept in phone.jsonl."""

    def __init__(self, hci: str, run_dir: Path, set_distance_m: float | None) -> None:
        cmd = [sys.executable, "-m", "rig.ble.phone", "--hci", hci, "--timeout-s", str(STEP_S)]
        if set_distance_m is not None:
            cmd += ["--set-distance-m", repr(set_distance_m)]
        self.stderr_path = run_dir / "phone.log"
        self.capture_path = run_dir / "phone.jsonl"
        try:
            self._stderr = open(self.stderr_path, "wb")
        except OSError as exc:
            raise CaptureError.writing(self.stderr_path, exc) from None
        try:
            self._capture = open(self.capture_path, "w", encoding="utf-8")
        except OSError as exc:
            self._stderr.close()
            raise CaptureError.writing(self.capture_path, exc) from None
        #: The failed write of phone.jsonl (a full file system), raised by the run once its steps are done.
        self.capture_error: CaptureError | None = None
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=self._stderr, stdin=subprocess.DEVNULL,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self.events: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        assert self.proc.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stdout: IO[bytes]) -> None:
        """Keep each line the phone prints in phone.jsonl and as an event. A write that fails (a full
        file system) ended this thread with a traceback and left the phone's output unread: the run then
        waited out its steps for events that never came. Its error is kept for the run to raise; the
        phone's lines are still read, so the run ends as it would have, and says why it failed."""
        for line in stdout:
            text = line.decode("utf-8", "replace")
            if self.capture_error is None:
                try:
                    self._capture.write(text)
                    self._capture.flush()
                except OSError as exc:
                    self.capture_error = CaptureError.writing(self.capture_path, exc)
            try:
                event = json.loads(text)
            except json.JSONDecodeError:
                event = {"event": "unparsed", "line": text.rstrip("\n")}
            with self._lock:
                self.events.append(event)

    def seen(self, name: str) -> list[dict[str, Any]]:
        """The events of one kind so far, in order."""
        with self._lock:
            return [e for e in self.events if e.get("event") == name]

    @property
    def exited(self) -> bool:
        """Whether the process has ended."""
        return self.proc.poll() is not None

    def why(self) -> str:
        """The phone's exit status and the end of its stderr."""
        tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-3:] if self.stderr_path.exists() else []
        return f"exit status {self.proc.poll()}" + (": " + " / ".join(tail) if tail else "")

    def stop(self, timeout_s: float = 10.0) -> None:
        """Wait for the process to end by itself (at most timeout_s; 0: not at all), then end it; close the captures."""
        try:
            if timeout_s <= 0:
                raise subprocess.TimeoutExpired(self.proc.args, timeout_s)
            self.proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._reader.join(5.0)
        self._stderr.close()
        try:
            self._capture.close()
        except OSError as exc:  # what it still held could not be written
            if self.capture_error is None:
                self.capture_error = CaptureError.writing(self.capture_path, exc)


@dataclass
class BleRun:
    """A scenario run over BLE: the firmware's result, what the phone saw, the verdict."""

    name: str
    recording: Recording
    result: RunResult
    report: Report
    run_dir: Path
    #: RSC Measurements the firmware sent, and those the phone received, as bytes in order.
    sent: list[bytes] = field(default_factory=list)
    received: list[bytes] = field(default_factory=list)
    #: The phone's reads and Control Point exchanges, as it printed them.
    phone_events: list[dict[str, Any]] = field(default_factory=list)


def _phone_view(result: RunResult, received: list[bytes],
                set_distance_m: float | None) -> tuple[list[RscSample], list[bytes], list[str]]:
    """The phone's values on the firmware's timeline (the i-th well-formed value received is the i-th
    the firmware sent well formed), with the distance it set itself taken back out so the view is
    judged against the scenario's truth; the well-formed values received; and a sentence for each
    received value that is no RSC Measurement (the shoe relays what the firmware sent, malformed or
    not: it is named, never parsed into the view)."""
    out: list[RscSample] = []
    well_formed: list[bytes] = []
    problems: list[str] = []
    sent = iter(result.rsc)
    for i, value in enumerate(received):
        try:
            rscs.parse_measurement(value)
        except ConstructError as exc:
            problems.append(f"ble: notification #{i} the phone received, {value.hex(' ') or 'empty'}, is no RSC "
                            f"Measurement ({str(exc).splitlines()[0]}); it is left out of the app's view (phone.jsonl)")
            continue
        well_formed.append(value)
        at = next(sent, None)
        if at is None:
            continue  # more than the firmware sent: the comparison with what was sent names it
        smp = RscSample.from_value(at.t_s, value)
        if set_distance_m is not None and smp.total_m is not None:
            smp = dataclasses.replace(smp, total_m=smp.total_m - set_distance_m)
        out.append(smp)
    return out, well_formed, problems


def run_ble(target: Target, name: str, runs_dir: Path, seed: int | None = None, hci: str = VIRTUAL,
            timeouts: Timeouts | None = None, wait_s: float = 120.0) -> BleRun:
    """Run catalog scenario `name` on target with the shoe on BLE (see the module docstring).

    hci `virtual`: the phone process subscribes over the virtual link and the samples stream as fast
    as the target takes them. Another Bumble transport (`usb:0`): the shoe advertises on that
    controller, the run waits up to wait_s for a central (a real phone or watch) to subscribe to the
    RSC Measurement, then streams in real time; the verdict judges the firmware's own view.
    Raises RigError when a step fails; the captures stay in the run directory either way.
    """
    if target.sensor_fed:
        raise RigError(f"ble: target {target.name} reads its own sensor model; run the BLE shoe on a replay "
                       "target (host, qemu, board)")
    rec = synthesize(name, seed=seed)
    if rec.truth is None:
        raise RigError(f"scenario {name!r} has no ground truth to judge a run by")
    raw = to_raw(rec, accel_fs_g=int(rec.accel_fs_g), gyro_fs_dps=int(rec.gyro_fs_dps))
    run_dir = new_run_dir(runs_dir, f"{name}-ble", target.name)
    virtual = hci == VIRTUAL
    set_distance_m = PHONE_SET_DISTANCE_M if virtual else None
    stack = BleStack(hci)
    phone: PhoneProcess | None = None
    holder: dict[str, ShoePeripheral] = {}

    def before_stream(session: ReplaySession) -> None:
        nonlocal phone
        feature = session.gatt_read(rscs.RSC_FEATURE_UUID)
        location = session.gatt_read(rscs.SENSOR_LOCATION_UUID)
        device = stack.start()

        def to_firmware(value: bytes) -> None:
            session.outbox.put((MsgType.GATT_WRITE, {"uuid": rscs.SC_CONTROL_POINT_UUID, "value": value.hex()}))

        async def make() -> ShoePeripheral:
            shoe = ShoePeripheral(device, feature, location, to_firmware)
            await shoe.advertise()
            return shoe

        shoe = stack.call(make, STEP_S, "starting the shoe's GATT server")
        holder["shoe"] = shoe

        def observe(msg: Message) -> None:
            if msg.type is MsgType.RSC_MEASUREMENT:
                shoe.publish_threadsafe(bytes.fromhex(msg.payload["value"]))
            elif msg.type is MsgType.GATT_VALUE and msg.payload["uuid"] == rscs.SC_CONTROL_POINT_UUID:
                shoe.answer_threadsafe(bytes.fromhex(msg.payload["value"]))

        session.observers.append(observe)
        if virtual:
            phone = PhoneProcess(f"tcp-client:127.0.0.1:{stack.phone_port}", run_dir, set_distance_m)
            ph = phone
            session.wait_for(lambda: bool(ph.seen("ready")) or ph.exited, 6 * STEP_S, "the phone's subscription")
            if not phone.seen("ready"):
                raise RigError(f"ble: the phone did not subscribe ({phone.why()})")
        else:
            print(f"the shoe advertises as '{device.name}' on {hci}: connect to it from a phone or watch (Running Speed "
                  f"and Cadence); the run starts when it subscribes (up to {wait_s:g} s)", file=sys.stderr, flush=True)
            session.wait_for(lambda: shoe.subscribed.is_set(), wait_s,
                             f"a central subscribing to the RSC Measurement on {hci}")
            session.pace_t0 = time.monotonic()

    try:
        with target_running(target, run_dir) as url, Link(url, run_dir) as link:
            session = ReplaySession(link, timeouts or Timeouts(), clock=target.progress_clock())
            result = session.run(raw, before_stream)
            shoe = holder["shoe"]
            stack.call(shoe.drain, STEP_S, "handing the last RSC Measurements to the GATT layer")
            if phone is not None:
                # every measurement handed to the GATT layer must reach the phone before the shoe hangs up
                ph = phone
                session.wait_for(lambda: len(ph.seen("notification")) >= len(shoe.notified) or ph.exited, STEP_S,
                                 "the phone's last notifications")
            stack.call(shoe.close, STEP_S, "disconnecting the phone")
    finally:
        if phone is not None:
            # a run that failed or a signal cut short: the phone waits for a shoe that is gone, and would be
            # given 10 s to end by itself (Ctrl-C took 10 s to end rig ble); it is ended at once
            phone.stop(0.0 if sys.exc_info()[1] is not None else 10.0)
        stack.stop()
    if phone is not None and phone.capture_error is not None:
        raise phone.capture_error
    write_capture(run_dir / "result.json", json.dumps(result.to_json(), indent=1) + "\n")
    write_capture(run_dir / "app_view.json", json.dumps(result.app_view_json(), indent=1) + "\n")
    sent = [bytes.fromhex(s.value) for s in result.rsc]
    if phone is None:
        return BleRun(name, rec, result, check_result(result, rec.truth), run_dir, sent, [], [])
    received = [bytes.fromhex(e["value"]) for e in phone.seen("notification")]
    view, well_formed, malformed = _phone_view(result, received, set_distance_m)
    report = check_result(dataclasses.replace(result, rsc=tuple(view)), rec.truth)
    report.failures += malformed
    if well_formed != sent:
        first = next((i for i, (a, b) in enumerate(zip(sent, well_formed)) if a != b), min(len(sent), len(well_formed)))
        report.failures.append(f"ble: the phone received {len(well_formed)} RSC Measurements, the firmware sent {len(sent)}; "
                               f"the first difference is at #{first} (phone.jsonl, app_view.json)")
    return BleRun(name, rec, result, report, run_dir, sent, received,
                  [e for e in phone.events if e.get("event") != "notification"])
