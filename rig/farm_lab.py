"""An emulated board farm on this machine: labgrid's coordinator and exporter, a ser2net per board,
the native firmware behind each, every socket on loopback.

    python -m rig.farm_lab --places 3 [--dir DIR]

starts N boards (the host build on a pty), a ser2net serving each pty as RFC 2217 on 127.0.0.1, a
labgrid-coordinator on 127.0.0.1, a labgrid-exporter publishing each ser2net as the
NetworkSerialPort of group `lab-K`, and places `lab-1..lab-N` matching them. It prints
``READY LG_COORDINATOR=127.0.0.1:PORT PLACES=lab-1,...`` and runs until SIGTERM or Ctrl-C, then
stops everything it started. ``PULL lab-K`` on its standard input stops that board's ser2net (a board
pulled from the rack). The tests and the farm benchmark run the catalog against it:

    pytest tests/hil --target board --board-profile host --place lab-1,lab-2,lab-3 -n 3
"""

from __future__ import annotations

import argparse
import asyncio
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from rig.errors import RigError
from rig.once import Once
from rig.out_path import kind_of
from rig.targets.host import HostTarget
from rig.targets.sockets import free_port, process_listens
from rig.tool_args import ArgumentParser, positive_int
from scenarios.input_file import excerpt

EXPORTER_NAME = "stridelab-lab"
#: How long each service may take to come up, s (on a loaded machine labgrid's imports alone take seconds).
START_S = 60.0


def labgrid_tool(name: str) -> list[str]:
    """The command that runs labgrid's `name` (labgrid-coordinator, labgrid-exporter): the script installed
    beside this Python, else on PATH; RigError when labgrid is not installed."""
    beside = Path(sys.executable).parent / name
    if beside.exists():
        return [str(beside)]
    found = shutil.which(name)
    if found:
        return [found]
    raise RigError(f"{name} not found: pip install -e '.[labgrid]'")


def _wait_listening(proc: subprocess.Popen[bytes], port: int, what: str, log: Path) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if process_listens(proc.pid, port):
            return
        if proc.poll() is not None:
            raise RigError(f"{what} exited with status {proc.returncode}: {log.read_text(errors='replace')[-1500:]}")
        time.sleep(0.05)
    raise RigError(f"{what} did not listen on 127.0.0.1:{port} within {START_S:g} s (log: {log})")


def ser2net_config(device: str, port: int) -> str:
    """A ser2net (4.x) configuration serving device as RFC 2217 on 127.0.0.1:port."""
    return ("connection: &board\n"
            f"  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
            f"  connector: serialdev,{device},115200n81,local\n"
            "  options:\n    kickolduser: true\n")


class EmulatedLab:
    """The farm: start() brings it up, stop() ends every process it started."""

    def __init__(self, places: int, work: Path) -> None:
        if places < 1:
            raise RigError(f"--places {places}: give at least one place")
        if shutil.which("ser2net") is None:
            raise RigError("ser2net not found: apt-get install ser2net")
        self.coordinator_cmd = labgrid_tool("labgrid-coordinator")
        self.exporter_cmd = labgrid_tool("labgrid-exporter")
        self.work = work
        self.names = [f"lab-{k}" for k in range(1, places + 1)]
        self.boards: list[HostTarget] = []
        self.ser2net: dict[str, subprocess.Popen[bytes]] = {}
        self.procs: list[subprocess.Popen[bytes]] = []
        self._logs: list[IO[bytes]] = []
        self.coordinator = ""

    def _spawn(self, argv: list[str], log: Path) -> subprocess.Popen[bytes]:
        f = open(log, "wb")
        self._logs.append(f)
        proc = subprocess.Popen(argv, cwd=self.work, stdout=f, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.procs.append(proc)
        return proc

    def start(self) -> None:
        """Boards, ser2nets, coordinator, exporter, places; RigError naming the part that failed."""
        exports = []
        for name in self.names:
            board_dir = self.work / name
            board_dir.mkdir(parents=True, exist_ok=True)
            board = HostTarget()
            self.boards.append(board)
            pty = board.start(board_dir)
            port = free_port()
            cfg = board_dir / "ser2net.yaml"
            cfg.write_text(ser2net_config(pty, port))
            proc = self._spawn(["ser2net", "-n", "-d", "-c", str(cfg)], board_dir / "ser2net.log")
            _wait_listening(proc, port, f"ser2net of {name}", board_dir / "ser2net.log")
            self.ser2net[name] = proc
            exports.append(f"{name}:\n  NetworkSerialPort:\n    host: 127.0.0.1\n    port: {port}\n    speed: 115200\n")
        cport = free_port()
        self.coordinator = f"127.0.0.1:{cport}"
        coord = self._spawn([*self.coordinator_cmd, "--listen", self.coordinator], self.work / "coordinator.log")
        _wait_listening(coord, cport, "labgrid-coordinator", self.work / "coordinator.log")
        (self.work / "exporter.yaml").write_text("".join(exports))
        self._spawn([*self.exporter_cmd, "--coordinator", self.coordinator, "--name", EXPORTER_NAME,
                     "--hostname", "127.0.0.1", str(self.work / "exporter.yaml")], self.work / "exporter.log")
        asyncio.run(self._places())

    async def _places(self) -> None:
        from labgrid.remote.client import ClientSession
        from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

        session = ClientSession(self.coordinator, asyncio.get_running_loop())
        await session.start()
        try:
            deadline = time.monotonic() + START_S
            while set(session.resources.get(EXPORTER_NAME, {})) < set(self.names):
                if time.monotonic() > deadline:
                    raise RigError(f"labgrid-exporter did not publish {', '.join(self.names)} within {START_S:g} s "
                                   f"(log: {self.work / 'exporter.log'})")
                await asyncio.sleep(0.1)
            for name in self.names:
                if name not in session.places:
                    await session.stub.AddPlace(pb.AddPlaceRequest(name=name))
                    await session.stub.AddPlaceMatch(pb.AddPlaceMatchRequest(
                        placename=name, pattern=f"{EXPORTER_NAME}/{name}/NetworkSerialPort"))
            await session.sync_with_coordinator()
        finally:
            await session.stop()
            await session.close()

    def acquired(self) -> dict[str, str]:
        """Each place and who holds it ("" when free), as the coordinator says now."""
        return asyncio.run(self._acquired())

    async def _acquired(self) -> dict[str, str]:
        from labgrid.remote.client import ClientSession

        session = ClientSession(self.coordinator, asyncio.get_running_loop())
        await session.start()
        try:
            return {name: str(place.acquired or "") for name, place in session.places.items()}
        finally:
            await session.stop()
            await session.close()

    def pull(self, name: str) -> None:
        """Take a board out of the rack: its ser2net stops, its port refuses connections."""
        proc = self.ser2net[name]
        proc.terminate()
        proc.wait(10)

    def stop(self) -> None:
        """End every process started, newest first; close the logs."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        for board in self.boards:
            board.stop()
        for f in self._logs:
            f.close()


#: Most places of an emulated farm: each is a native firmware and a ser2net on this machine.
MAX_PLACES = 32


def _places(text: str) -> int:
    """argparse type of --places: a whole number within 1..MAX_PLACES (99999999 started boards until the
    machine ran out of processes or ports)."""
    value = positive_int(text)
    if value > MAX_PLACES:
        raise argparse.ArgumentTypeError(f"{excerpt(text)}: at most {MAX_PLACES} (each place is a native firmware "
                                         "and a ser2net on this machine)")
    return value


def _log_dir(text: str) -> Path:
    """argparse type of --dir: a directory, or a path where one can be made (a file there ended in a
    FileExistsError traceback; an empty path put the logs among the current directory's files)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give the directory the logs go to, or leave --dir out")
    kind = kind_of(text)
    if kind not in (None, "a directory"):
        raise argparse.ArgumentTypeError(f"{text} is {kind}, not a directory; give a directory for the logs (it is "
                                         "made when missing)")
    return Path(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Run an emulated farm until SIGTERM/Ctrl-C; print READY with its coordinator and places."""
    ap = ArgumentParser(prog="python -m rig.farm_lab", description=__doc__.split("\n\n", 1)[0])
    ap.add_argument("--places", action=Once, type=_places, default=2,
                    help=f"boards in the farm (default 2, at most {MAX_PLACES})")
    ap.add_argument("--dir", action=Once, type=_log_dir, default=None,
                    help="where logs go (default: a temporary directory)")
    args = ap.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    work = args.dir or Path(tempfile.mkdtemp(prefix="stridelab-lab-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        lab = EmulatedLab(args.places, work)
    except RigError as exc:
        print(f"farm_lab: {exc}", file=sys.stderr)
        return 2
    try:
        lab.start()
        print(f"READY LG_COORDINATOR={lab.coordinator} PLACES={','.join(lab.names)} LOGS={work}", flush=True)
        stdin_open = True
        while True:
            ready, _, _ = select.select([sys.stdin] if stdin_open else [], [], [], 1.0)
            if not ready:
                continue
            line = sys.stdin.readline()
            if not line:
                stdin_open = False  # run on until SIGTERM
            elif line.startswith("PULL "):
                lab.pull(line.split()[1])
                print(f"PULLED {line.split()[1]}", flush=True)
    except RigError as exc:
        print(f"farm_lab: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, SystemExit):
        return 0
    finally:
        lab.stop()


if __name__ == "__main__":
    sys.exit(main())
