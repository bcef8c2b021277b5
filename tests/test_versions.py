"""Versions: release strings, legacy/IndexVersion/OpenSearch ids, ranges, the shipped table."""

from __future__ import annotations

import pytest

from esnap_tui.versions import (
    IndexVersionTable,
    Product,
    Version,
    VersionRange,
    decode_version_id,
    index_version_id_for,
    index_version_table,
)

ES = Product.ELASTICSEARCH
OS = Product.OPENSEARCH


def v(text: str, product: Product = ES) -> Version:
    return Version.parse(text, product)


# -- parsing release strings -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fields", "shown"),
    [
        ("7.13.4", (7, 13, 4, 99, False), "7.13.4"),
        ("8.15.0-SNAPSHOT", (8, 15, 0, 99, True), "8.15.0-SNAPSHOT"),
        ("2.11.0", (2, 11, 0, 99, False), "2.11.0"),
        ("6.0.0-beta1", (6, 0, 0, 26, False), "6.0.0-beta1"),
        ("7.0.0-rc2", (7, 0, 0, 52, False), "7.0.0-rc2"),
        ("5.0.0-alpha5", (5, 0, 0, 5, False), "5.0.0-alpha5"),
        ("8.0.0-rc1-SNAPSHOT", (8, 0, 0, 51, True), "8.0.0-rc1-SNAPSHOT"),
        ("2.0.0-beta1", (2, 0, 0, 1, False), "2.0.0-beta1"),  # ES < 5: beta = build
        ("1.0.0.RC1", (1, 0, 0, 51, False), "1.0.0-rc1"),  # ES 1.x spelling
        ("6.8", (6, 8, 0, 99, False), "6.8.0"),
        ("  7.10.2\n", (7, 10, 2, 99, False), "7.10.2"),
    ],
)
def test_parse_release_strings(text: str, fields: tuple, shown: str) -> None:
    version = Version.parse(text)
    parts = (version.major, version.minor, version.revision, version.build, version.snapshot)
    assert parts == fields
    assert str(version) == shown
    assert Version.parse(str(version)) == version


def test_parse_keeps_the_product() -> None:
    version = Version.parse("2.11.0", Product.OPENSEARCH)
    assert version.product is Product.OPENSEARCH
    assert version.legacy_id == 136327827


def test_opensearch_prereleases_use_the_alpha_beta_rc_split() -> None:
    assert v("3.0.0-alpha1", OS).build == 1
    assert v("3.0.0-beta1", OS).build == 26
    assert str(Version.from_legacy_id(v("3.0.0-beta1", OS).legacy_id)) == "3.0.0-beta1"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "7",
        "7.10.2.1",
        "7.100.0",
        "7.10.2-gamma1",
        "6.0.0-beta25",  # beta builds are 25-49: beta25 would be rc0
        "7.0.0-rc49",  # rc builds end at 98; 99 is GA
        "2.0.0-alpha1",  # ES before 5 had no alphas
        "2.0.0-beta50",
        "7.10.2-SNAPSHOT-SNAPSHOT",
    ],
)
def test_parse_rejects_garbage_with_a_clear_message(text: str) -> None:
    with pytest.raises(ValueError, match="not a version"):
        Version.parse(text)


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(ValueError, match="must be a string"):
        Version.parse(7100299)  # type: ignore[arg-type]


def test_out_of_range_fields_are_rejected() -> None:
    with pytest.raises(ValueError, match="minor"):
        Version(7, 100)
    with pytest.raises(ValueError, match="build"):
        Version(7, 0, 0, 100)


# -- ordering, equality, hashing ---------------------------------------------------------------


def test_prereleases_order_alpha_beta_rc_ga() -> None:
    expected = [
        "6.8.23",
        "7.0.0-alpha1",
        "7.0.0-alpha2",
        "7.0.0-beta1",
        "7.0.0-rc1",
        "7.0.0-rc2",
        "7.0.0",
        "7.0.1",
        "7.10.2",
        "7.13.4",
        "8.9.0",
        "8.10.0",
    ]
    shuffled = [expected[i] for i in (5, 0, 9, 3, 11, 1, 7, 2, 10, 4, 8, 6)]
    assert [str(x) for x in sorted(v(t) for t in shuffled)] == expected


def test_snapshot_sorts_with_its_release_but_is_not_equal() -> None:
    release, snapshot = v("8.15.0"), v("8.15.0-SNAPSHOT")
    assert not release < snapshot and not snapshot < release
    assert release <= snapshot <= release
    assert release != snapshot
    assert snapshot < v("8.15.1") and v("8.14.3") < snapshot


def test_equal_versions_hash_alike_and_products_differ() -> None:
    assert len({v("7.10.2"), Version(7, 10, 2), Version.from_legacy_id(7100299)}) == 1
    assert v("2.11.0", OS) != v("2.11.0")
    assert v("1.3.0", OS) < v("7.10.2")  # cross-product comparison is by numbers only


# -- legacy ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version_id", "shown", "product"),
    [
        # seen in the real fixture repositories (5.6 index inside a 6.8 snapshot, 6.8, 7.10)
        (5061699, "5.6.16", ES),
        (6082399, "6.8.23", ES),
        (6082499, "6.8.24", ES),
        (7100299, "7.10.2", ES),
        (7130099, "7.13.0", ES),
        (8100499, "8.10.4", ES),
        # major >= 5: <25 alpha, 25-49 beta(build-25), 50-98 rc(build-50)
        (5000001, "5.0.0-alpha1", ES),
        (5000024, "5.0.0-alpha24", ES),
        (6000025, "6.0.0-beta0", ES),
        (6000026, "6.0.0-beta1", ES),
        (6000049, "6.0.0-beta24", ES),
        (6000050, "6.0.0-rc0", ES),
        (6000051, "6.0.0-rc1", ES),
        (7000098, "7.0.0-rc48", ES),
        # major < 5: <50 beta(build), 50-98 rc(build-50)
        (2000001, "2.0.0-beta1", ES),
        (2000049, "2.0.0-beta49", ES),
        (2000051, "2.0.0-rc1", ES),
        (1070599, "1.7.5", ES),
        # 9.x release-aligned Version ids still exist (snapshot version_id)
        (9010099, "9.1.0", ES),
        # OpenSearch: bit 27 flipped
        (136247827, "2.3.0", OS),
        (136257927, "2.4.1", OS),
        (136327827, "2.11.0", OS),
        (135217827, "1.0.0", OS),
        (137217827, "3.0.0", OS),
    ],
)
def test_from_legacy_id(version_id: int, shown: str, product: Product) -> None:
    version = Version.from_legacy_id(version_id)
    assert str(version) == shown
    assert version.product is product
    assert version.legacy_id == version_id


@pytest.mark.parametrize("bad", [0, -1, 8500003, 8999999, 134217728, 2**31, True, "7100299"])
def test_from_legacy_id_rejects_non_release_ids(bad: object) -> None:
    with pytest.raises(ValueError):
        Version.from_legacy_id(bad)  # type: ignore[arg-type]


def test_from_legacy_id_points_index_version_ids_elsewhere() -> None:
    with pytest.raises(ValueError, match="decode_version_id"):
        Version.from_legacy_id(8512000)


# -- decoding any id ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown", "exact", "product"),
    [
        (5061699, "5.6.16", True, ES),
        ("6082399", "6.8.23", True, ES),
        (" 6082499 ", "6.8.24", True, ES),
        (7100299, "7.10.2", True, ES),
        (2000051, "2.0.0-rc1", True, ES),
        (136247827, "2.3.0", True, OS),
        ("136257927", "2.4.1", True, OS),
        (136327827, "2.11.0", True, OS),
        # IndexVersion ids through the shipped table
        (8500003, "8.11.0-8.11.4", False, ES),
        (8500008, "8.12.0", True, ES),
        (8503000, "8.13.0-8.13.4", False, ES),
        (8512000, "8.15.0-8.15.5", False, ES),
        (8521000, "8.17.0-8.17.10", False, ES),
        (8525000, "8.18.0-8.18.8", False, ES),
        (8536000, "8.19.0-8.19.8", False, ES),
        (9009000, "9.0.0-9.0.8", False, ES),
        (9033001, "9.1.9-9.1.10", False, ES),
        (9039002, "9.2.2", True, ES),
        # unknown ids: (revision after the last release below) - (first release above)
        (8500001, "8.10.5-8.11.0", False, ES),
        (8515000, "8.15.6-8.16.0", False, ES),
        (8540000, "8.19.20-9.0.0", False, ES),
        (9005000, "8.19.20-9.0.0", False, ES),
        # an unknown id squeezed between two consecutive releases: a dev build of the later one
        (8500009, "8.12.1 (pre-release build)", False, ES),
    ],
)
def test_decode_version_id(value: int | str, shown: str, exact: bool, product: Product) -> None:
    decoded = decode_version_id(value)
    assert str(decoded) == shown
    assert decoded.exact is exact
    assert decoded.product is product


def test_an_id_above_the_table_is_open_ended() -> None:
    table = index_version_table()
    decoded = decode_version_id(table.newest_id + 1000)
    assert decoded.high is None
    assert decoded.low == table.newest_release.next_revision()
    assert str(decoded) == f"{table.newest_release.next_revision()} or newer"
    assert Version(table.newest_release.major + 1) in decoded
    assert table.newest_release not in decoded


def test_unknown_id_range_brackets_its_neighbours() -> None:
    decoded = decode_version_id(8515000)  # between 8.15.x (8512000) and 8.16.x (8518000)
    assert v("8.15.5") not in decoded
    assert v("8.15.6") in decoded
    assert v("8.16.0") in decoded
    assert v("8.16.0-SNAPSHOT") in decoded
    assert v("8.16.1") not in decoded


@pytest.mark.parametrize(
    "bad",
    ["", "abc", "7.10.2", "-5", "0", 0, -1, "１２３", 120_000_000, 300_000_000, True, 1.5, None],
)
def test_decode_rejects_garbage(bad: object) -> None:
    with pytest.raises(ValueError, match="not a version id"):
        decode_version_id(bad)  # type: ignore[arg-type]


# -- VersionRange -------------------------------------------------------------------------------


def test_version_range_wording() -> None:
    assert str(VersionRange.exactly(v("7.10.2"))) == "7.10.2"
    assert str(VersionRange(v("8.11.0"), v("8.11.4"))) == "8.11.0-8.11.4"
    assert str(VersionRange(v("9.1.0"), None)) == "9.1.0 or newer"
    assert VersionRange.exactly(v("7.10.2")).exact
    assert not VersionRange(v("9.1.0"), None).exact


def test_version_range_rejects_inverted_or_mixed_bounds() -> None:
    with pytest.raises(ValueError, match="before it starts"):
        VersionRange(v("8.11.4"), v("8.11.0"))
    with pytest.raises(ValueError, match="product"):
        VersionRange(v("2.11.0", OS), v("7.10.2"))


def test_version_range_membership_checks_product() -> None:
    opensearch = decode_version_id(136327827)
    assert v("2.11.0", OS) in opensearch
    assert v("2.11.0") not in opensearch


# -- ids a release writes, and round trips ------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        (v("5.6.16"), 5061699),
        (v("6.0.0-beta1"), 6000026),
        (v("7.10.2"), 7100299),
        (v("8.10.4"), 8100499),
        (v("8.11.2"), 8500003),
        (v("8.12.0"), 8500008),
        (v("8.15.0-SNAPSHOT"), 8512000),
        (v("8.19.9"), 8537000),
        (v("9.1.3"), 9033000),
        (v("9.1.9"), 9033001),
        (v("9.2.2"), 9039002),
        (v("2.11.0", OS), 136327827),
        (v("1.3.0", OS), 135247827),
    ],
)
def test_index_version_id_for(version: Version, expected: int) -> None:
    assert index_version_id_for(version) == expected


def test_a_revision_past_the_table_gets_its_lines_newest_id() -> None:
    table = index_version_table()
    newest = table.newest_release
    assert index_version_id_for(newest.next_revision()) == table.newest_id


@pytest.mark.parametrize("version", [v("9.0.0-rc1"), v("99.0.0"), v("9.99.0")])
def test_index_version_id_for_refuses_to_guess(version: Version) -> None:
    with pytest.raises(ValueError, match="no IndexVersion id is known"):
        index_version_id_for(version)


def test_every_table_release_round_trips() -> None:
    releases = index_version_table().releases
    assert len(releases) > 200
    for release in releases:
        snapshot = Version(release.major, release.minor, release.revision, snapshot=True)
        for version in (release, snapshot):
            assert version in decode_version_id(index_version_id_for(version)), version


@pytest.mark.parametrize(
    "text",
    ["2.0.0-rc1", "5.0.0-alpha1", "5.6.16", "6.0.0-beta1", "6.8.23", "7.0.0-rc2", "7.17.28"],
)
def test_legacy_releases_round_trip(text: str) -> None:
    version = v(text)
    assert decode_version_id(index_version_id_for(version)) == VersionRange.exactly(version)


@pytest.mark.parametrize("text", ["1.0.0", "1.3.20", "2.3.0", "2.19.4", "3.0.0-beta1"])
def test_opensearch_releases_round_trip(text: str) -> None:
    version = v(text, OS)
    assert decode_version_id(index_version_id_for(version)) == VersionRange.exactly(version)


# -- the shipped table --------------------------------------------------------------------------


def test_shipped_table_reaches_the_newest_established_releases() -> None:
    releases = set(index_version_table().releases)
    for text in ("8.17.2", "8.18.8", "8.19.19", "9.0.8", "9.1.10", "9.2.8", "9.3.7"):
        assert v(text) in releases, text


def test_shipped_table_id_spaces() -> None:
    table = index_version_table()
    for release in table.releases:
        version_id = index_version_id_for(release)
        if release.major >= 9:
            assert version_id >= 9_000_0_00, release
        elif (release.major, release.minor) >= (8, 11):
            assert 8_500_000 <= version_id < 9_000_0_00, release
        else:
            assert version_id == release.legacy_id, release


def test_table_loader_rejects_bad_tables() -> None:
    with pytest.raises(ValueError, match="not monotone"):
        IndexVersionTable.from_lines("8.11.0,8500003\n8.12.0,8500001\n")
    with pytest.raises(ValueError, match="twice"):
        IndexVersionTable.from_lines("8.11.0,8500003\n8.11.0,8500003\n")
    with pytest.raises(ValueError, match=r"t\.csv:2: expected 'release,id'"):
        IndexVersionTable.from_lines("# header\n8.11,8500003\n", source="t.csv")
    with pytest.raises(ValueError, match="empty"):
        IndexVersionTable.from_lines("# nothing\n")


def test_inference_on_a_small_table() -> None:
    table = IndexVersionTable.from_lines("8.10.4,8100499\n8.11.0,8500003\n8.11.1,8500003\n")
    assert str(table.releases_for(8500003)) == "8.11.0-8.11.1"
    assert str(table.releases_for(8500000)) == "8.10.5-8.11.0"
    assert str(table.releases_for(8500004)) == "8.11.2 or newer"
    assert table.id_for(v("8.11.7")) == 8500003
    assert table.id_for(v("8.12.0")) is None


# -- the raw IndexVersion id travels with its range ------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kept"),
    [
        (9033000, 9033000),  # known id, several releases
        ("9033001", 9033001),  # text form, as index settings carry it
        (8500003, 8500003),
        (9033500, 9033500),  # unknown id: an inferred range still remembers it
        (7100299, None),  # legacy ids are releases; nothing extra to keep
        (136327827, None),  # OpenSearch
    ],
)
def test_decoded_ranges_keep_the_index_version_id(raw: int | str, kept: int | None) -> None:
    assert decode_version_id(raw).index_version_id == kept


def test_the_kept_id_takes_no_part_in_equality() -> None:
    decoded = decode_version_id(9033000)
    by_hand = VersionRange(v("9.1.0"), v("9.1.8"))
    assert decoded == by_hand and hash(decoded) == hash(by_hand)
    assert by_hand.index_version_id is None
    assert str(decoded) == "9.1.0-9.1.8"


def test_writes_exactly_tells_listed_releases_from_revisions_past_the_table() -> None:
    table = IndexVersionTable.from_lines("9.1.9,9033001\n9.1.10,9033001\n")
    assert table.writes_exactly(v("9.1.10"))
    assert table.id_for(v("9.1.12")) == 9033001  # at least: 9.1.12 may write a newer id
    assert not table.writes_exactly(v("9.1.12"))
