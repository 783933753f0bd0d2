"""A few seconds of each libFuzzer target on the firmware (frame decoder, CONFIG parser, whole
receive path, message codec) under ASan and UBSan: no crash, no leak, no undefined behaviour. `nox -s fuzz`
runs the long campaign."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from rig.build import REPO

FIRMWARE = REPO / "firmware_c"
TARGETS = ("fuzz_frame", "fuzz_config", "fuzz_rx", "fuzz_codec")


def _need_clang() -> None:
    if shutil.which("clang") is None:
        pytest.skip("clang not installed: apt-get install clang libclang-rt-14-dev (or bash .ci/setup)")


@pytest.fixture(scope="module")
def fuzzers(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_clang()
    build = tmp_path_factory.mktemp("fuzzbuild")
    proc = subprocess.run(["make", "-C", str(FIRMWARE), f"BUILD={build}", "fuzz"], capture_output=True, text=True,
                          timeout=600)
    if proc.returncode != 0 and "libclang_rt" in proc.stderr:
        pytest.skip("clang has no libFuzzer/sanitizer runtime: apt-get install libclang-rt-14-dev")
    assert proc.returncode == 0, proc.stderr[-3000:]
    return build / "fuzz"


@pytest.mark.parametrize("name", TARGETS)
def test_fuzz_target_runs_clean(fuzzers: Path, tmp_path: Path, name: str) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    proc = subprocess.run([str(fuzzers / name), str(corpus), "-max_total_time=3", "-seed=1", "-print_final_stats=1",
                           f"-artifact_prefix={tmp_path}/"], capture_output=True, text=True, timeout=300)
    out = proc.stderr
    assert proc.returncode == 0, out[-4000:]
    assert "ERROR:" not in out and "runtime error" not in out, out[-4000:]
    runs = int(re.search(r"stat::number_of_executed_units:\s*(\d+)", out).group(1))  # type: ignore[union-attr]
    assert runs > 100, out[-2000:]
    assert any(corpus.iterdir()), "the fuzzer found no input worth keeping: the harness reaches nothing"


#: Inputs the fuzzers once found a fault with, named TARGET-what: each must now run clean.
REGRESSIONS = sorted((FIRMWARE / "fuzz" / "regress").glob("*"))


@pytest.mark.parametrize("case", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_inputs_that_once_failed_run_clean(fuzzers: Path, case: Path) -> None:
    """fuzz_rx-spin-braking-before-the-peak: a turning step's spin braking computed from a rate over
    the spin's kept peak converted -1 samples to an unsigned index (UBSan)."""
    target = case.name.split("-", 1)[0]
    proc = subprocess.run([str(fuzzers / target), str(case)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and "runtime error" not in proc.stderr, proc.stderr[-3000:]
