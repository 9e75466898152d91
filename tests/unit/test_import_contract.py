"""The import contract ([tool.importlinter] in pyproject.toml) holds, and it bites: each
deliberate violation, written into a temporary copy of the code, makes `lint-imports` fail and
name the offending import."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "services", "models", "scheduler", "sandbox")


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` (the one installed next to this Python) in CWD, code taken from CWD."""
    script = Path(sys.executable).with_name("lint-imports")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "importlinter.cli"]
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [*command, "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_code_keeps_the_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The production packages (Python files only) and pyproject.toml, in a temporary folder."""
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=lambda folder, names: [
                n for n in names if not n.endswith(".py") and not (Path(folder) / n).is_dir()
            ],
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text + "\n", encoding="utf-8")


VIOLATIONS = {
    "a service imports telegram": (
        "services/audit.py",
        "import telegram",
        "services.audit -> telegram",
    ),
    "a service imports a handler": (
        "services/audit.py",
        "import handlers.common",
        "services.audit -> handlers.common",
    ),
    "a model imports a service": (
        "models/base.py",
        "def _later() -> None:\n    from services import audit  # inside a function: still counts",
        "models.base -> services.audit",
    ),
    "a handler imports the sandbox": (
        "handlers/common.py",
        "import sandbox.server",
        "handlers.common -> sandbox.server",
    ),
    "the outbox dispatcher imports a handler": (
        "scheduler/dispatcher.py",
        "import handlers.menu",
        "scheduler.dispatcher -> handlers.menu",
    ),
    "a handler imports a scheduled job": (
        "handlers/menu.py",
        "import scheduler.offers",
        "handlers.menu -> scheduler.offers",
    ),
    "a handler imports the CLI": (
        "handlers/menu.py",
        "import bot.cli.db",
        "handlers.menu -> bot.cli.db",
    ),
    "an import circle, even under TYPE_CHECKING": (
        "sandbox/users.py",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import sandbox.server",
        ".users -> .server",
    ),
}


def test_the_copy_is_clean(copy: Path) -> None:
    """So that each violation below is the only reason the copy breaks the contract."""
    assert lint_imports(copy).returncode == 0


@pytest.mark.parametrize("case", list(VIOLATIONS))
def test_a_deliberate_violation_breaks_the_contract(copy: Path, case: str) -> None:
    path, code, reported = VIOLATIONS[case]
    append(copy / path, code)
    result = lint_imports(copy)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "BROKEN" in result.stdout
    assert reported in result.stdout
