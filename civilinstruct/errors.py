"""One exception type for every error a user can cause.

The CLI turns a `CivilError` into one line on stderr and a non-zero exit; any other exception is a bug
and keeps its traceback.
"""


class CivilError(Exception):
    """An error the user can fix: bad input, a missing file, a locked data directory, ..."""

    exit_code: int = 1

    def __init__(self, message: str, *, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


def require_extra(module: str, extra: str) -> None:
    """Fail with a clear message when an optional heavy dependency (torch, trl, ray) is missing."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        raise CivilError(f"{module} is not installed; install the extra: pip install 'civilinstruct[{extra}]'")
