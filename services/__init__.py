"""The domain: plain async functions over a session; no Telegram here."""
