"""The documented compatibility matrix, cell by cell (es-rest-api.md §6, the seed table)."""

from __future__ import annotations

import bisect
import itertools

import pytest

from esnap_tui.compat import (
    TargetCluster,
    Verdict,
    check_index,
    check_snapshot,
    check_snapshot_indices,
    index_rule,
    snapshot_rule,
)
from esnap_tui.compat.rules import breakpoints
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id

OK = Verdict.COMPATIBLE
NO = Verdict.INCOMPATIBLE
ARCHIVE = Verdict.READ_ONLY_ARCHIVE
UNKNOWN = Verdict.UNKNOWN


def es(text: str) -> Version:
    return Version.parse(text)


def opensearch(text: str) -> Version:
    return Version.parse(text, Product.OPENSEARCH)


def index(created: Version, name: str = "logs") -> IndexInSnapshot:
    return IndexInSnapshot(
        name,
        uuid="u1",
        created=VersionRange.exactly(created),
        created_source=CreatedVersionSource.REPOSITORY,
    )


def target(version: Version, license: str | None = None) -> TargetCluster:
    return TargetCluster(version, license)


# -- the seed table: snapshot 1.x/2.x/5.x/6.x/7.x against clusters 2.x/5.x/6.x/7.x -------------

SEED_SNAPSHOTS = {"1.x": "1.7.5", "2.x": "2.4.6", "5.x": "5.6.16", "6.x": "6.8.23", "7.x": "7.10.2"}
SEED_CLUSTERS = {"2.x": "2.4.6", "5.x": "5.6.16", "6.x": "6.8.23", "7.x": "7.17.0"}
SEED_YES = {
    ("1.x", "2.x"),
    ("2.x", "2.x"),
    ("2.x", "5.x"),
    ("5.x", "5.x"),
    ("5.x", "6.x"),
    ("6.x", "6.x"),
    ("6.x", "7.x"),
    ("7.x", "7.x"),
}


@pytest.mark.parametrize(
    ("snapshot", "cluster"), list(itertools.product(SEED_SNAPSHOTS, SEED_CLUSTERS))
)
def test_seed_table_cell(snapshot: str, cluster: str) -> None:
    taken = es(SEED_SNAPSHOTS[snapshot])
    into = target(es(SEED_CLUSTERS[cluster]))
    expected = OK if (snapshot, cluster) in SEED_YES else NO
    assert check_snapshot(taken, into).verdict is expected
    # an index created by the same version as the snapshot follows the same table
    assert check_index(index(taken), taken, into).verdict is expected


# -- extensions to 8.x and 9.x ---------------------------------------------------------------

EXTENSIONS = [
    # snapshot, created, target, licence, expected
    ("7.17.0", "7.17.0", "8.15.0", None, OK),
    ("7.10.2", "7.10.2", "8.0.0", None, OK),
    ("8.15.0", "8.15.0", "8.15.0", None, OK),
    ("8.15.0", "8.15.0", "9.1.0", None, OK),
    ("8.0.0", "8.0.0", "9.0.0", None, OK),
    ("8.15.0", "8.15.0", "8.12.0", None, NO),  # snapshot newer than the cluster
    ("9.1.0", "9.1.0", "8.19.0", None, NO),
    ("7.17.0", "7.17.0", "9.1.0", None, NO),  # 7.x into 9.x without a write block
    ("7.17.0", "7.10.2", "9.0.0", "enterprise", NO),
    # a 6.x index inside a 7.x snapshot: 9.x takes it as an archive (decided per index, as
    # the sandbox and Elasticsearch do; the 7.x snapshot is not refused as a whole)
    ("7.17.0", "6.8.23", "9.1.0", "enterprise", ARCHIVE),
    ("7.17.0", "6.8.23", "9.1.0", "basic", NO),
    ("7.17.0", "6.8.23", "9.1.0", None, UNKNOWN),
    ("6.8.23", "6.8.23", "8.0.0", "enterprise", NO),
    ("6.8.23", "6.8.23", "8.2.3", "enterprise", NO),
    ("6.8.23", "6.8.23", "8.3.0", "enterprise", ARCHIVE),
    ("5.6.16", "5.6.16", "8.15.0", "enterprise", ARCHIVE),
    ("5.6.16", "5.6.16", "9.1.0", "trial", ARCHIVE),
    ("2.4.6", "2.4.6", "8.15.0", "enterprise", NO),  # archive starts at 5.x
]


@pytest.mark.parametrize(("taken", "created", "into", "licence", "expected"), EXTENSIONS)
def test_extensions_to_8_and_9(
    taken: str, created: str, into: str, licence: str | None, expected: Verdict
) -> None:
    verdict = check_index(index(es(created)), es(taken), target(es(into), licence))
    assert verdict.verdict is expected, verdict.reason


# -- the index-created table (es-rest-api.md §6.2), every cell ---------------------------------

CLUSTERS_62 = ["6.8.23", "7.0.1", "7.1.1", "7.2.0", "7.17.0", "8.0.0", "8.2.3", "8.3.0", "8.18.0"]
CLUSTERS_62 += ["9.0.0"]
# created -> expected per cluster column, enterprise licence (so archive cells are ARCHIVE)
TABLE_62 = {
    "5.6.16": [OK, NO, NO, NO, NO, NO, NO, ARCHIVE, ARCHIVE, ARCHIVE],
    "6.5.4": [OK, OK, OK, OK, OK, NO, NO, ARCHIVE, ARCHIVE, ARCHIVE],
    "6.8.23": [OK, NO, NO, OK, OK, NO, NO, ARCHIVE, ARCHIVE, ARCHIVE],
    # 9.0 with 7.x: the table's ✅ is read-only only (N-2, GH#118443); an index without a
    # write block cannot be upgraded (es-rest-api.md §6.2, "9.x"); with one, see below
    "7.0.0": [NO, OK, OK, OK, OK, OK, OK, OK, OK, NO],
    "7.2.0": [NO, NO, NO, OK, OK, OK, OK, OK, OK, NO],
    "8.0.0": [NO, NO, NO, NO, NO, OK, OK, OK, OK, OK],
}


@pytest.mark.parametrize(
    ("created", "column"), list(itertools.product(TABLE_62, range(len(CLUSTERS_62))))
)
def test_index_created_table_cell(created: str, column: int) -> None:
    into = target(es(CLUSTERS_62[column]), "enterprise")
    expected = TABLE_62[created][column]
    verdict = index_rule(es(created), into)
    assert verdict.verdict is expected, verdict.why


def test_the_anomalies_are_explained() -> None:
    into_71 = check_index(index(es("6.8.23")), es("6.8.23"), target(es("7.1.0")))
    assert into_71.verdict is NO
    assert into_71.reason == (
        "created in 6.8.23; 7.1.0 cannot read indices created in 6.8 "
        "(7.0 and 7.1 predate it; 7.2 or later can)"
    )
    into_82 = check_index(index(es("6.5.4")), es("6.5.4"), target(es("8.2.0"), "enterprise"))
    assert into_82.verdict is NO
    assert "archive indices for 5.x/6.x need 8.3 or later" in into_82.reason


def test_reason_reads_like_the_issue_example() -> None:
    verdict = check_index(index(es("5.6.16")), es("6.8.23"), target(es("7.17.0")))
    assert verdict.reason == "created in 5.6.16; 7.17.0 reads indices created in 6.0 or later"
    assert verdict.created_source is CreatedVersionSource.REPOSITORY
    assert verdict.created_label == "5.6.16"


def test_seven_x_into_nine_says_why() -> None:
    verdict = check_index(index(es("7.10.2")), es("7.10.2"), target(es("9.1.0")))
    assert verdict.verdict is NO
    assert "9.1.0 reads indices created in 8.0 or later" in verdict.reason
    assert "only if it carries a write block (index.blocks.write=true)" in verdict.reason
    assert verdict.advice is not None
    assert any("index.blocks.write=true" in step for step in verdict.advice.steps)


# -- archive indices and the licence ----------------------------------------------------------


@pytest.mark.parametrize(
    ("licence", "expected"),
    [
        ("enterprise", ARCHIVE),
        ("trial", ARCHIVE),
        ("Enterprise", ARCHIVE),
        ("basic", NO),
        ("platinum", NO),
        ("gold", NO),
        (None, UNKNOWN),
    ],
)
def test_archive_needs_an_enterprise_licence(licence: str | None, expected: Verdict) -> None:
    verdict = check_index(index(es("6.8.23")), es("6.8.23"), target(es("8.15.0"), licence))
    assert verdict.verdict is expected
    assert "read-only archive" in verdict.reason
    if expected is NO:
        assert "enterprise licence" in verdict.reason
        assert f"this cluster has {licence}" in verdict.reason
    if expected is UNKNOWN:
        assert "licence is not known" in verdict.reason


def test_snapshot_level_archive_follows_the_licence() -> None:
    assert check_snapshot(es("5.6.16"), target(es("8.15.0"), "enterprise")).verdict is ARCHIVE
    refused = check_snapshot(es("5.6.16"), target(es("8.15.0"), "basic"))
    assert refused.verdict is NO
    assert "enterprise licence" in refused.reason


# -- OpenSearch --------------------------------------------------------------------------------

OPENSEARCH_CASES = [
    # snapshot, created, target, expected
    (es("7.10.2"), es("7.10.2"), opensearch("1.3.0"), OK),
    (es("7.10.2"), es("7.10.2"), opensearch("2.11.0"), OK),
    (es("6.8.23"), es("6.8.23"), opensearch("1.3.0"), OK),
    (es("6.8.23"), es("6.8.23"), opensearch("2.11.0"), NO),
    (es("7.10.2"), es("6.8.23"), opensearch("2.11.0"), NO),
    (es("5.6.16"), es("5.6.16"), opensearch("1.3.0"), NO),
    (es("7.10.2"), es("7.10.2"), opensearch("3.0.0"), NO),
    (es("7.11.2"), es("7.11.2"), opensearch("1.3.0"), UNKNOWN),
    (es("7.12.0"), es("7.12.0"), opensearch("2.11.0"), NO),
    (es("8.15.0"), es("8.15.0"), opensearch("2.11.0"), NO),
    (opensearch("1.3.0"), opensearch("1.3.0"), opensearch("2.11.0"), OK),
    (opensearch("2.11.0"), opensearch("2.11.0"), opensearch("3.0.0"), OK),
    (opensearch("1.3.0"), opensearch("1.3.0"), opensearch("3.0.0"), NO),
    (opensearch("2.11.0"), opensearch("2.11.0"), opensearch("2.9.0"), NO),
    (opensearch("2.11.0"), es("7.10.2"), opensearch("2.11.0"), OK),
    (opensearch("2.11.0"), opensearch("2.11.0"), es("8.15.0"), NO),
    (opensearch("1.3.0"), es("7.10.2"), es("8.15.0"), NO),
]


@pytest.mark.parametrize(("taken", "created", "into", "expected"), OPENSEARCH_CASES)
def test_opensearch(taken: Version, created: Version, into: Version, expected: Verdict) -> None:
    verdict = check_index(index(created), taken, target(into))
    assert verdict.verdict is expected, verdict.reason


def test_elasticsearch_refuses_opensearch_snapshots_with_a_reason() -> None:
    verdict = check_snapshot(opensearch("2.11.0"), target(es("8.15.0")))
    assert verdict.verdict is NO
    assert verdict.reason == (
        "taken by OpenSearch 2.11.0; Elasticsearch cannot restore OpenSearch snapshots"
    )


def test_opensearch_reason_names_products() -> None:
    verdict = check_index(index(es("6.8.23")), es("6.8.23"), target(opensearch("2.11.0")))
    assert verdict.reason.startswith("created in Elasticsearch 6.8.23; OpenSearch 2.11.0 ")
    assert "7.0-7.10.2" in verdict.reason


# -- ranges (8.11+ ids, unknown ids) ------------------------------------------------------------


def ranged(created: VersionRange) -> IndexInSnapshot:
    return IndexInSnapshot("r", created=created, created_source=CreatedVersionSource.REPOSITORY)


def test_a_range_with_one_answer_gets_that_answer() -> None:
    created = decode_version_id(8500003)  # 8.11.0-8.11.4
    assert not created.exact
    verdict = check_index(ranged(created), es("8.11.4"), target(es("9.1.0")))
    assert verdict.verdict is OK
    assert verdict.reason.startswith("created in 8.11.0-8.11.4; 9.1.0 reads")
    assert verdict.created == created


def test_a_range_straddling_the_target_is_unknown() -> None:
    created = VersionRange(es("8.11.0"), es("8.11.4"))
    verdict = check_index(ranged(created), None, target(es("8.11.2")))
    assert verdict.verdict is UNKNOWN
    assert "may be incompatible" in verdict.reason


def test_an_open_ended_range() -> None:
    created = VersionRange(es("9.3.8"), None)
    assert check_index(ranged(created), None, target(es("9.1.0"))).verdict is NO
    assert check_index(ranged(created), None, target(es("9.5.0"))).verdict is UNKNOWN


def test_a_snapshot_version_range() -> None:
    taken = decode_version_id(8512000)  # 8.15.x
    assert check_snapshot(taken, target(es("8.16.0"))).verdict is OK
    # the id decides, as in Elasticsearch: 8.15.0 writes 8512000 itself, so nothing is newer
    assert check_snapshot(taken, target(es("8.15.0"))).verdict is OK
    assert check_snapshot(VersionRange(es("8.15.0"), es("8.15.5")), target(es("8.15.0"))).verdict \
        is UNKNOWN  # a range built by hand has no id: releases decide
    assert check_snapshot(taken, target(es("8.14.3"))).verdict is NO


def test_unknown_snapshot_version_is_not_a_verdict() -> None:
    assert check_snapshot(None, target(es("8.15.0"))).verdict is UNKNOWN
    nothing = check_index(IndexInSnapshot("x"), None, target(es("8.15.0")))
    assert nothing.verdict is UNKNOWN
    assert nothing.created_source is CreatedVersionSource.UNKNOWN


# -- created-version sources -----------------------------------------------------------------


def test_live_settings_count_only_for_the_same_uuid() -> None:
    unknown = IndexInSnapshot("logs", uuid="abc")
    settings = {"index.uuid": "abc", "index.version.created": "5061699"}
    same = check_index(
        unknown, es("6.8.23"), target(es("7.17.0")), source_cluster_settings=settings
    )
    assert same.created_source is CreatedVersionSource.SOURCE_CLUSTER
    assert same.verdict is NO
    assert same.reason.startswith("created in 5.6.16;")
    other = check_index(
        unknown,
        es("6.8.23"),
        target(es("7.17.0")),
        source_cluster_settings={**settings, "index.uuid": "another"},
    )
    assert other.created_source is CreatedVersionSource.BOUNDS
    assert other.verdict is UNKNOWN


def test_repository_metadata_wins_over_live_settings() -> None:
    settings = {"index.uuid": "u1", "index.version.created": "5061699"}
    verdict = check_index(
        index(es("6.8.23")), es("6.8.23"), target(es("7.17.0")), source_cluster_settings=settings
    )
    assert verdict.created_source is CreatedVersionSource.REPOSITORY
    assert verdict.verdict is OK


# -- advice ------------------------------------------------------------------------------------

ADVICE = [
    # created, snapshot, target, licence, restore into
    ("5.6.16", "6.8.23", "7.17.0", None, "6.8"),
    ("6.8.23", "6.8.23", "9.1.0", None, "7.17"),
    ("7.10.2", "7.10.2", "9.1.0", None, "8.19"),
    ("6.8.23", "6.8.23", "8.15.0", "basic", "7.17"),
    ("6.8.23", "6.8.23", "7.1.0", None, "6.8"),
    ("7.10.2", "7.10.2", "6.8.23", None, "7.17"),  # snapshot newer: nearest line above
]


@pytest.mark.parametrize(("created", "taken", "into", "licence", "bridge"), ADVICE)
def test_advice_names_the_newest_line_that_restores_it(
    created: str, taken: str, into: str, licence: str | None, bridge: str
) -> None:
    verdict = check_index(index(es(created)), es(taken), target(es(into), licence))
    assert verdict.verdict is not OK
    assert verdict.advice is not None
    assert verdict.advice.restore_into_label == bridge
    assert verdict.advice.summary == (
        f"Restore into {bridge} first, then reindex from remote into {into}."
    )


def test_advice_offers_the_licence_when_it_would_help() -> None:
    verdict = check_index(index(es("6.8.23")), es("6.8.23"), target(es("8.15.0"), "basic"))
    assert verdict.advice is not None
    assert any("enterprise licence" in step for step in verdict.advice.steps)


def test_compatible_indices_get_no_advice() -> None:
    verdict = check_index(index(es("7.10.2")), es("7.10.2"), target(es("8.15.0")))
    assert verdict.advice is None


# -- a whole snapshot --------------------------------------------------------------------------


def test_report_counts_and_summary() -> None:
    indices = [
        index(es("7.10.2"), "new"),
        index(es("6.8.23"), "old"),
        index(es("5.6.16"), "older"),
        IndexInSnapshot("mystery"),
    ]
    report = check_snapshot_indices(es("7.10.2"), indices, target(es("8.15.0"), "basic"))
    counts = report.counts
    assert counts[OK] == 1
    assert counts[NO] == 2
    assert counts[UNKNOWN] == 1  # bounds 6.0-7.10.2 on 8.15: 6.x would need the licence
    assert report.summary == "4 indices: 1 compatible, 0 read-only archive, 2 blocked, 1 unknown"
    assert not report.all_compatible
    assert [verdict.index for verdict in report.problems][:2] == ["old", "older"]


def test_report_all_compatible() -> None:
    report = check_snapshot_indices(
        es("7.10.2"), [index(es("7.10.2"))], target(es("7.17.0")), sizes={"logs": 10}
    )
    assert report.all_compatible


# -- the rules are constant between breakpoints (what makes range verdicts sound) ---------------

GRID_MINORS = (0, 1, 2, 7, 8, 9, 10, 11, 12, 17, 19)
GRID_REVISIONS = (0, 2, 3, 16)
GRID_BUILDS = (1, 26, 51, 99)
GRID_TARGETS = [
    es(text)
    for text in ("2.4.6", "5.6.16", "6.8.23", "7.0.1", "7.1.1", "7.2.0", "7.10.2", "7.17.0")
] + [es(text) for text in ("8.0.0", "8.2.3", "8.3.0", "8.15.0", "9.0.0", "9.1.0")]
GRID_TARGETS += [opensearch("1.3.0"), opensearch("2.11.0"), opensearch("3.0.0")]


@pytest.mark.parametrize("into", GRID_TARGETS, ids=str)
@pytest.mark.parametrize("licence", [None, "basic", "enterprise"])
def test_rules_do_not_change_between_breakpoints(into: Version, licence: str | None) -> None:
    cluster = target(into, licence)
    points = breakpoints(into)
    for product in Product:
        starts = sorted({p._key(): p for p in points if p.product is product}.values())
        keys = [start._key() for start in starts]
        for major, minor, revision, build in itertools.product(
            range(0, 11), GRID_MINORS, GRID_REVISIONS, GRID_BUILDS
        ):
            version = Version(major, minor, revision, build, product)
            position = bisect.bisect_right(keys, version._key()) - 1
            if position < 0:
                continue
            piece = starts[position]
            for rule in (index_rule, snapshot_rule):
                assert rule(version, cluster) == rule(piece, cluster), (version, piece, rule)
            for block in (True, None):  # the write block 9.x asks of 7.x indices
                assert index_rule(version, cluster, write_block=block) == index_rule(
                    piece, cluster, write_block=block
                ), (version, piece, block)
