"""bot.app.freeze_startup_heap: what start-up made is frozen out of the collector's walks."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

import bot.app as app_module


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """A process that has not frozen yet (restored to the usual, unfrozen state afterwards)."""
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_freezes_what_is_alive_once_per_process(unfrozen: None) -> None:
    assert gc.get_freeze_count() == 0
    app_module.freeze_startup_heap()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # the modules, classes and caches of start-up
    later = [[n] for n in range(1000)]  # made after start-up: still collected as usual
    app_module.freeze_startup_heap()  # a second application in the same process
    assert gc.get_freeze_count() == frozen
    assert later
