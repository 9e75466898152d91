"""Scheduled jobs (APScheduler through PTB's JobQueue); state lives only in the database."""
