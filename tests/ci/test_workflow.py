"""The GitHub workflow is valid: actionlint accepts it and it matches the published workflow schema."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

WORKFLOWS = sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml"))


def test_there_is_a_workflow() -> None:
    assert WORKFLOWS, "no .github/workflows/*.yml"


@pytest.mark.parametrize("tool", [["actionlint"], ["check-jsonschema", "--builtin-schema", "vendor.github-workflows"]],
                         ids=["actionlint", "schema"])
def test_workflow_is_valid(tool: list[str]) -> None:
    if shutil.which(tool[0]) is None:
        pytest.skip(f"{tool[0]} not installed: pip install -e '.[test]'")
    proc = subprocess.run([*tool, *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
