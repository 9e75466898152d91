"""Browser tests: Debian's Chromium driven by Playwright; the offline sandbox as a process."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
ROOT = Path(__file__).resolve().parents[2]


def _missing(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where `make test` installs Chromium."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run; `make test` installs it)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium (Playwright's own browser downloads are never used)."""
    found = next((p for p in CHROMIUM_CANDIDATES if os.access(p, os.X_OK)), None)
    found = found or shutil.which("chromium")
    if found is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _missing("the playwright package is not installed (pip install -e '.[dev]')")
    assert found is not None
    return found


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """`kisbot sandbox` as a user starts it (own database, free port); yields the page URL.

    It runs in a temporary directory, so a developer's `.env` is not read.
    """
    kisbot = Path(sys.executable).with_name("kisbot")
    command = [str(kisbot)] if kisbot.exists() else [sys.executable, "-m", "bot"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "KISBOT_"))}
    process = subprocess.Popen(
        [*command, "sandbox", "--port", "0", "--database", str(tmp_path / "sandbox.sqlite3")],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().rstrip("\n") for _ in range(2)]
        match = re.search(r"Open (http://127\.0\.0\.1:\d+) in a browser", lines[-1])
        assert match, f"unexpected output of `kisbot sandbox`: {lines}"
        assert lines[0].startswith("Offline sandbox:"), lines
        yield match.group(1) + "/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
