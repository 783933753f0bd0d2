"""rig.elf_check: a build product cut short, emptied or built for another machine is told from a whole one."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rig.build import make
from rig.elf_check import EM_ARM, elf_damage, host_machine

PYTHON = Path(sys.executable).resolve()


def test_a_whole_program_of_this_machine_is_whole() -> None:
    assert elf_damage(PYTHON, host_machine()) is None
    assert elf_damage(PYTHON, None) is None


@pytest.mark.parametrize(("keep", "said"), [(0, "is empty"), (10, "ends inside its ELF header"),
                                            (4096, "is cut short: 4096 bytes, its headers say at least")])
def test_a_program_cut_short_is_damaged(tmp_path: Path, keep: int, said: str) -> None:
    cut = tmp_path / "prog"
    cut.write_bytes(PYTHON.read_bytes()[:keep])
    assert said in (elf_damage(cut, None) or "")


def test_another_machine_or_no_elf_is_damaged(tmp_path: Path) -> None:
    assert f"is built for ELF machine {host_machine()}, not {EM_ARM}" == elf_damage(PYTHON, EM_ARM)
    text = tmp_path / "text"
    text.write_text("#!/bin/sh\n")
    assert elf_damage(text, None) == "is not an ELF file"


def test_make_builds_a_product_cut_short_again_though_it_is_newer_than_its_sources(tmp_path: Path,
                                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """make keeps a product by its date; a truncated one (a full disk, a copy cut short) used to be
    run as it was: the native firmware died of SIGSEGV before a word."""
    if shutil.which("make") is None:
        pytest.skip("make not installed")
    (tmp_path / "Makefile").write_text(f"prog:\n\tcp {PYTHON} prog\n")
    prog = tmp_path / "prog"
    prog.write_bytes(PYTHON.read_bytes()[:4096])
    assert make("prog", prog, directory=tmp_path, what="a test program") == prog
    assert prog.read_bytes() == PYTHON.read_bytes()
    assert f"the build product {prog} is cut short" in capsys.readouterr().err
