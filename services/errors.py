"""Domain errors that handlers turn into friendly messages."""


class DomainError(Exception):
    """Base class: an expected refusal, never a bug."""


class NotAllowed(DomainError):
    """The acting person's role does not permit this action."""


class NotFound(DomainError):
    """The record does not exist (any more)."""


class AlreadyDecided(DomainError):
    """Somebody else already handled this (e.g. a registration was approved meanwhile)."""


class InvalidInput(DomainError):
    """A value typed by a person is not acceptable; `reason` is a message key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
