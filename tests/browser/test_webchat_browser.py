"""The web chat in headless Chromium: a participant signs up, the coordinator sees the booking.

Runs `kisbot sandbox` as a process and drives Debian's Chromium through Playwright on a phone
sized screen. A screenshot of every step is saved under the test's tmp_path (the paths are
printed; `pytest -s` shows them).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.timeout(240)

PHONE = {"width": 390, "height": 844}
DATE_BUTTON = re.compile(r"\d{1,2}\.\d{2} \d{2}:\d{2}")
TIMEOUT_MS = 20_000


class Steps:
    """Numbered screenshots of the steps of one test."""

    def __init__(self, page: Any, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.paths: list[Path] = []
        folder.mkdir(parents=True, exist_ok=True)

    def shot(self, name: str) -> Path:
        path = self.folder / f"{len(self.paths) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path))
        self.paths.append(path)
        print(f"screenshot: {path}")
        return path


def _newest(page: Any, role_name: str | re.Pattern[str], *, exact: bool = False) -> Any:
    """The newest visible button with this name (older messages keep their buttons)."""
    return page.get_by_role("button", name=role_name, exact=exact).last


def _bot_text(page: Any, text: str) -> Any:
    return page.locator(".message.in .text", has_text=text).last


def _open_persona(page: Any, name: str) -> None:
    page.locator(".persona", has_text=name).click()
    page.locator("#chat-subtitle", has_text=name).wait_for(timeout=TIMEOUT_MS)


def test_participant_signs_up_and_coordinator_sees_the_booking(
    chromium_path: str, sandbox_url: str, tmp_path: Path
) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        try:
            context = browser.new_context(
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
            )
            page = context.new_page()
            outside: list[str] = []
            page.on(
                "request",
                lambda request: (
                    outside.append(request.url)
                    if not request.url.startswith(sandbox_url.rstrip("/"))
                    and not request.url.startswith(("data:", "blob:"))
                    else None
                ),
            )
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            steps = Steps(page, tmp_path / "screenshots")

            page.goto(sandbox_url)
            expect(page.locator(".persona")).to_have_count(6)
            steps.shot("personas")

            # --- Anna, a participant: Warsztaty → group → workshop → date → Zapisz mnie.
            _open_persona(page, "Anna Nowak")
            expect(page.locator("#start")).to_be_visible()
            steps.shot("anna-new-chat")
            page.locator("#start").click()
            expect(_bot_text(page, "Witaj, Anna Nowak")).to_be_visible()
            steps.shot("anna-main-menu")

            page.locator(".rk-button", has_text="Warsztaty").click()
            _newest(page, "🤝 Aktywizacja społeczna").click()
            _newest(page, "Edukacja finansowa", exact=True).click()
            expect(_bot_text(page, "Edukacja finansowa")).to_be_visible()
            steps.shot("anna-workshop-card")
            date_button = _newest(page, DATE_BUTTON)
            when = date_button.inner_text().strip()
            date_button.click()
            signup = _newest(page, "✅ Zapisz mnie")
            expect(signup).to_be_visible()
            steps.shot("anna-session-details")
            signup.click()
            expect(_bot_text(page, "Zapisano")).to_be_visible()
            steps.shot("anna-signed-up")

            # --- Ewa, the coordinator: staff menu → workshop dates → the session → roster.
            page.locator("#back").click()
            expect(page.locator(".persona").first).to_be_visible()
            _open_persona(page, "Ewa Kowalska")
            page.locator("#start").click()
            expect(_bot_text(page, "Witaj, Ewa Kowalska")).to_be_visible()
            page.locator(".rk-button", has_text="Menu pracownika").click()
            _newest(page, "📚 Terminy warsztatów").click()
            session_button = _newest(page, re.compile(re.escape(when) + r" Edukacja finansowa"))
            expect(session_button).to_contain_text("(1/")
            steps.shot("ewa-workshop-dates")
            session_button.click()
            roster = _bot_text(page, "Zapisani (1)")
            expect(roster).to_contain_text("Anna Nowak")
            steps.shot("ewa-roster-with-anna")

            # The same page on a desktop screen, Anna's chat kept while the sandbox runs.
            page.set_viewport_size({"width": 1100, "height": 760})
            page.locator(".persona", has_text="Anna Nowak").click()
            expect(_bot_text(page, "Zapisano")).to_be_visible()
            steps.shot("desktop-anna-history")

            assert outside == [], f"the page loaded something from outside: {outside}"
            assert errors == [], f"JavaScript errors: {errors}"
            assert all(path.stat().st_size > 5_000 for path in steps.paths)
            print("screenshots in", steps.folder)
        finally:
            browser.close()


def _focused(page: Any) -> str:
    """A short description of the focused element: tag#id.class text."""
    return str(
        page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return "";
                return `${el.tagName.toLowerCase()}#${el.id}.${el.className} ${el.textContent}`;
            }"""
        )
    )


def _tab_to(page: Any, fragment: str, *, backwards: bool = False, limit: int = 15) -> None:
    """Press Tab (or Shift+Tab) until the focused element's description contains fragment."""
    for _ in range(limit):
        if fragment in _focused(page):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"Tab never reached {fragment!r}; focus is on {_focused(page)!r}")


def test_keyboard_only_and_narrow_screen(
    chromium_path: str, sandbox_url: str, tmp_path: Path
) -> None:
    """Only the keyboard, on a 360 px wide screen: choose a persona, START, type, buttons."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=["--no-sandbox"]
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            steps = Steps(page, tmp_path / "screenshots")
            page.goto(sandbox_url)
            expect(page.locator(".persona")).to_have_count(6)
            _tab_to(page, "Olena Koval")  # the Ukrainian participant
            page.keyboard.press("Enter")
            expect(page.locator("#chat-subtitle")).to_contain_text("Olena Koval")
            expect(page.locator("#start")).to_be_focused()
            page.keyboard.press("Enter")
            expect(_bot_text(page, "Olena Koval")).to_be_visible()  # greeted in Ukrainian
            expect(page.locator("#text")).to_be_focused()
            page.keyboard.type("/help")
            page.keyboard.press("Enter")
            expect(page.locator(".message.out", has_text="/help")).to_be_visible()
            expect(page.locator("#text")).to_have_value("")
            expect(_bot_text(page, "58 677 79 87")).to_be_visible()  # the club's contact
            expect(page.locator(".rk-button").first).to_be_visible()
            _tab_to(page, "rk-button")  # the bot's reply keyboard, after the text field
            page.keyboard.press("Enter")  # 📚 workshops, from the keyboard
            expect(page.locator(".ik-button").last).to_be_visible()
            _tab_to(page, "ik-button", backwards=True)  # back up into the chat's buttons
            page.keyboard.press("Enter")
            expect(_newest(page, DATE_BUTTON).or_(_newest(page, "⬅"))).to_be_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 360
            steps.shot("olena-keyboard-only-narrow")
            page.locator("#text").focus()
            page.keyboard.press("Escape")  # back to the list on a phone
            expect(page.locator(".persona").first).to_be_visible()
        finally:
            browser.close()
