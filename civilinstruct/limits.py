"""Bounds on every size, count, worker number, timeout and seed a user can give, checked before any work starts.

Each limit is named in the error, so `n: 1000000000000` fails in the first second with the number it may not pass
instead of filling memory for a minute; booleans are not numbers here (`n: true` is a mistake, not 1).
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator

MAX_N = 10_000_000             # samples (specs, pairs, failures) per part or command
MAX_WORKERS = 256              # sandbox workers started at once (each is a warm interpreter, ~30-60 MB)
MAX_TIMEOUT_S = 86_400.0       # one day per program or request
MIN_TIMEOUT_S = 0.01
MAX_SEED = 2**32 - 1           # derived seeds (seed * 1_000_003 * 7 + ...) must still fit the int64 columns
MAX_SHARD_SIZE = 10_000_000
MAX_MEMORY_MB = 1 << 20        # 1 TiB
MAX_PER_COMMAND = 10_000       # api_pairs per documented command


def check_int(value: Any, what: str, low: int, high: int) -> int:
    """`value` as an int within [low, high], or ValueError naming `what` and the limit."""
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer() and math.isfinite(value):
            value = int(value)
        else:
            raise ValueError(f"{what} must be a whole number (got {value!r})")
    if value < low:
        raise ValueError(f"{what} must be at least {low:,} (got {value:,})")
    if value > high:
        raise ValueError(f"{what} is above the limit of {high:,} (got {value:,})")
    return value


def check_float(value: Any, what: str, low: float, high: float) -> float:
    """`value` as a finite float within [low, high] (no inf, no nan), or ValueError naming the limit."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number (got {value!r})")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of seconds (got {value!r})")
    if value < low:
        raise ValueError(f"{what} must be at least {low:g} (got {value:g})")
    if value > high:
        raise ValueError(f"{what} is above the limit of {high:g} (got {value:g})")
    return value


def count(value: Any) -> int:
    return check_int(value, "n", 0, MAX_N)


def workers(value: Any) -> int:
    return check_int(value, "workers", 1, MAX_WORKERS)


def timeout(value: Any) -> float:
    return check_float(value, "timeout", MIN_TIMEOUT_S, MAX_TIMEOUT_S)


def seed(value: Any) -> int:
    return check_int(value, "seed", 0, MAX_SEED)


def shard_size(value: Any) -> int:
    return check_int(value, "shard_size", 1, MAX_SHARD_SIZE)


def per_command(value: Any) -> int:
    return check_int(value, "per_command", 1, MAX_PER_COMMAND)


def _optional(check: Any) -> Any:
    return lambda v: None if v is None else check(v)


# Pydantic field types: the check runs before pydantic's own coercion, so `true` never becomes 1.
Count = Annotated[int, BeforeValidator(count)]
Workers = Annotated[int, BeforeValidator(workers)]
Timeout = Annotated[float, BeforeValidator(timeout)]
Seed = Annotated[int, BeforeValidator(seed)]
ShardSize = Annotated[int, BeforeValidator(shard_size)]
OptCount = Annotated[int | None, BeforeValidator(_optional(count))]
OptSeed = Annotated[int | None, BeforeValidator(_optional(seed))]
PerCommand = Annotated[int, BeforeValidator(per_command)]
OptPerCommand = Annotated[int | None, BeforeValidator(_optional(per_command))]


def cli(check: Any) -> Any:
    """A typer option callback applying `check` (None passes): a bad value is one usage line naming the limit."""
    import typer

    def callback(value: Any) -> Any:
        if value is None:
            return None
        try:
            return check(value)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None
    return callback
