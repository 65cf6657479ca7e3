"""Domain errors: each carries a message written for the person at the screen.

Pages catch `DomainError` and show `.message`; nothing below the page layer formats UI.
"""

from __future__ import annotations


class DomainError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    pass


class PermissionDenied(DomainError):
    pass


class GateFailed(DomainError):
    """A lifecycle transition whose rule is not met; `reasons` lists every unmet condition."""

    def __init__(self, message: str, reasons: list[str] | None = None) -> None:
        self.reasons = reasons or []
        full = message if not self.reasons else message + " " + " ".join(self.reasons)
        super().__init__(full)


class InvalidInput(DomainError):
    pass


class WriteFailed(DomainError):
    pass
