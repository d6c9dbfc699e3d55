"""release.lengthstats: the length counters and percentiles that `stats` and `train`'s length checks report."""

from __future__ import annotations

from pathlib import Path

import pytest

from civilinstruct.errors import CivilError
from civilinstruct.release.lengthstats import char_counter, percentiles, tokenizer_counter


def test_percentiles_by_hand() -> None:
    """Guards the nearest-rank percentiles where the rank is whole: 1..20 gives p50 10, p90 18, p95 19, p99 20;
    1..10 gives p50 5, p90 9; one value is every percentile; nothing gives {}."""
    assert percentiles(list(range(20, 0, -1))) == {"n": 20, "p50": 10, "p90": 18, "p95": 19, "p99": 20, "max": 20}
    assert percentiles(list(range(1, 11)))["p50"] == 5 and percentiles(list(range(1, 11)))["p90"] == 9
    assert percentiles([7]) == {"n": 1, "p50": 7, "p90": 7, "p95": 7, "p99": 7, "max": 7}
    assert percentiles([]) == {}


def test_percentiles_nearest_rank_at_half_ranks() -> None:
    """Guards the docstring's "nearest rank" when q * n ends in .5: the rank is ceil(q * n)."""
    p = percentiles([10, 20, 30, 40, 50])
    assert (p["p50"], p["p90"]) == (30, 50)


def test_char_counter_counts_contents_only() -> None:
    """Guards the tokenizer-free unit: the sum of the contents' lengths, roles and the flag not counted."""
    chat = [{"role": "system", "content": "abc"}, {"role": "user", "content": "楼层 5"}]
    assert char_counter(chat) == 3 + 4
    assert char_counter(chat, True) == 7
    assert char_counter([]) == 0


@pytest.mark.slow  # imports transformers (about 2.5 s)
def test_tokenizer_counter_refuses_a_directory_without_a_tokenizer(tmp_path: Path) -> None:
    """Guards the user error: a folder that holds no tokenizer is one CivilError naming it, not a traceback."""
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(CivilError, match="cannot load the tokenizer"):
        tokenizer_counter(tmp_path)("x", False)  # type: ignore[arg-type]
