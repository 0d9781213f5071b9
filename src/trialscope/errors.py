"""trialscope's one error vocabulary, and the exit codes the command line maps it to.

- `UserError` and its branches: the input or the configuration is wrong. The CLI prints one line
  (never wrapped, never cut) and exits with the error's documented code; no traceback.
- `ProviderError` / `RetryableError`: a model endpoint failed; the engine retries the second kind.
- `AuditActionError`: an audit agent's action is not valid; the environment answers it with an
  observation error and the session goes on.

Anything else that escapes is a bug and keeps its traceback (exit code 1).
"""

from __future__ import annotations

from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    """The exit codes of every `trialscope` command (documented in the README)."""

    OK = 0
    BUG = 1
    """An unexpected exception: a bug, reported with its traceback."""
    USER_ERROR = 2
    """Bad input, bad flags or missing configuration: one line on stderr, nothing done."""
    ALL_FAILED = 3
    """The work ran but nothing succeeded (every sample of a run errored)."""
    SOME_FAILED = 4
    """The work finished, but some records or samples failed (the good ones are kept)."""
    INTERRUPTED = 130
    """Stopped by Ctrl-C; completed work is kept and `--resume` continues it."""


class TrialscopeError(Exception):
    """The base of every error trialscope raises on purpose."""

    exit_code: ExitCode = ExitCode.BUG


class UserError(TrialscopeError):
    """The user's input or configuration is wrong; the message says what and where."""

    exit_code = ExitCode.USER_ERROR


class InputError(UserError):
    """A file, a line or a field is not what was expected.

    The message names the location (`path:line`, then the field) before what was expected.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path = None if path is None else str(path)
        self.line = line
        self.field = field
        self.reason = message
        where = self.path or ""
        if line is not None:
            where = f"{where}:{line}" if where else f"line {line}"
        if field:
            where = f"{where}: field {field!r}" if where else f"field {field!r}"
        super().__init__(f"{where}: {message}" if where else message)


class ConfigurationError(UserError):
    """Something cannot be used as configured (missing credentials, unknown provider or task)."""


class ProviderError(TrialscopeError):
    """A model request failed for good (bad request, refused, unparseable body after retries)."""


class RetryableError(ProviderError):
    """A failure worth retrying: 429, 5xx, timeout, connection error, garbage body."""

    def __init__(self, message: str, retry_after_s: float | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuditActionError(TrialscopeError):
    """An audit action that cannot be carried out; answered as an observation error."""
