"""Errors a member may cause. Each carries the translation key of the short answer they get."""

from __future__ import annotations


class UserFacingError(Exception):
    """Bad input or a refused action: answered ephemerally with `key`, formatted with `params`."""

    def __init__(self, key: str, /, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


class NotAllowedError(UserFacingError):
    """The member lacks the permission or role the action needs."""


class NotFoundError(UserFacingError):
    """What the member asked for does not exist."""


class InvalidInputError(UserFacingError):
    """The value typed cannot be understood or breaks a limit."""
