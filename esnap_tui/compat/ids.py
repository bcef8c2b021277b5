"""Comparing by IndexVersion id, as Elasticsearch 8.11+ does, instead of by release.

Why: from 8.11 an index's ``index.version.created`` and a snapshot's version are detached
``IndexVersion`` ids, and Elasticsearch compares those ids with the id it writes itself
(``IndexVersion.current()``). One id stands for several releases (9033000 = 9.1.0-9.1.8), so
comparing releases would call a 9.1.x index "maybe newer" than a 9.1.5 cluster, although every
cluster writing 9033000 or more reads it. Here the rules' range is narrowed with the id:

* created id <= the target's id: the index is not newer than the target, so the part of its
  range above the target's release is cut off and the rules decide the rest;
* created id > the target's id, and the target's id is certain: refused, "newer";
* the target's id is not certain (release not in esnap's table, or past its end on a known
  line, so it writes that id *or newer*; or a pre-release): the release range decides, and the
  reason says the ids could not be compared.

Legacy ids (up to 8.10) and OpenSearch ids are releases already: nothing to do for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from esnap_tui.compat.fmt import describe_version
from esnap_tui.compat.model import TargetCluster
from esnap_tui.versions import (
    Product,
    Version,
    VersionRange,
    index_version_id_for,
    index_version_table,
)


@dataclass(frozen=True)
class TargetId:
    """The IndexVersion id a target writes: ``exact`` when certain, else a lower bound (or None)."""

    value: int | None
    exact: bool
    why_not: str = ""  # why it is not exact, in words ("" when exact)


def target_index_version(version: Version) -> TargetId:
    """The id a release writes, and how sure we are of it."""
    if version.product is Product.OPENSEARCH:
        return TargetId(None, False, "OpenSearch ids are releases")
    try:
        value = index_version_id_for(version)
    except ValueError as error:
        return TargetId(None, False, str(error))
    table = index_version_table()
    if (version.major, version.minor) < (8, 11) or table.writes_exactly(version):
        return TargetId(value, True)
    return TargetId(
        value,
        False,
        f"esnap's table ends at {table.newest_release}, so {version.release()} writes index "
        f"version {value} or newer",
    )


@dataclass(frozen=True)
class ById:
    """What the id comparison leaves for the rules.

    ``created`` is the range the rules should see (narrowed when the id proves it is not newer
    than the target); ``refused`` is the reason when the id proves it is newer; ``note`` goes
    into the reason when the comparison changed or could not settle something.
    """

    created: VersionRange
    refused: str | None = None
    note: str | None = None


def _reaches_past(created: VersionRange, target: Version) -> bool:
    return created.high is None or created.high > target


def _narrowed(created: VersionRange, target: Version) -> VersionRange:
    """``created`` without the releases above ``target`` (the id proved they do not apply)."""
    low = min(created.low, target)
    high = target if created.high is None else min(created.high, target)
    return VersionRange(low, high, created.inferred, created.index_version_id)


def compare_by_id(created: VersionRange, target: TargetCluster, *, verb: str) -> ById:
    """Narrow or refuse ``created`` (an index's created range, or the range of the version that
    took a snapshot: ``verb`` is "created" or "taken") by its id against the target's."""
    raw = created.index_version_id
    tv = target.version
    if raw is None or created.product is not Product.ELASTICSEARCH or target.product is not (
        Product.ELASTICSEARCH
    ):
        return ById(created)
    mine = target_index_version(tv)
    name = describe_version(tv)
    if mine.value is not None and raw <= mine.value:
        if not _reaches_past(created, tv):
            return ById(created)
        how = "which" if raw == mine.value else f"not newer than the {mine.value} that"
        also = " also" if raw == mine.value else ""
        writes = "writes" if mine.exact else "writes at least"
        note = f"index version {raw}, {how} {name}{also} {writes}"
        return ById(_narrowed(created, tv), note=note)
    if mine.value is not None and mine.exact:
        return ById(
            created,
            refused=(
                f"{name} cannot {'read' if verb == 'created' else 'restore'} it: {verb} by a "
                f"newer index version ({raw}) than {name} writes ({mine.value})"
            ),
        )
    if not _reaches_past(created, tv):
        return ById(created)
    return ById(
        created,
        note=f"index version {raw} not compared by id: {mine.why_not}; compared by release",
    )


def narrow_bounds(
    ranges: tuple[VersionRange, ...], taken: VersionRange | None, target: TargetCluster
) -> tuple[tuple[VersionRange, ...], str | None]:
    """Bounds (created <= the version that took the snapshot) narrowed by the snapshot's id.

    An index is never newer than the snapshot holding it, so when the snapshot's id is not
    newer than the target's, no index in it is either.
    """
    if taken is None:
        return ranges, None
    by_id = compare_by_id(taken, target, verb="taken")
    if by_id.refused is not None or by_id.created is taken:
        return ranges, None
    tv = target.version
    narrowed = tuple(
        _narrowed(created, tv)
        if created.product is Product.ELASTICSEARCH and _reaches_past(created, tv)
        else created
        for created in ranges
    )
    if narrowed == ranges:
        return ranges, None
    return narrowed, f"the snapshot's {by_id.note}"
