"""How long the way forward would take: restore into a bridge cluster, then reindex from remote.

Reindexing is far slower than restoring (it re-parses and re-writes every document, and remote
reindex cannot be sliced), and people underestimate the gap. The rates are assumptions, not
measurements; they are configurable and always shown next to the figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class Rates:
    """Throughput assumptions. Defaults are deliberately conservative, single-node figures.

    * restore: 40 MiB/s, the default ``indices.recovery.max_bytes_per_sec`` per node;
    * reindex from remote: 2,000 documents/s and at most 10 MiB/s, whichever is slower,
      because remote reindex runs as one scroll (no slicing);
    * when the document count is unknown it is estimated at 1 KiB per document.
    """

    restore_bytes_per_second: float = 40 * MIB
    reindex_docs_per_second: float = 2_000.0
    reindex_bytes_per_second: float = 10 * MIB
    average_doc_bytes: int = 1024

    def __post_init__(self) -> None:
        for name in (
            "restore_bytes_per_second",
            "reindex_docs_per_second",
            "reindex_bytes_per_second",
            "average_doc_bytes",
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                raise ValueError(f"{name} must be a positive number, got {value!r}")

    def assumptions(
        self, *, docs_estimated: bool = False, size_estimated: bool = False
    ) -> tuple[str, ...]:
        """The assumptions behind an estimate, as sentences to show beside it."""
        lines = [
            f"restore at {format_bytes(self.restore_bytes_per_second)}/s "
            "(default indices.recovery.max_bytes_per_sec, per node)",
            f"reindex from remote at {self.reindex_docs_per_second:,.0f} documents/s or "
            f"{format_bytes(self.reindex_bytes_per_second)}/s, whichever is slower "
            "(remote reindex cannot be sliced)",
        ]
        if docs_estimated:
            lines.append(
                f"document count estimated from size at {format_bytes(self.average_doc_bytes)} "
                "per document"
            )
        if size_estimated:
            lines.append(
                f"size estimated from document count at {format_bytes(self.average_doc_bytes)} "
                "per document"
            )
        return tuple(lines)


@dataclass(frozen=True)
class Estimate:
    """Restore and reindex durations for one index, with what they assume."""

    size_in_bytes: int
    docs_count: int
    restore_seconds: float
    reindex_seconds: float
    assumptions: tuple[str, ...]
    docs_estimated: bool = False
    size_estimated: bool = False

    @property
    def total_seconds(self) -> float:
        return self.restore_seconds + self.reindex_seconds

    def describe(self) -> str:
        """E.g. "restore about 4 min, then reindex about 1 h 23 min"."""
        return (
            f"restore {format_duration(self.restore_seconds)}, "
            f"then reindex {format_duration(self.reindex_seconds)}"
        )


def estimate_migration(
    size_in_bytes: int | None, docs_count: int | None, rates: Rates | None = None
) -> Estimate | None:
    """Estimate restore and reindex time for an index; None when neither size nor count is known.

    A missing size or document count is derived from the other through ``average_doc_bytes``
    and the estimate says so.
    """
    rates = rates or Rates()
    if size_in_bytes is None and docs_count is None:
        return None
    for name, value in (("size_in_bytes", size_in_bytes), ("docs_count", docs_count)):
        if value is not None and value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    docs_estimated = docs_count is None
    size_estimated = size_in_bytes is None
    if size_in_bytes is None:
        assert docs_count is not None
        size_in_bytes = docs_count * rates.average_doc_bytes
    if docs_count is None:
        docs_count = math.ceil(size_in_bytes / rates.average_doc_bytes)
    restore = size_in_bytes / rates.restore_bytes_per_second
    reindex = max(
        docs_count / rates.reindex_docs_per_second,
        size_in_bytes / rates.reindex_bytes_per_second,
    )
    return Estimate(
        size_in_bytes=size_in_bytes,
        docs_count=docs_count,
        restore_seconds=restore,
        reindex_seconds=reindex,
        assumptions=rates.assumptions(docs_estimated=docs_estimated, size_estimated=size_estimated),
        docs_estimated=docs_estimated,
        size_estimated=size_estimated,
    )


def format_duration(seconds: float) -> str:
    """E.g. "under a minute", "about 4 min", "about 1 h 23 min", "about 2 d 3 h" (rounded up)."""
    if seconds < 60:
        return "under a minute"
    minutes = math.ceil(seconds / 60)
    if minutes < 60:
        return f"about {minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"about {hours} h {minutes} min" if minutes else f"about {hours} h"
    days, hours = divmod(hours, 24)
    return f"about {days} d {hours} h" if hours else f"about {days} d"


def format_bytes(value: float) -> str:
    """E.g. "40 MiB", "1 KiB", "1.5 GiB" (binary units, as Elasticsearch prints them)."""
    units = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")
    amount = float(value)
    unit = units[0]
    for unit in units:
        if amount < 1024 or unit == units[-1]:
            break
        amount /= 1024
    text = f"{amount:.1f}".removesuffix(".0")
    return f"{text} {unit}"
