"""Reliability tests reuse the end-to-end fixtures."""

from tests.e2e.conftest import harness, sandbox

__all__ = ["harness", "sandbox"]
