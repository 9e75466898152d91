"""Telegram-facing code: parse updates, call one service, render texts and keyboards."""
