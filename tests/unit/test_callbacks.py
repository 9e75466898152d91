"""callback_data codec and keyboards: short, safe, within Telegram's 64 bytes."""

from __future__ import annotations

import pytest
from telegram import InlineKeyboardMarkup

from bot.i18n import Translator
from handlers import keyboards as kb
from handlers.buttons import onboarding as ob
from handlers.callbacks import decode, encode


def test_round_trip() -> None:
    cb = decode(encode("st", "ap", 123))
    assert cb is not None
    assert (cb.feature, cb.action, cb.args) == ("st", "ap", ("123",))
    assert cb.int_arg() == 123


@pytest.mark.parametrize(
    "data", [None, "", "x", "st", "st::1", "st:ap:1:", "a" * 65, "st:ap:ż", "st:ap:1;drop"]
)
def test_decode_rejects_malformed(data: str | None) -> None:
    assert decode(data) is None


@pytest.mark.parametrize("arg", ["-1", "abc", "1" * 19, "1e3"])
def test_int_arg_rejects_non_ids(arg: str) -> None:
    cb = decode(f"st:ap:{arg}")
    assert cb is not None
    with pytest.raises(ValueError):
        cb.int_arg()


@pytest.mark.parametrize(
    "arg", ["2147483648", "4294967296", "9999999999", "999999999999999999", "00000000002147483648"]
)
def test_numbers_beyond_32_bits_are_refused(arg: str) -> None:
    """Every id column is a 32-bit INTEGER: PostgreSQL refuses a bigger parameter outright
    (int32 out of range), so such a press must be a stale button, not a database error."""
    cb = decode(f"ws:b:{arg}")
    assert cb is not None
    with pytest.raises(ValueError):
        cb.int_arg()
    with pytest.raises(ValueError):
        cb.id_arg()


def test_id_arg_is_1_to_int32_max() -> None:
    assert decode("ws:b:2147483647").id_arg() == 2**31 - 1  # type: ignore[union-attr]
    assert decode("ws:b:1").id_arg() == 1  # type: ignore[union-attr]
    assert decode("cx:o:5:0").int_arg(1) == 0  # type: ignore[union-attr]  # flags may be 0
    for data in ("ws:b:0", "ws:b:000"):
        cb = decode(data)
        assert cb is not None
        with pytest.raises(ValueError):
            cb.id_arg()


def test_encode_refuses_long_or_unsafe() -> None:
    with pytest.raises(ValueError):
        encode("st", "ap", "x" * 70)
    with pytest.raises(ValueError):
        encode("st", "a:p")


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
        kb.approval_keyboard(t, lang, 10**15),
        kb.cancel_keyboard(t, lang),
    ]
    for markup in markups:
        for data in _all_callback_data(markup):
            assert 1 <= len(data.encode()) <= 64
            assert decode(data) is not None


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
