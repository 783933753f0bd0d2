"""The rig's newer commands and options used as a careless or hostile user would: devices, FIFOs,
directories and unwritable paths as files, garbage numbers, names with path separators. Each is
refused with exit 2 and a message naming the input, the problem and what to do; nothing hangs,
nothing outside the named output is touched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from rig.errors import RigError
from rig.shard import load_durations


def rig(*args: str, cwd: Path, timeout_s: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rig", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout_s)


def _refused(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stdout[-1000:], proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    assert len(proc.stderr) < 1500, proc.stderr[:3000]
    for w in words:
        assert w in proc.stderr, proc.stderr


@pytest.mark.parametrize("kind", ["dev_zero", "fifo", "directory", "infinity"])
def test_durations_file_that_is_no_file_is_refused_in_bounded_time(tmp_path: Path, kind: str) -> None:
    # /dev/zero was read until the kernel killed the process; a FIFO with no writer hung for ever
    path = {"dev_zero": Path("/dev/zero"), "fifo": tmp_path / "d.json", "directory": tmp_path,
            "infinity": tmp_path / "inf.json"}[kind]
    if kind == "fifo":
        os.mkfifo(path)
    if kind == "infinity":
        path.write_text('{"host::walk": Infinity}')
    with pytest.raises(RigError, match=f"--durations {path}: .*(character device|pipe delivered nothing|"
                                       "directory|finite)"):
        load_durations(path)


def test_rig_run_shard_durations_from_dev_zero(tmp_path: Path) -> None:
    _refused(rig("run", "--all", "--shard", "1/3", "--durations", "/dev/zero", cwd=tmp_path, timeout_s=60),
             "--durations /dev/zero", "character device")


def test_pytest_shard_durations_from_dev_zero(tmp_path: Path) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--shard", "1/2",
                           "--shard-durations", "/dev/zero"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
    assert "--shard-durations /dev/zero" in proc.stderr and "character device" in proc.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to make a device node (and only root could replace one)")
def test_synth_resd_onto_a_device_writes_through_it_never_replaces_it(tmp_path: Path) -> None:
    # as root, the atomic rename of the RESD writer swapped /dev/full for a regular file
    full = tmp_path / "full"
    os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # the kernel's full device, as /dev/full
    _refused(rig("synth", "standing", "--resd", str(full), cwd=tmp_path), f"--resd {full}", "No space left")
    assert full.is_char_device(), "the device named as the output is still that device"
    assert not (tmp_path / "full.tmp").exists()


@pytest.mark.parametrize("out, words", [
    (".", ("--resd .", "directory")),
])
def test_synth_resd_that_cannot_be_written(tmp_path: Path, out: str, words: tuple[str, ...]) -> None:
    _refused(rig("synth", "standing", "--resd", out, cwd=tmp_path), *words)


def test_run_retries_do_not_retry_a_target_that_is_not_there(tmp_path: Path) -> None:
    # each attempt of --retries made a run directory and failed the same way, 10^20 times if asked
    env = {k: v for k, v in os.environ.items() if k != "STRIDELAB_PORT"}
    proc = subprocess.run([sys.executable, "-m", "rig", "run", "standing", "--target", "board", "--retries",
                           "99999999999", "--runs-dir", "runs"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)
    _refused(proc, "board", "not available", "--port")
    assert len(list((tmp_path / "runs").iterdir())) <= 1


@pytest.mark.parametrize("args, words", [
    (("--seed", "-3", "--cases", "1"), ("--seed", "-3 is negative")),
    (("--case", "speed_mps=3", "--no-shrink", "--json", "."), ("--json .", "Is a directory")),
])
def test_explore_options(tmp_path: Path, args: tuple[str, ...], words: tuple[str, ...]) -> None:
    _refused(rig("explore", *args, cwd=tmp_path, timeout_s=300), *words)


@pytest.mark.parametrize("label", ["../../out", "a/b", ""])
def test_pytest_report_as_is_a_name_not_a_path(tmp_path: Path, label: str) -> None:
    (tmp_path / "test_x.py").write_text("def test_x():\n    pass\n")
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "test_x.py", "--report", "rep/r",
                           "--report-as", label], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    if label:
        assert proc.returncode == 4, (proc.returncode, proc.stdout[-2000:], proc.stderr[-2000:])
        assert f"--report-as {label!r}" in proc.stderr and "not a target name" in proc.stderr
    assert not list(tmp_path.glob("*.xml")) and not (tmp_path / "out.xml").exists()
