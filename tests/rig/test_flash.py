"""`make -C firmware_c flash` without a probe or a flasher: a clear error, never a silent success."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from rig.build import FIRMWARE_DIR, arm_elf, build_lock

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="needs arm-none-eabi-gcc")


def _flash(*args: str) -> subprocess.CompletedProcess[str]:
    arm_elf()
    with build_lock():
        return subprocess.run(["make", "-s", "-C", str(FIRMWARE_DIR), "flash", *args],
                              capture_output=True, text=True, timeout=120)


def test_no_flasher_installed_says_what_to_install() -> None:
    proc = _flash("OPENOCD=/nonexistent/openocd", "ST_FLASH=/nonexistent/st-flash")
    assert proc.returncode != 0
    assert "no flasher found" in proc.stderr and "apt-get install openocd" in proc.stderr


@pytest.mark.skipif(shutil.which("st-flash") is None, reason="needs stlink-tools")
def test_no_board_plugged_in_names_the_image_and_the_probe() -> None:
    proc = _flash("OPENOCD=/nonexistent/openocd")
    assert proc.returncode != 0
    assert "could not write" in proc.stderr and "stridelab-fw.bin" in proc.stderr and "ST-LINK" in proc.stderr


@pytest.mark.skipif(shutil.which("openocd") is None, reason="needs openocd")
def test_openocd_without_a_board_names_the_image_and_the_probe() -> None:
    proc = _flash()
    assert proc.returncode != 0
    assert "could not program" in proc.stderr and "stridelab-fw.elf" in proc.stderr and "ST-LINK" in proc.stderr
