"""Human-readable values print exactly as Elasticsearch prints them (``?human``, ``_cat``)."""

from __future__ import annotations

import pytest

from esnap_tui.sandbox.httputil import byte_size, time_value


@pytest.mark.parametrize(
    ("ms", "expected"),
    [
        (0, "0s"),  # TimeValue.toString special case, not "0ms"
        (1, "1ms"),
        (250, "250ms"),
        (999, "999ms"),
        (1000, "1s"),
        (1200, "1.2s"),
        (1999, "1.9s"),  # truncated like format1Decimals, never rounded up to "2s"
        (59_999, "59.9s"),
        (60_000, "1m"),
        (90_000, "1.5m"),
        (175_576, "2.9m"),  # the _recovery documentation example
        (3_600_000, "1h"),
        (5_400_000, "1.5h"),
        (86_400_000, "1d"),
        (129_600_000, "1.5d"),
        (-1, "-1"),  # negative durations print the bare number
    ],
)
def test_time_value_matches_es_time_value_to_string(ms: int, expected: str) -> None:
    assert time_value(ms) == expected


@pytest.mark.parametrize(
    ("size", "expected"),
    [
        (0, "0b"),
        (1023, "1023b"),
        (1024, "1kb"),
        (1536, "1.5kb"),
        (2047, "1.9kb"),  # truncated, not "2kb"
        (79_063_092, "75.4mb"),  # the _recovery documentation example
        (68_891_939, "65.7mb"),
        (5 * 1024**3, "5gb"),
    ],
)
def test_byte_size_matches_es_byte_size_value_to_string(size: int, expected: str) -> None:
    assert byte_size(size) == expected
