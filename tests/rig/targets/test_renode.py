"""The renode target: detected, never assumed; its monitor script; a replay where Renode is installed."""

from __future__ import annotations

from pathlib import Path

import pytest

from rig.targets.renode import INSTALL_HINT, PLATFORM, RENODE_ENV, RenodeTarget, renode_executable, script


def test_missing_renode_is_unavailable_with_install_hint(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.delenv(RENODE_ENV, raising=False)
    avail = RenodeTarget.availability()
    assert not avail.ok and avail.reason == INSTALL_HINT
    assert "renode-run download" in avail.reason
    with pytest.raises(Exception, match="Renode is not installed"):
        RenodeTarget().require()


def test_env_names_a_renode_that_is_not_executable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(RENODE_ENV, str(tmp_path / "renode"))
    assert renode_executable() is None
    assert not RenodeTarget.availability().ok


def test_script_serves_usart2_and_loads_the_image() -> None:
    text = script(Path("/img/stridelab-f4.elf"), 40123)
    assert f"LoadPlatformDescription @{PLATFORM}" in text
    assert 'CreateServerSocketTerminal 40123 "link" false' in text
    assert "connector Connect sysbus.usart2 link" in text
    assert "sysbus LoadELF @/img/stridelab-f4.elf" in text
    assert text.strip().endswith("start")
    assert PLATFORM.exists()


@pytest.mark.target("renode")
def test_replay_on_renode(run_scenario) -> None:  # type: ignore[no-untyped-def]
    run = run_scenario("heel_striker")
    assert run.report.passed, run.report.explain()
