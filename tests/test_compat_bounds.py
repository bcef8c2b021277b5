"""Bounds on an unknown created version: what they prove, and verdicts that never claim more."""

from __future__ import annotations

import itertools

import pytest

from esnap_tui.compat import (
    TargetCluster,
    Verdict,
    check_index,
    check_snapshot,
    index_rule,
    prove_bounds,
)
from esnap_tui.models import CreatedVersionSource, IndexInSnapshot
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id


def es(text: str) -> Version:
    return Version.parse(text)


def opensearch(text: str) -> Version:
    return Version.parse(text, Product.OPENSEARCH)


UNKNOWN_INDEX = IndexInSnapshot("logs", uuid="u1")


def test_bounds_from_a_7x_snapshot() -> None:
    bounds = prove_bounds(VersionRange.exactly(es("7.13.4")))
    assert bounds is not None
    assert bounds.ranges == (VersionRange(es("6.0.0-beta1"), es("7.13.4")),)
    assert bounds.label() == "between 6.0 and 7.13.4"
    assert "taken by 7.13.4" in bounds.basis


@pytest.mark.parametrize(
    ("taken", "low"),
    [
        ("6.8.23", "5.0.0"),
        ("5.6.16", "2.0.0"),
        ("8.2.0", "7.0.0"),
        ("8.15.0", "5.0.0"),  # 8.3+ clusters may hold restored 5.x/6.x archive indices
        ("9.1.0", "5.0.0"),
    ],
)
def test_lower_bound_is_what_that_version_can_hold(taken: str, low: str) -> None:
    bounds = prove_bounds(VersionRange.exactly(es(taken)))
    assert bounds is not None
    assert bounds.single == VersionRange(es(low), es(taken))


def test_nothing_is_proved_without_the_snapshot_version() -> None:
    assert prove_bounds(None) is None
    assert prove_bounds(None, es("6.0.0-beta1")) is None


def test_source_minimum_only_ever_widens_the_bounds() -> None:
    taken = VersionRange.exactly(es("7.13.4"))
    # a live cluster upgraded since the snapshot reports a higher minimum: ignored
    assert prove_bounds(taken, es("7.0.0")).single.low == es("6.0.0-beta1")
    # a lower minimum (odd, but possible with mixed data) is honoured
    assert prove_bounds(taken, es("5.0.0")).single.low == es("5.0.0")


def test_snapshot_version_range_keeps_its_high_end() -> None:
    bounds = prove_bounds(decode_version_id(8512000))  # 8.15.x
    assert bounds is not None
    assert bounds.single.high == decode_version_id(8512000).high


def test_opensearch_snapshot_bounds_cover_both_products() -> None:
    bounds = prove_bounds(VersionRange.exactly(opensearch("2.11.0")))
    assert bounds is not None
    assert bounds.ranges == (
        VersionRange(es("7.0.0"), es("7.10.2")),
        VersionRange(Version(1, 0, 0, 0, Product.OPENSEARCH), opensearch("2.11.0")),
    )
    assert bounds.single is None
    assert "Elasticsearch" in bounds.label() and "OpenSearch" in bounds.label()
    three = prove_bounds(VersionRange.exactly(opensearch("3.0.0")))
    assert three is not None
    assert [r.product for r in three.ranges] == [Product.OPENSEARCH]


# -- verdicts from bounds: settled or unknown ----------------------------------------------------

BOUNDS_CASES = [
    # snapshot, target, licence, expected
    ("7.13.4", "7.17.0", None, Verdict.COMPATIBLE),  # 6.0-7.13.4: all readable by 7.17
    ("7.13.4", "8.15.0", None, Verdict.UNKNOWN),  # 6.x would be an archive
    ("7.13.4", "6.8.0", None, Verdict.INCOMPATIBLE),  # snapshot newer than target
    ("5.6.16", "7.17.0", None, Verdict.INCOMPATIBLE),  # 2.0-5.6.16: none readable by 7.x
    ("6.8.23", "7.17.0", None, Verdict.UNKNOWN),  # 5.x no, 6.x yes
    ("6.8.23", "7.1.0", None, Verdict.UNKNOWN),
    ("6.8.23", "6.8.23", None, Verdict.COMPATIBLE),
    ("6.8.23", "8.15.0", "enterprise", Verdict.READ_ONLY_ARCHIVE),  # every 5.0-6.8 is archive
    ("6.8.23", "8.15.0", "basic", Verdict.INCOMPATIBLE),
    ("8.2.0", "8.15.0", None, Verdict.COMPATIBLE),  # 7.0-8.2, no archives before 8.3
    ("8.2.0", "9.1.0", None, Verdict.UNKNOWN),  # 7.x no, 8.x yes
    ("8.15.0", "8.15.0", None, Verdict.UNKNOWN),  # could hold an archive index
    ("2.4.6", "2.4.6", None, Verdict.COMPATIBLE),
    ("2.4.6", "5.6.16", None, Verdict.UNKNOWN),  # a 2.x cluster may hold 1.x indices
]


@pytest.mark.parametrize(("taken", "into", "licence", "expected"), BOUNDS_CASES)
def test_bounds_verdicts(taken: str, into: str, licence: str | None, expected: Verdict) -> None:
    verdict = check_index(UNKNOWN_INDEX, es(taken), TargetCluster(es(into), licence))
    assert verdict.verdict is expected, verdict.reason
    assert verdict.created_source is CreatedVersionSource.BOUNDS
    assert verdict.created_basis is not None


def test_bounds_reason_shows_the_bounds_and_the_split() -> None:
    verdict = check_index(UNKNOWN_INDEX, es("6.8.23"), TargetCluster(es("7.1.0")))
    assert verdict.created_label == "between 5.0 and 6.8.23"
    assert verdict.reason == (
        "created between 5.0 and 6.8.23 (exact version unknown); on 7.1.0 it would be "
        "incompatible if created before 6.0, compatible from 6.0, incompatible from 6.8, "
        "so it may be incompatible"
    )


def test_settled_bounds_reason() -> None:
    verdict = check_index(UNKNOWN_INDEX, es("5.6.16"), TargetCluster(es("7.17.0")))
    assert verdict.reason == (
        "created between 2.0 and 5.6.16 (exact version unknown); "
        "7.17.0 reads indices created in 6.0 or later"
    )


def test_unknown_index_advice_asks_for_the_exact_version() -> None:
    verdict = check_index(UNKNOWN_INDEX, es("7.13.4"), TargetCluster(es("8.15.0")))
    assert verdict.advice is not None
    assert any("offline" in step for step in verdict.advice.steps)


# -- never claims more than it knows ------------------------------------------------------------

SNAPSHOTS = ["2.4.6", "5.6.16", "6.5.4", "6.8.23", "7.1.1", "7.10.2", "7.17.0", "8.2.0", "8.15.0"]
TARGETS = ["5.6.16", "6.8.23", "7.1.0", "7.17.0", "8.1.0", "8.15.0", "9.1.0"]
REAL_RELEASES = [
    es(f"{major}.{minor}.{revision}")
    for major, minor, revision in itertools.product(
        (1, 2, 5, 6, 7, 8, 9), (0, 1, 2, 5, 8, 10, 13, 17), (0, 2, 4, 16)
    )
] + [es("6.0.0-beta1"), es("6.0.0-rc2"), es("7.0.0-rc1")]


@pytest.mark.parametrize("licence", [None, "basic", "enterprise"])
@pytest.mark.parametrize(("taken", "into"), list(itertools.product(SNAPSHOTS, TARGETS)))
def test_bounds_verdict_is_unknown_exactly_when_the_bounds_disagree(
    taken: str, into: str, licence: str | None
) -> None:
    cluster = TargetCluster(es(into), licence)
    bounds = prove_bounds(VersionRange.exactly(es(taken)))
    assert bounds is not None
    inside = [version for version in REAL_RELEASES if version in bounds.single]
    # nobody read the index's settings: whether it carries a write block is not known either
    answers = {index_rule(version, cluster, write_block=None).verdict for version in inside}
    verdict = check_index(IndexInSnapshot("x"), es(taken), cluster)
    if check_snapshot(es(taken), cluster).verdict is Verdict.INCOMPATIBLE:
        assert verdict.verdict is Verdict.INCOMPATIBLE  # the snapshot gate decides
    elif len(answers) == 1:
        assert verdict.verdict is answers.pop(), verdict.reason
    else:
        assert verdict.verdict is Verdict.UNKNOWN, verdict.reason
