"""The project's error types. Each carries a one-line message fit for a terminal."""

from __future__ import annotations


class EvascoreError(Exception):
    """Base class: the CLI turns any of these into a one-line message and exit code 1."""


class InputError(EvascoreError, ValueError):
    """Input that cannot be read or scored: names the file, line and field when known."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ):
        self.file, self.line, self.field = file, line, field
        where = ":".join(str(p) for p in (file, line) if p is not None)
        prefix = f"{where}: " if where else ""
        # Name the field up front unless the message already does.
        named = f"field {field!r}: " if field and repr(field) not in message else ""
        super().__init__(f"{prefix}{named}{message}")
        self.reason = named + message


class ModelError(EvascoreError):
    """A model file that is missing, corrupt, tampered with, or from another version."""
