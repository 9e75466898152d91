"""Settings: defaults, parsing of the environment, validation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.app import file_url_for
from bot.settings import Settings


def make(**env: str) -> Settings:
    return Settings(_env_file=None, **env)  # type: ignore[call-arg]


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL", "KISBOT_ADMIN_IDS", "KISBOT_TIMEZONE"):
        monkeypatch.delenv(name, raising=False)
    settings = make()
    assert settings.token is None
    assert settings.telegram_api_base_url == "https://api.telegram.org/bot"
    assert settings.database_url.startswith("sqlite+aiosqlite:///./data/")
    assert settings.timezone == "Europe/Warsaw"
    assert settings.default_language == "pl"
    assert settings.admin_ids == []


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("KISBOT_ADMIN_IDS", "11, 22 33")
    monkeypatch.setenv("KISBOT_DEFAULT_LANGUAGE", "uk")
    settings = make()
    assert settings.token == "123:abc"
    assert "123:abc" not in repr(settings)  # the token is a secret
    assert settings.admin_ids == [11, 22, 33]
    assert settings.default_language == "uk"


def test_dotenv_file_is_read(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    env = tmp_path / ".env"
    env.write_text("TELEGRAM_BOT_TOKEN=42:xyz\nKISBOT_TIMEZONE=Europe/Kyiv\n")
    settings = Settings(_env_file=env)  # type: ignore[call-arg]
    assert settings.token == "42:xyz"
    assert settings.timezone == "Europe/Kyiv"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("KISBOT_DEFAULT_LANGUAGE", "de"),
        ("KISBOT_TIMEZONE", "Mars/Olympus"),
        ("KISBOT_ADMIN_IDS", "abc"),
    ],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError):
        make()


def test_file_url_follows_api_url() -> None:
    assert file_url_for("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_url_for("http://127.0.0.1:8081/bot") == "http://127.0.0.1:8081/file/bot"
