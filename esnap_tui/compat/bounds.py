"""Bounds we can prove on an index's created version when nobody can tell us the exact one.

A live cluster does not report the created version of the indices in a snapshot. What we can
still prove:

* upper bound: the version that took the snapshot (an index is never created by a newer
  version than the cluster that snapshots it);
* lower bound: the oldest created version a cluster of that version could hold: its minimum
  index compatibility, or 5.0 on Elasticsearch 8.3+ where restored archive indices may live;
  OpenSearch clusters may also hold Elasticsearch 6.x/7.x indices.

The live source cluster's minimum index compatibility is used only where it is *lower* than
the snapshot-derived bound: the cluster may have been upgraded since the snapshot, and its
minimum today then says nothing about what it held back then. Nothing here claims more.
"""

from __future__ import annotations

from dataclasses import dataclass

from esnap_tui.compat.fmt import describe_bound, describe_version, product_name
from esnap_tui.compat.rules import (
    ARCHIVE_SINCE,
    OPENSEARCH_FORK,
    es_minimum_index_compatibility,
    opensearch_minimum_own,
    opensearch_reads_elasticsearch,
)
from esnap_tui.versions import Product, Version, VersionRange

ARCHIVE_OLDEST = Version(5, 0, 0)
"""The oldest created version an archive index can have (8.3+ reads 5.x/6.x indices)."""


@dataclass(frozen=True)
class CreatedBounds:
    """The created versions an index may have: one range per product it could come from."""

    ranges: tuple[VersionRange, ...]
    basis: str

    @property
    def single(self) -> VersionRange | None:
        """The one range when every possibility is of the same product, else None."""
        return self.ranges[0] if len(self.ranges) == 1 else None

    def label(self, *, product: bool = False) -> str:
        """E.g. "between 6.0 and 7.13.4", "6.0 or later", "between Elasticsearch 7.0 and 7.10.2 or
        between OpenSearch 1.0 and 2.11.0"."""
        several = len(self.ranges) > 1
        parts = [_range_label(created, product=product or several) for created in self.ranges]
        return " or ".join(parts)


def _range_label(created: VersionRange, *, product: bool) -> str:
    prefix = f"{product_name(created.product)} " if product else ""
    low = describe_bound(created.low)
    if created.high is None:
        return f"{prefix}{low} or later"
    return f"between {prefix}{low} and {describe_version(created.high)}"


def prove_bounds(
    snapshot_version: VersionRange | None,
    source_min_index_compat: Version | None = None,
) -> CreatedBounds | None:
    """Bounds on the created version of any index in a snapshot; None when nothing is provable.

    ``snapshot_version`` is the version that took the snapshot (a range for 8.11+ ids or
    unknown ids). Without it nothing is proved: the source cluster's minimum alone may reflect
    an upgrade made after the snapshot.
    """
    if snapshot_version is None:
        return None
    taken_low = snapshot_version.low
    taken_high = snapshot_version.high
    taken_text = _taken_text(snapshot_version)
    if snapshot_version.product is Product.OPENSEARCH:
        return _opensearch_bounds(taken_low, taken_high, taken_text, source_min_index_compat)
    if taken_low >= ARCHIVE_SINCE:
        low = ARCHIVE_OLDEST
        why = (
            f"taken by {taken_text}, whose clusters hold indices created in "
            f"{describe_bound(es_minimum_index_compatibility(taken_low))} or later, "
            f"and archive indices from {describe_bound(low)}"
        )
    else:
        low = es_minimum_index_compatibility(taken_low)
        why = (
            f"taken by {taken_text}, whose clusters hold indices created in "
            f"{describe_bound(low)} or later"
        )
    if (
        source_min_index_compat is not None
        and source_min_index_compat.product is Product.ELASTICSEARCH
        and source_min_index_compat < low
    ):
        low = source_min_index_compat
        why += f"; the source cluster reads indices from {describe_bound(source_min_index_compat)}"
    high = taken_high if taken_high is None or taken_high >= low else low
    return CreatedBounds((VersionRange(low, high),), f"the snapshot was {why}")


def _taken_text(snapshot_version: VersionRange) -> str:
    product = snapshot_version.product is Product.OPENSEARCH
    if snapshot_version.exact:
        return describe_version(snapshot_version.low, product=product)
    prefix = "OpenSearch " if product else ""
    return f"{prefix}{snapshot_version}"


def _opensearch_bounds(
    taken_low: Version,
    taken_high: Version | None,
    taken_text: str,
    source_min: Version | None,
) -> CreatedBounds:
    """An OpenSearch snapshot may hold its own indices and, for 1.x/2.x, Elasticsearch ones."""
    ranges: list[VersionRange] = []
    parts: list[str] = []
    readable = opensearch_reads_elasticsearch(taken_low)
    if readable is not None:
        es_low = readable[0]
        if (
            source_min is not None
            and source_min.product is Product.ELASTICSEARCH
            and source_min < es_low
        ):
            es_low = source_min
        ranges.append(VersionRange(es_low, OPENSEARCH_FORK))
        parts.append(
            f"Elasticsearch indices created in {describe_bound(es_low)}-"
            f"{describe_bound(OPENSEARCH_FORK)}"
        )
    own_low = opensearch_minimum_own(taken_low)
    if source_min is not None and source_min.product is Product.OPENSEARCH and source_min < own_low:
        own_low = source_min
    own_high = taken_high if taken_high is None or taken_high >= own_low else own_low
    ranges.append(VersionRange(own_low, own_high))
    parts.append(f"OpenSearch indices created in {describe_bound(own_low, product=True)} or later")
    basis = f"the snapshot was taken by {taken_text}, whose clusters hold " + " and ".join(parts)
    return CreatedBounds(tuple(ranges), basis)
