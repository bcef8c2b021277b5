"""Compat decides by IndexVersion id (8.11+) as Elasticsearch does, and 9.x's read-only N-2.

Elasticsearch compares an index's ``index.version.created`` id, and a snapshot's version id,
with the id the cluster writes itself; one id stands for several releases (9033000 is written
by 9.1.0-9.1.8), so comparing releases would wrongly call 9.1.x indices "maybe newer" than a
9.1.5 cluster. And 9.x restores a 7.x index read-only when it carries ``index.blocks.write``.
"""

from __future__ import annotations

import pytest

from esnap_tui.compat import TargetCluster, Verdict, check_index, check_snapshot
from esnap_tui.compat.ids import target_index_version
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.repository.reader import _uuid_from_identifier, uuid_from_identifier
from esnap_tui.versions import Version, VersionRange, decode_version_id

OK, NO, RO, UNKNOWN = (
    Verdict.COMPATIBLE,
    Verdict.INCOMPATIBLE,
    Verdict.READ_ONLY_ARCHIVE,
    Verdict.UNKNOWN,
)


def es(text: str) -> Version:
    return Version.parse(text)


def stored(created: int | Version, name: str = "logs", **settings: str) -> IndexInSnapshot:
    """An index as the repository's metadata describes it."""
    if isinstance(created, Version):
        decoded = VersionRange.exactly(created)
    else:
        decoded = decode_version_id(created)
    return IndexInSnapshot(
        name,
        uuid="u1",
        created=decoded,
        created_source=CreatedVersionSource.REPOSITORY,
        settings=settings,
    )


# -- created versions by id ---------------------------------------------------------------------


def test_a_9_1_index_restores_into_9_1_5() -> None:
    verdict = check_index(stored(9033000), decode_version_id(9033000), TargetCluster(es("9.1.5")))
    assert verdict.verdict is OK, verdict.reason
    assert verdict.reason == (
        "created in 9.1.0-9.1.8 (index version 9033000, which 9.1.5 also writes); "
        "9.1.5 reads indices created in 8.0 or later"
    )
    assert str(verdict.created) == "9.1.0-9.1.8"  # what we know is still shown as it is


def test_an_index_from_a_newer_index_version_is_refused_by_id() -> None:
    verdict = check_index(stored(9033001), None, TargetCluster(es("9.1.5")))
    assert verdict.verdict is NO
    assert "created by a newer index version (9033001) than 9.1.5 writes (9033000)" in (
        verdict.reason
    )


@pytest.mark.parametrize(
    ("created", "into"),
    [
        (8512000, "8.15.3"),  # 8.15.x into a 8.15 revision: same id
        (8512000, "8.15.0"),
        (8500003, "8.12.0"),  # 8.11.x into 8.12
        (8500003, "8.11.0"),
        (9009000, "9.1.5"),  # an older id
        (8537000, "9.0.0"),  # 8.19.9+ into 9.0.0, released before it
    ],
)
def test_ids_not_newer_than_the_targets_are_compatible(created: int, into: str) -> None:
    verdict = check_index(stored(created), decode_version_id(created), TargetCluster(es(into)))
    assert verdict.verdict is OK, verdict.reason


@pytest.mark.parametrize(("created", "into"), [(8518000, "8.15.5"), (9033000, "9.0.8")])
def test_ids_newer_than_the_targets_are_refused(created: int, into: str) -> None:
    assert check_index(stored(created), None, TargetCluster(es(into))).verdict is NO


def test_when_the_targets_id_is_not_known_releases_decide_and_the_reason_says_so() -> None:
    # 9.4.0 is past esnap's table: its id cannot be told, so the release ranges decide
    assert target_index_version(es("9.4.0")).value is None
    verdict = check_index(stored(9070000), None, TargetCluster(es("9.4.0")))  # "9.3.8 or newer"
    assert verdict.verdict is UNKNOWN
    assert "index version 9070000 not compared by id" in verdict.reason
    assert "compared by release" in verdict.reason
    # a range entirely below the target needs no id, and gets no note
    older = check_index(stored(9033001), None, TargetCluster(es("9.4.0")))
    assert older.verdict is OK and "index version" not in older.reason


def test_a_revision_past_the_table_writes_at_least_its_lines_newest_id() -> None:
    mine = target_index_version(es("9.1.12"))
    assert (mine.value, mine.exact) == (9033001, False)
    assert check_index(stored(9033001), None, TargetCluster(es("9.1.12"))).verdict is OK
    # an id above that bound may still be one 9.1.12 writes: not refused, not promised
    unknown_id = check_index(stored(9033005), None, TargetCluster(es("9.1.12")))
    assert unknown_id.verdict is UNKNOWN
    assert "9.1.12 writes index version 9033001 or newer" in unknown_id.reason


def test_legacy_and_opensearch_targets_compare_as_before() -> None:
    assert check_index(stored(8500003), None, TargetCluster(es("8.10.4"))).verdict is NO
    opensearch = TargetCluster(Version.parse("2.11.0", product="opensearch"))
    assert check_index(stored(8512000), None, opensearch).verdict is NO


# -- snapshot versions by id -------------------------------------------------------------------


def test_a_snapshot_taken_by_9_1_restores_into_9_1_5() -> None:
    verdict = check_snapshot(decode_version_id(9033000), TargetCluster(es("9.1.5")))
    assert verdict.verdict is OK, verdict.reason
    assert "index version 9033000, which 9.1.5 also writes" in verdict.reason


def test_a_snapshot_from_a_newer_index_version_is_refused() -> None:
    verdict = check_snapshot(decode_version_id(9033001), TargetCluster(es("9.1.5")))
    assert verdict.verdict is NO
    assert "taken by a newer index version (9033001) than 9.1.5 writes (9033000)" in (
        verdict.reason
    )
    index = check_index(stored(9033000), decode_version_id(9033001), TargetCluster(es("9.1.5")))
    assert index.verdict is NO  # the snapshot gate still applies to each index


def test_bounds_under_a_same_id_snapshot_lose_the_newer_part() -> None:
    """No metadata: the index is no newer than the snapshot, whose id 9.1.5 writes, so the only
    open questions are the old ones (archives, N-2), never "newer than the target"."""
    verdict = check_index(IndexInSnapshot("x"), decode_version_id(9033000), TargetCluster(
        es("9.1.5"), "enterprise"
    ))
    assert verdict.verdict is UNKNOWN
    assert "newer" not in verdict.reason.split("; ", 1)[1]
    assert "the snapshot's index version 9033000, which 9.1.5 also writes" in verdict.reason


# -- 9.x and 7.x indices: read-only N-2 with a write block -----------------------------------


def test_a_7x_index_with_a_write_block_restores_read_only_on_9x() -> None:
    index = stored(es("7.17.0"), **{"index.blocks.write": "true"})
    for licence in ("basic", "enterprise", None):  # no licence needed, unlike archives
        verdict = check_index(index, es("7.17.0"), TargetCluster(es("9.1.5"), licence))
        assert verdict.verdict is RO, verdict.reason
        assert "restores read-only (N-2)" in verdict.reason


def test_a_7x_index_without_a_write_block_is_refused_with_the_way_to_fix_it() -> None:
    verdict = check_index(stored(es("7.10.2")), es("7.10.2"), TargetCluster(es("9.1.5")))
    assert verdict.verdict is NO
    assert "which this one does not" in verdict.reason
    assert verdict.advice is not None
    steps = " ".join(verdict.advice.steps)
    assert "Restore into 8.19 first" in steps
    assert "set index.blocks.write=true on the index in its source cluster" in steps


def test_without_the_metadata_the_write_block_is_not_known() -> None:
    # created version from the live source cluster: today's settings, not the snapshot's
    index = IndexInSnapshot("logs", uuid="u1")
    live = {"index.uuid": "u1", "index.version.created": "7100299", "index.blocks.write": "true"}
    verdict = check_index(
        index, es("7.10.2"), TargetCluster(es("9.1.5")), source_cluster_settings=live
    )
    assert verdict.verdict is UNKNOWN
    assert "whether this one does is not known" in verdict.reason


@pytest.mark.parametrize(
    ("created", "into", "licence", "expected"),
    [
        ("7.0.0-rc1", "9.1.5", "basic", NO),  # N-2 starts at 7.0.0 GA
        ("6.8.23", "9.1.5", "basic", NO),  # N-3: an archive index, which needs the licence
        ("6.8.23", "9.1.5", "enterprise", RO),
        ("7.17.0", "8.15.0", "basic", OK),  # N-1 needs no block: a normal, writable index
    ],
)
def test_the_write_block_matters_only_for_n2(
    created: str, into: str, licence: str, expected: Verdict
) -> None:
    index = stored(es(created), **{"index.blocks.write": "true"})
    verdict = check_index(index, None, TargetCluster(es(into), licence))
    assert verdict.verdict is expected, verdict.reason


def test_a_7x_snapshot_on_9x_allows_read_only_whatever_the_licence() -> None:
    verdict = check_snapshot(es("7.17.0"), TargetCluster(es("9.1.5"), "basic"))
    assert verdict.verdict is RO
    assert "N-2" in verdict.reason and "enterprise licence" in verdict.reason


# -- reader helper made public -------------------------------------------------------------------


def test_uuid_from_identifier_is_public_and_the_old_name_still_works() -> None:
    identifier = "jdVvTUVIRjG0fGpfvkzDOg-_na_-1-1-1"
    assert uuid_from_identifier(identifier) == "jdVvTUVIRjG0fGpfvkzDOg"
    assert _uuid_from_identifier is uuid_from_identifier
    assert uuid_from_identifier("no-dashes") is None


def test_a_snapshot_newer_than_the_target_points_at_a_new_enough_cluster() -> None:
    """No older release line can read a 9.1 snapshot: the advice says what can, not
    'find its exact created version' (the created version is exact here)."""
    index = IndexInSnapshot(
        name="logs",
        created=VersionRange.exactly(Version(6, 5, 4)),
        created_source=CreatedVersionSource.REPOSITORY,
    )
    verdict = check_index(
        index, decode_version_id(9033000), TargetCluster(Version(8, 15, 0), license="enterprise")
    )
    assert verdict.verdict is Verdict.INCOMPATIBLE
    assert verdict.advice is not None
    first = verdict.advice.steps[0]
    assert "restore it into a cluster running 9.1.0 or newer" in first
    assert "upgrade 8.15.0" in first
    assert not any("exact created version" in step for step in verdict.advice.steps)
