"""Wiring of kis-bot: settings, application builder, CLI, logging and i18n."""
