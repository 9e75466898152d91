"""Keyboards: every button short, safe, within Telegram's 64 bytes, and claimed by a feature
(the codec itself: tests/unit/test_buttons.py)."""

from __future__ import annotations

import pytest
from telegram import CallbackQuery, InlineKeyboardMarkup, Update, User

from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import onboarding as ob
from handlers.router import button_handlers
from tests.unit.test_buttons import _codecs


def _claimed(data: str) -> bool:
    """Whether a feature's handler (not the catch-all for unknown presses) claims `data` and
    its codec decodes it."""
    handlers = button_handlers()[:-1]
    codec = {c.feature.value: c for c in _codecs()}[data.split(":")[0]]
    return any(h.check_update(_press(data)) for h in handlers) and codec.matches(data)


def _press(data: str) -> Update:
    user = User(1, "Ala", is_bot=False)
    return Update(1, callback_query=CallbackQuery("1", user, "1", data=data))


def _all_callback_data(markup: InlineKeyboardMarkup) -> list[str]:
    return [str(b.callback_data) for row in markup.inline_keyboard for b in row]


@pytest.mark.parametrize("lang", ["pl", "uk", "en"])
def test_keyboards_fit_telegram_limits(lang: str) -> None:
    t = Translator()
    longest_code = "A" * 32
    markups = [
        kb.language_keyboard(lambda chosen: ob.ChoseLanguage(chosen, longest_code), current=lang),
        kb.consent_keyboard(t, lang, longest_code),
        kb.mydata_keyboard(t, lang),
        kb.delete_confirm_keyboard(t, lang),
        kb.staff_menu(t, lang, 12),
        kb.staff_menu(t, lang, 0, manages=False),
        kb.approval_keyboard(t, lang, 2**31 - 1),
        kb.cancel_keyboard(t, lang),
    ]
    for markup in markups:
        for data in _all_callback_data(markup):
            assert 1 <= len(data.encode()) <= 64
            assert _claimed(data), data


def test_main_menu_labels_map_back_to_actions_in_every_language() -> None:
    t = Translator()
    actions = kb.main_menu_actions(t)
    for lang in ("pl", "uk", "en"):
        menu = kb.main_menu(t, lang, is_staff=True)
        labels = [button.text for row in menu.keyboard for button in row]
        assert {actions[label] for label in labels} == {
            "workshops",
            "consult",
            "childcare",
            "bookings",
            "mydata",
            "language",
            "about",
            "staff",
        }
