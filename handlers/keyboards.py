"""Keyboard builders: pure functions of the translator, the language and ids."""

from __future__ import annotations

from collections.abc import Callable

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.i18n import LANGUAGE_NAMES, Translator
from bot.settings import Language
from handlers.buttons import Button
from handlers.buttons import broadcasts as bcb
from handlers.buttons import menu as menu_buttons
from handlers.buttons import onboarding as ob
from handlers.buttons import staff as st
from handlers.buttons import staff_childcare as cpb
from handlers.buttons import staff_consult as cx
from handlers.buttons import staff_tools as sx
from handlers.buttons import staff_workshops as sw

# Main-menu buttons: message id of the label → action name used by the text router.
MAIN_MENU_PARTICIPANT = (
    ("menu-workshops", "workshops"),
    ("menu-consult", "consult"),
    ("menu-bookings", "bookings"),
    ("menu-childcare", "childcare"),
    ("menu-mydata", "mydata"),
    ("menu-language", "language"),
)
MAIN_MENU_COMMON = (("menu-about", "about"),)
MAIN_MENU_STAFF = (("menu-staff", "staff"),)
NO_CODE = "-"


def my_bookings_button(t: Translator, lang: str, page: int = 0) -> InlineKeyboardButton:
    """Back to "My bookings" (handlers/bookings.py)."""
    return menu_buttons.Bookings(page).button(t(lang, "btn-back"))


def language_keyboard(
    press: Callable[[Language], Button], current: str | None = None
) -> InlineKeyboardMarkup:
    """One button per supported language, each sending `press(language)`; `current` is
    ticked."""
    rows = [
        [press(lang).button(("✓ " if lang == current else "") + LANGUAGE_NAMES[lang])]
        for lang in Language
    ]
    return InlineKeyboardMarkup(rows)


def consent_keyboard(t: Translator, lang: str, code: str) -> InlineKeyboardMarkup:
    """Agree / decline / other language, under the consent text."""
    language = Language(lang)
    return InlineKeyboardMarkup(
        [
            [ob.Agree(language, code).button(t(lang, "btn-consent-agree"))],
            [ob.Decline(language).button(t(lang, "btn-consent-decline"))],
            [ob.ChooseAgain(code).button(t(lang, "btn-change-language"))],
        ]
    )


def phone_keyboard(t: Translator, lang: str) -> ReplyKeyboardMarkup:
    """Share the phone number through Telegram, or skip."""
    return ReplyKeyboardMarkup(
        [
            [KeyboardButton(t(lang, "btn-share-phone"), request_contact=True)],
            [KeyboardButton(t(lang, "btn-skip-phone"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def main_menu(t: Translator, lang: str, is_staff: bool) -> ReplyKeyboardMarkup:
    """The big buttons at the bottom of the chat."""
    items = list(MAIN_MENU_PARTICIPANT) + list(MAIN_MENU_COMMON)
    if is_staff:
        items = list(MAIN_MENU_STAFF) + items
    rows = [[KeyboardButton(t(lang, msg_id))] for msg_id, _ in items]
    return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)


def main_menu_actions(t: Translator) -> dict[str, str]:
    """Label text (in every language) → main-menu action."""
    actions: dict[str, str] = {}
    for msg_id, action in MAIN_MENU_PARTICIPANT + MAIN_MENU_COMMON + MAIN_MENU_STAFF:
        for label in t.all_variants(msg_id).values():
            actions[label] = action
    return actions


def mydata_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    """Under "My data": delete everything."""
    return InlineKeyboardMarkup([[menu_buttons.AskDelete().button(t(lang, "btn-delete-data"))]])


def delete_confirm_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    """Last question before anonymisation."""
    return InlineKeyboardMarkup(
        [
            [menu_buttons.Delete().button(t(lang, "btn-delete-confirm"))],
            [menu_buttons.KeepData().button(t(lang, "btn-delete-keep"))],
        ]
    )


def staff_menu(
    t: Translator,
    lang: str,
    pending: int,
    manages: bool = True,
    specialist: bool = False,
    care_pending: int | None = None,
    care_partner: bool = False,
) -> InlineKeyboardMarkup:
    """The staff menu: approvals, invites, sessions, referrals and the specialists' agendas
    for those who manage them; a specialist's own agenda for specialists; care requests (with
    how many wait) for those who decide them (`care_pending` not None) and the care roster
    for the childcare partner; the agenda and exports (what each role may have) for all staff,
    participant search for those who manage; About for all."""
    rows = [[sx.Agenda().button(t(lang, "btn-sx-agenda"))]]
    if manages:
        rows += [
            [sx.Find().button(t(lang, "btn-sx-search"))],
            [st.Pending().button(t(lang, "btn-staff-pending", count=pending))],
            [st.Invite().button(t(lang, "btn-staff-invite"))],
            [sw.Sessions().button(t(lang, "btn-staff-sessions"))],
            [cx.Referrals().button(t(lang, "btn-cx-referrals"))],
            [cx.Specialists().button(t(lang, "btn-cx-agendas"))],
            [bcb.Menu().button(t(lang, "btn-bc-menu"))],
        ]
    if specialist:
        rows.append([cx.MyAgenda().button(t(lang, "btn-cx-my-agenda"))])
    if care_pending is not None:
        rows.append([cpb.Pending().button(t(lang, "btn-cp-pending", count=care_pending))])
    if care_partner:
        rows.append([cpb.Roster().button(t(lang, "btn-cp-roster"))])  # today
    rows.append([sx.Exports().button(t(lang, "btn-sx-exports"))])
    rows.append([st.About().button(t(lang, "menu-about"))])
    return InlineKeyboardMarkup(rows)


def approval_keyboard(t: Translator, lang: str, person_id: int) -> InlineKeyboardMarkup:
    """Approve / Reject one self-registration."""
    return InlineKeyboardMarkup(
        [
            [
                st.Approve(person_id).button(t(lang, "btn-approve")),
                st.Reject(person_id).button(t(lang, "btn-reject")),
            ]
        ]
    )


def cancel_keyboard(t: Translator, lang: str) -> InlineKeyboardMarkup:
    """A single Cancel for a question that waits for typed text."""
    return InlineKeyboardMarkup([[st.CancelPrompt().button(t(lang, "btn-cancel"))]])
