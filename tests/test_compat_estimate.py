"""Restore-versus-reindex time estimates: figures follow the stated rates, assumptions shown."""

from __future__ import annotations

import pytest

from esnap_tui.compat import (
    Rates,
    TargetCluster,
    check_index,
    estimate_migration,
    format_duration,
)
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.versions import Version, VersionRange

GIB = 1024**3
MIB = 1024**2


def test_default_rates_make_reindex_far_slower_than_restore() -> None:
    estimate = estimate_migration(40 * GIB, 10_000_000)
    assert estimate is not None
    assert estimate.restore_seconds == pytest.approx(1024)  # 40 GiB at 40 MiB/s
    assert estimate.reindex_seconds == pytest.approx(5000)  # 10M docs at 2,000/s
    assert estimate.describe() == "restore about 18 min, then reindex about 1 h 24 min"
    assert any("40 MiB/s" in line for line in estimate.assumptions)
    assert any("2,000 documents/s" in line for line in estimate.assumptions)


def test_reindex_is_bounded_by_bytes_when_documents_are_big() -> None:
    estimate = estimate_migration(100 * GIB, 1000)
    assert estimate is not None
    assert estimate.reindex_seconds == pytest.approx(100 * GIB / (10 * MIB))


def test_rates_are_configurable() -> None:
    rates = Rates(
        restore_bytes_per_second=400 * MIB,
        reindex_docs_per_second=20_000,
        reindex_bytes_per_second=100 * MIB,
    )
    estimate = estimate_migration(40 * GIB, 10_000_000, rates)
    assert estimate is not None
    assert estimate.restore_seconds == pytest.approx(102.4)
    assert estimate.reindex_seconds == pytest.approx(500)
    assert any("400 MiB/s" in line for line in estimate.assumptions)


def test_missing_document_count_is_estimated_and_said() -> None:
    estimate = estimate_migration(GIB, None)
    assert estimate is not None
    assert estimate.docs_estimated
    assert estimate.docs_count == 1024 * 1024
    assert any("estimated from size" in line for line in estimate.assumptions)
    from_docs = estimate_migration(None, 1000)
    assert from_docs is not None and from_docs.size_estimated
    assert from_docs.size_in_bytes == 1000 * 1024


def test_nothing_known_gives_no_estimate() -> None:
    assert estimate_migration(None, None) is None


@pytest.mark.parametrize(
    "bad",
    [
        {"restore_bytes_per_second": 0},
        {"reindex_docs_per_second": -1},
        {"average_doc_bytes": float("nan")},
    ],
)
def test_rates_must_be_positive(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        Rates(**bad)


def test_negative_sizes_are_refused() -> None:
    with pytest.raises(ValueError):
        estimate_migration(-1, 10)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "under a minute"),
        (59.9, "under a minute"),
        (60, "about 1 min"),
        (61, "about 2 min"),
        (3600, "about 1 h"),
        (5000, "about 1 h 24 min"),
        (86_400, "about 1 d"),
        (90_000, "about 1 d 1 h"),
    ],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_advice_carries_the_estimate() -> None:
    index = IndexInSnapshot(
        "old",
        created=VersionRange.exactly(Version.parse("6.8.23")),
        created_source=CreatedVersionSource.REPOSITORY,
    )
    into = TargetCluster(Version.parse("9.1.0"))
    verdict = check_index(
        index, Version.parse("6.8.23"), into, size_in_bytes=40 * GIB, docs_count=10_000_000
    )
    assert verdict.advice is not None
    assert verdict.advice.estimate is not None
    assert verdict.advice.estimate.reindex_seconds > verdict.advice.estimate.restore_seconds
    assert "Estimate: restore about 18 min, then reindex about 1 h 24 min" in " ".join(
        verdict.advice.steps
    )
    slow = check_index(
        index,
        Version.parse("6.8.23"),
        into,
        size_in_bytes=40 * GIB,
        docs_count=10_000_000,
        rates=Rates(reindex_docs_per_second=200),
    )
    assert slow.advice is not None and slow.advice.estimate is not None
    assert slow.advice.estimate.reindex_seconds == pytest.approx(50_000)
    unsized = check_index(index, Version.parse("6.8.23"), into)
    assert unsized.advice is not None and unsized.advice.estimate is None
