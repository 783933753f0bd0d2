"""Boards in a labgrid farm: acquire a place, take its serial port as the link, release it on every exit.

labgrid (the `labgrid` extra) has a coordinator that knows the places of a lab and who holds each,
and exporters that publish each board's serial port (ser2net: a NetworkSerialPort, RFC 2217). The
board target (`--target board --place NAME`, or labgrid's own $LG_PLACE and $LG_COORDINATOR)
acquires the place for the run and links to the port its NetworkSerialPort names.

The lease lives in a small keeper process (`python -m rig.farm`) that acquires the place, says
which one and its port, then waits for its standard input to close and releases the place. The
rig holds that pipe: whether it ends normally, on Ctrl-C, on a signal or by crashing (even
SIGKILL), the pipe closes and the place is released; the keeper ignores the terminal's Ctrl-C so
that the rig's own clean-up comes first.

A pool (`--place a,b,c`) is tried from a start that differs per pytest-xdist worker, and the first
place nobody holds is taken: the coordinator grants each place to one client at a time, so no two
workers ever share a board.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rig.errors import RigError

COORDINATOR_ENV = "LG_COORDINATOR"
PLACE_ENV = "LG_PLACE"
DEFAULT_COORDINATOR = "127.0.0.1:20408"
#: How long acquiring may take before the run fails, s (the coordinator answers in milliseconds).
ACQUIRE_TIMEOUT_S = 30.0
#: How long releasing may take, s.
RELEASE_TIMEOUT_S = 15.0
#: The keeper's first line: "LEASE <place> <url>" or "ERROR <message>".
LEASE, ERROR = "LEASE", "ERROR"


def labgrid_missing() -> str | None:
    """Why labgrid cannot be used here, or None."""
    try:
        import labgrid.remote.client  # noqa: F401
    except ImportError as exc:
        return f"labgrid is not installed ({exc}): pip install -e '.[labgrid]'"
    return None


def coordinator_address(given: str | None = None) -> str:
    """The coordinator's HOST:PORT: given, else $LG_COORDINATOR, else labgrid's default."""
    return given or os.environ.get(COORDINATOR_ENV) or DEFAULT_COORDINATOR


def place_pool(given: str | None = None) -> list[str]:
    """The places to try: a comma-separated list given, else $LG_PLACE; RigError when neither names one."""
    text = given or os.environ.get(PLACE_ENV) or ""
    names = [n.strip() for n in text.split(",") if n.strip()]
    if not names:
        raise RigError(f"no labgrid place given: pass --place NAME[,NAME...] or set {PLACE_ENV}")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        # a pool of a,a passed for two boards: the second pytest-xdist worker found it held, every test of its failed
        source = f"--place {text}" if given else f"${PLACE_ENV}={text}"
        raise RigError(f"{source}: names {', '.join(twice)} twice; give each place of the pool once")
    return names


def worker_order(pool: list[str], worker: str | None = None) -> list[str]:
    """The pool rotated so that pytest-xdist worker gwN tries place N first (one place per worker)."""
    worker = worker if worker is not None else os.environ.get("PYTEST_XDIST_WORKER", "")
    n = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    k = n % len(pool)
    return pool[k:] + pool[:k]


# -- the keeper process ------------------------------------------------------------------------


def _serial_url(resources: dict[tuple[str, str], object], place: str) -> str:
    ports = [r for (_, cls), r in resources.items() if cls == "NetworkSerialPort"]
    if not ports:
        raise RigError(f"labgrid place {place} has no NetworkSerialPort (labgrid-client -p {place} show): "
                       "export the board's serial port with ser2net")
    args = getattr(ports[0], "args", {})
    host, port = args.get("host"), args.get("port")
    if not host or not port:
        raise RigError(f"labgrid place {place}: its NetworkSerialPort has no host and port ({args}); "
                       "is its exporter running?")
    # a board's ser2net answers modem-line requests; a pty or an emulator behind it cannot: don't wait for them
    return f"rfc2217://{host}:{port}?ign_set_control"


async def _acquire(session: object, pool: list[str]) -> tuple[str, str]:
    from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

    tried: list[str] = []
    for name in pool:
        try:
            place = session.get_place(name)  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - labgrid's UserError: the message says what is wrong
            tried.append(f"{name}: {exc}")
            continue
        if place.acquired:
            tried.append(f"{name}: acquired by {place.acquired}")
            continue
        try:
            await session.stub.AcquirePlace(pb.AcquirePlaceRequest(placename=name))  # type: ignore[attr-defined]
        except Exception as exc:  # noqa: BLE001 - grpc's error: another client was faster
            details = exc.details() if hasattr(exc, "details") else str(exc)
            tried.append(f"{name}: {details}")
            continue
        await session.sync_with_coordinator()  # type: ignore[attr-defined]
        try:
            url = _serial_url(session.get_target_resources(session.get_place(name)), name)  # type: ignore[attr-defined]
        except Exception:
            await session.stub.ReleasePlace(pb.ReleasePlaceRequest(placename=name))  # type: ignore[attr-defined]
            raise
        return name, url
    raise RigError("no labgrid place of " + ", ".join(pool) + " could be acquired: " + "; ".join(tried))


async def _release(session: object, name: str) -> None:
    from labgrid.remote.generated import labgrid_coordinator_pb2 as pb

    await session.stub.ReleasePlace(pb.ReleasePlaceRequest(placename=name))  # type: ignore[attr-defined]
    await session.sync_with_coordinator()  # type: ignore[attr-defined]


def _wake(signum: int, frame: object) -> None:
    raise InterruptedError(signum)


def keep(coordinator: str, pool: list[str]) -> int:
    """The keeper: acquire the first free place of pool, print LEASE, hold it until stdin closes, release it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the rig's clean-up runs first; stdin's end releases
    why = labgrid_missing()
    if why:
        print(f"{ERROR} {why}", flush=True)
        return 2
    from labgrid.remote.client import start_session

    try:
        session = start_session(coordinator)
    except Exception as exc:  # noqa: BLE001 - labgrid raises its own errors; the message names the cause
        print(f"{ERROR} cannot reach the labgrid coordinator at {coordinator} ({exc}): is labgrid-coordinator "
              f"running there? (set {COORDINATOR_ENV})", flush=True)
        return 2
    loop = session.loop
    try:
        name, url = loop.run_until_complete(asyncio.wait_for(_acquire(session, pool), ACQUIRE_TIMEOUT_S))
    except (RigError, asyncio.TimeoutError) as exc:
        print(f"{ERROR} {exc or f'acquiring a place took over {ACQUIRE_TIMEOUT_S:g} s'}", flush=True)
        return 2
    print(f"{LEASE} {name} {url}", flush=True)
    signal.signal(signal.SIGTERM, _wake)  # a SIGTERM ends the wait below: the place is released
    while True:
        try:
            ready, _, _ = select.select([sys.stdin], [], [], 1.0)
        except InterruptedError:
            break
        if ready and not os.read(sys.stdin.fileno(), 4096):
            break
    loop.run_until_complete(asyncio.wait_for(_release(session, name), RELEASE_TIMEOUT_S))
    loop.run_until_complete(session.stop())
    print(f"RELEASED {name}", flush=True)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the keeper: python -m rig.farm --coordinator HOST:PORT --place A[,B...]."""
    ap = argparse.ArgumentParser(prog="python -m rig.farm", description="hold a labgrid place until stdin closes")
    ap.add_argument("--coordinator", default=None, help=f"HOST:PORT (default ${COORDINATOR_ENV}, {DEFAULT_COORDINATOR})")
    ap.add_argument("--place", default=None, help=f"place name, or a comma-separated pool (default ${PLACE_ENV})")
    args = ap.parse_args(argv)
    try:
        pool = place_pool(args.place)
    except RigError as exc:
        print(f"{ERROR} {exc}", flush=True)
        return 2
    return keep(coordinator_address(args.coordinator), pool)


# -- the rig's side ----------------------------------------------------------------------------


@dataclass
class PlaceLease:
    """A labgrid place held for this process by a keeper; release() (or this process's end) gives it back."""

    place: str
    url: str
    coordinator: str
    _keeper: subprocess.Popen[str]

    @classmethod
    def acquire(cls, pool: list[str], coordinator: str | None = None, timeout_s: float = ACQUIRE_TIMEOUT_S + 30
                ) -> "PlaceLease":
        """Acquire the first free place of pool (in worker_order); RigError naming each place and why not."""
        address = coordinator_address(coordinator)
        keeper = subprocess.Popen([sys.executable, "-m", "rig.farm", "--coordinator", address,
                                   "--place", ",".join(worker_order(pool))],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True)
        assert keeper.stdout is not None
        ready, _, _ = select.select([keeper.stdout], [], [], timeout_s)
        first = keeper.stdout.readline().strip() if ready else ""
        if first.startswith(LEASE + " "):
            _, place, url = first.split(" ", 2)
            return cls(place, url, address, keeper)
        keeper.kill()
        keeper.wait()
        said = first[len(ERROR) + 1:] if first.startswith(ERROR) else (
            f"the place keeper said nothing within {timeout_s:g} s" if not first else f"the place keeper said {first!r}")
        raise RigError(f"labgrid ({address}): {said}")

    def release(self, timeout_s: float = RELEASE_TIMEOUT_S + 10) -> str:
        """Give the place back; return a line saying so (or why it may still be held)."""
        keeper = self._keeper
        if keeper.poll() is not None:
            return f"place {self.place} was already released (its keeper ended with status {keeper.returncode})"
        assert keeper.stdin is not None and keeper.stdout is not None
        keeper.stdin.close()
        t0 = time.monotonic()
        try:
            keeper.wait(timeout_s)
        except subprocess.TimeoutExpired:
            keeper.kill()
            keeper.wait()
            return (f"place {self.place} may still be held: its keeper did not release it within {timeout_s:g} s "
                    f"(labgrid-client -x {self.coordinator} -p {self.place} release)")
        said = keeper.stdout.read().strip()
        keeper.stdout.close()
        if keeper.returncode == 0 and said.endswith(f"RELEASED {self.place}"):
            return f"place {self.place} released ({time.monotonic() - t0:.2f} s)"
        return f"place {self.place}: its keeper ended with status {keeper.returncode}: {said[-300:]}"


if __name__ == "__main__":
    sys.exit(main())
