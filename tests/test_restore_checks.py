"""Pre-flight checks over hand-written facts: each problem is caught, with its fix and the
error the cluster would answer (reference §4.3 wording).

The live counterpart (the same checks against the sandbox's own restore validation) is in
``test_restore_checks_sandbox.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from esnap_tui.models import (
    CreatedVersionSource,
    FeatureState,
    IndexDetails,
    IndexInSnapshot,
    ShardFailure,
    SnapshotDetail,
    SnapshotState,
)
from esnap_tui.restore.checks import Severity, run_checks
from esnap_tui.restore.facts import (
    DeletionInFlight,
    ExistingDataStream,
    ExistingIndex,
    GlobalMetadataSummary,
    NodeDisk,
    RepositoryFacts,
    RestoreInFlight,
    SlmPolicyFacts,
    SnapshotFacts,
    TargetFacts,
)
from esnap_tui.restore.plan import RestorePlan
from esnap_tui.versions import Product, Version, VersionRange, decode_version_id

GB = 1024**3
DAY = 86_400_000
NOW = 1_767_225_600_000  # 2026-01-01


def source_repo() -> RepositoryFacts:
    return RepositoryFacts.from_settings("backups", "fs", {"location": "/mnt/backups"}, uuid="R1")


def snapshot(**changes: object) -> SnapshotFacts:
    detail = SnapshotDetail(
        name="snap-1",
        uuid="SU",
        repository="backups",
        state=SnapshotState.SUCCESS,
        version=VersionRange.exactly(Version(8, 15, 0)),
        start_time_ms=NOW - 2 * DAY,
        indices=["logs-a", "logs-b", ".kibana_1", ".ds-web-2025.12.01-000001"],
        data_streams=["web"],
        feature_states=[FeatureState("kibana", (".kibana_1",))],
        include_global_state=True,
        index_details={
            "logs-a": IndexDetails(1, 10 * GB),
            "logs-b": IndexDetails(2, 5 * GB),
        },
    )
    indices = [
        IndexInSnapshot("logs-a", uuid="UA", primary_shards=1, aliases=["logs"]),
        IndexInSnapshot("logs-b", uuid="UB", primary_shards=2),
        IndexInSnapshot(".kibana_1", uuid="UK", primary_shards=1, system=True),
        IndexInSnapshot(
            ".ds-web-2025.12.01-000001", uuid="UW", primary_shards=1, data_stream="web"
        ),
    ]
    facts = SnapshotFacts(detail=detail, indices=indices, repository=source_repo())
    for key, value in changes.items():
        if hasattr(detail, key):
            setattr(detail, key, value)
        else:
            setattr(facts, key, value)
    return facts


def target(**changes: object) -> TargetFacts:
    base = TargetFacts(
        name="prod",
        version=Version(9, 1, 5),
        license="enterprise",
        nodes=[NodeDisk("n1", 400 * GB, 500 * GB), NodeDisk("n2", 400 * GB, 500 * GB)],
        open_shards=10,
        repositories=[source_repo()],
        installed_features=["kibana", "security"],
        now_ms=NOW,
    )
    return replace(base, **changes)


def plan(**changes: object) -> RestorePlan:
    return replace(
        RestorePlan(
            repository="backups",
            snapshot="snap-1",
            target_cluster="prod",
            source_cluster="prod",
            indices=["logs-a"],
        ),
        **changes,
    )


def ids(report) -> dict[str, Severity]:
    return {r.id: r.severity for r in report.results}


def only(report, check_id: str):
    found = report.by_id(check_id)
    assert len(found) == 1, f"{check_id}: {[r.message for r in report.results]}"
    return found[0]


def test_clean_plan_has_no_blocker_and_orders_blockers_first() -> None:
    report = run_checks(plan(), snapshot(), target())
    assert report.can_proceed, [r.message for r in report.blockers]
    bad = run_checks(plan(indices=["nope", "logs-a"]), snapshot(), target())
    severities = [r.severity.rank for r in bad.results]
    assert severities == sorted(severities) and bad.results[0].blocking


def test_open_index_conflict_offers_rename_close_and_safety_snapshot() -> None:
    report = run_checks(plan(), snapshot(), target(indices=[ExistingIndex("logs-a")]))
    check = only(report, "conflict-open-index")
    assert check.blocking
    kinds = [a.kind for a in check.actions]
    assert kinds == ["rename", "safety-snapshot", "close-index"]
    close = check.actions[2]
    assert close.confirm and close.request is not None and close.request.path == "/logs-a/_close"
    assert check.predicts is not None
    assert check.predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] cannot restore index [logs-a] because an open index with same name "
        "already exists in the cluster. Either close or delete the existing index or restore the "
        "index under a different name by providing a rename pattern and replacement name",
    )
    # the offered rename resolves it
    fixed = plan(**check.actions[0].params)
    assert fixed.rename_replacement == "restored-$1"
    again = run_checks(fixed, snapshot(), target(indices=[ExistingIndex("logs-a")]))
    assert not again.by_id("conflict-open-index") and again.can_proceed


def test_rename_suggestion_skips_names_already_taken() -> None:
    existing = [ExistingIndex("logs-a"), ExistingIndex("restored-logs-a")]
    check = only(run_checks(plan(), snapshot(), target(indices=existing)), "conflict-open-index")
    assert check.actions[0].params["rename_replacement"] == "restored-2-$1"


def test_closed_index_with_other_shard_count_and_same_shard_count() -> None:
    closed = ExistingIndex("logs-b", state="close", primary_shards=1)
    check = only(
        run_checks(plan(indices=["logs-b"]), snapshot(), target(indices=[closed])),
        "conflict-closed-shards",
    )
    assert check.blocking
    assert check.predicts.reason.endswith(
        "cannot restore index [logs-b] with [1] shards from a snapshot of index [logs-b] with "
        "[2] shards"
    )
    same = ExistingIndex("logs-b", state="close", primary_shards=2)
    check = only(
        run_checks(plan(indices=["logs-b"]), snapshot(), target(indices=[same])),
        "conflict-closed-index",
    )
    assert check.severity is Severity.WARNING
    assert check.actions[0].kind == "safety-snapshot" and check.actions[0].confirm


def test_existing_data_stream_and_alias_conflicts() -> None:
    report = run_checks(
        plan(indices=[], data_streams=["web"]),
        snapshot(),
        target(data_streams=[ExistingDataStream("web", (".ds-web-2025.12.02-000002",))]),
    )
    assert only(report, "conflict-data-stream").blocking
    aliased = target(indices=[ExistingIndex("other", aliases=("logs-a",))])
    check = only(run_checks(plan(), snapshot(), aliased), "conflict-alias")
    assert check.predicts.reason.endswith(
        "cannot rename index [logs-a] into [logs-a] because of conflict with an alias with the "
        "same name"
    )


def test_rename_into_an_alias_the_restore_brings_back() -> None:
    renamed = plan(indices=["logs-a", "logs-b"], rename_pattern="logs-b", rename_replacement="logs")
    check = only(run_checks(renamed, snapshot(), target()), "conflict-restored-alias")
    assert check.blocking and check.actions[0].params == {"include_aliases": False}
    ok = replace(renamed, include_aliases=False)
    assert not run_checks(ok, snapshot(), target()).by_id("conflict-restored-alias")


def test_restored_alias_clashing_with_an_existing_index() -> None:
    report = run_checks(plan(), snapshot(), target(indices=[ExistingIndex("logs")]))
    assert only(report, "conflict-alias-index").blocking


def test_rename_collision_invalid_name_and_bad_pattern() -> None:
    both = plan(indices=["logs-*"], rename_pattern="logs-.", rename_replacement="x")
    check = only(run_checks(both, snapshot(), target()), "rename-collision")
    assert check.predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1] indices [logs-a] and [logs-b] are renamed into the same index [x]",
    )
    upper = plan(rename_pattern="(.+)", rename_replacement="Restored-$1")
    check = only(run_checks(upper, snapshot(), target()), "rename-invalid-name")
    assert check.predicts.reason == "Invalid index name [Restored-logs-a], must be lowercase"
    broken = plan(rename_pattern="(.+)", rename_replacement="$2")
    assert only(run_checks(broken, snapshot(), target()), "rename-invalid-pattern").blocking


def test_rename_preview_lists_every_name() -> None:
    renamed = plan(indices=["logs-*", "web"], rename_pattern="(.+)", rename_replacement="r-$1")
    check = only(run_checks(renamed, snapshot(), target()), "rename-preview")
    assert check.details == (
        "logs-a -> r-logs-a",
        "logs-b -> r-logs-b",
        ".ds-web-2025.12.01-000001 -> .ds-r-web-2025.12.01-000001",
        "web -> r-web",
    )


def test_per_index_compat_verdicts() -> None:
    @dataclass
    class Verdict:
        index: str
        verdict: str
        reason: str

    facts = snapshot(
        verdicts=[
            Verdict("logs-a", "incompatible", "created in 6.8.0; 9.1 reads 8.0+"),
            Verdict("logs-b", "read-only-archive", "created in 6.8.0"),
        ]
    )
    report = run_checks(plan(indices=["logs-a", "logs-b"]), facts, target())
    blocked = [r for r in report.by_id("index-compat") if r.blocking]
    assert [r.subject for r in blocked] == ["logs-a"]
    assert blocked[0].predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] cannot restore index [[logs-a/UA]] because it cannot be upgraded",
    )
    assert any(
        r.subject == "logs-b" and r.severity is Severity.WARNING
        for r in report.by_id("index-compat")
    )


def _judged(
    taken: VersionRange, indices: list[IndexInSnapshot], into: TargetFacts
) -> SnapshotFacts:
    """A snapshot of ``indices`` with the compat engine's own verdicts, as the wizard has it."""
    from esnap_tui.compat import TargetCluster, check_index

    facts = snapshot(version=taken)
    facts.detail.indices = [i.name for i in indices]
    facts.indices = indices
    cluster = TargetCluster(into.version, into.license)
    facts.verdicts = [check_index(i, facts.detail.version, cluster) for i in facts.indices]
    return facts


def _stored(name: str, uuid: str, created: int, **settings: str) -> IndexInSnapshot:
    return IndexInSnapshot(
        name,
        uuid=uuid,
        primary_shards=1,
        created=decode_version_id(created),
        created_source=CreatedVersionSource.REPOSITORY,
        settings=settings,
    )


def test_read_only_n2_is_told_apart_from_an_archive_index() -> None:
    """Both are READ_ONLY_ARCHIVE verdicts on 9.x, but a 7.x index keeps its write block and
    needs no licence, while a 6.x one is an archive index."""
    into = target(license="enterprise")
    facts = _judged(
        VersionRange.exactly(Version(7, 17, 0)),
        [
            _stored("logs-a", "UA", Version(7, 10, 2).legacy_id, **{"index.blocks.write": "true"}),
            _stored("logs-b", "UB", Version(6, 8, 23).legacy_id),
        ],
        into,
    )
    report = run_checks(plan(indices=["logs-a", "logs-b"]), facts, into)
    by_subject = {r.subject: r for r in report.by_id("index-compat")}
    n2, archive = by_subject["logs-a"], by_subject["logs-b"]
    assert n2.severity is archive.severity is Severity.WARNING
    assert n2.message.startswith("logs-a: restored read-only (N-2, write block kept) (")
    assert "archive index" not in n2.message.split(" (")[0]
    assert archive.message.startswith("logs-b: restored as a read-only archive index (")


def test_an_index_newer_than_the_target_predicts_the_newer_snapshot_refusal() -> None:
    """9.1.9 writes IndexVersion 9033001, 9.1.5 only 9033000: Elasticsearch refuses the
    snapshot before looking at any index, so "cannot be upgraded" would be the wrong forecast,
    for the newer index and for an older index in the same snapshot alike."""
    into = target()
    facts = _judged(
        decode_version_id(9_033_001),
        [_stored("logs-a", "UA", 9_033_001), _stored("logs-b", "UB", 8_512_000)],
        into,
    )
    report = run_checks(plan(indices=["logs-a", "logs-b"]), facts, into)
    refused = [r for r in report.by_id("index-compat") if r.blocking]
    assert [r.subject for r in refused] == ["logs-a", "logs-b"]
    answer = (
        "[backups:snap-1/SU] the snapshot was created with version [9.1.9] which is higher than "
        "the version of this node [9.1.5]"
    )
    for check in refused:
        assert check.predicts.matches(500, "snapshot_restore_exception", answer), check.predicts
        assert not check.predicts.matches(
            500,
            "snapshot_restore_exception",
            f"[backups:snap-1/SU] cannot restore index [[{check.subject}/U]] because it cannot "
            "be upgraded",
        )
    assert len(report.predicted(500, "snapshot_restore_exception", answer)) == 3  # + snapshot


def test_a_newer_snapshot_on_8_10_is_predicted_with_the_product_word() -> None:
    into = target(version=Version(8, 9, 0))
    facts = _judged(
        VersionRange.exactly(Version(8, 15, 0)), [_stored("logs-a", "UA", 8_512_000)], into
    )
    report = run_checks(plan(), facts, into)
    check = only(report, "index-compat")
    assert check.predicts.matches(
        500,
        "snapshot_restore_exception",
        "the snapshot was created with Elasticsearch version [8.15.0] which is higher than the "
        "version of this node [8.9.0]",
    )


def test_refused_old_indices_predict_licence_or_upgrade_errors() -> None:
    """A 6.x index in a 7.x snapshot: 9.x without an archive licence answers 403; 8.0-8.2,
    which have no archive path, and a 7.x index without a write block on 9.x fail the upgrade."""
    indices = [
        _stored("logs-a", "UA", Version(6, 8, 23).legacy_id),
        _stored("logs-b", "UB", Version(7, 10, 2).legacy_id),
    ]
    taken = VersionRange.exactly(Version(7, 17, 0))
    basic = target(license="basic")
    report = run_checks(plan(indices=["logs-a", "logs-b"]), _judged(taken, indices, basic), basic)
    by_subject = {r.subject: r for r in report.by_id("index-compat")}
    assert by_subject["logs-a"].predicts.matches(
        403, "security_exception", "current license is non-compliant for [archive]"
    )
    assert by_subject["logs-b"].predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] cannot restore index [[logs-b/UB]] because it cannot be upgraded",
    )
    early = target(version=Version(8, 1, 0), license="basic")
    old = run_checks(plan(indices=["logs-a"]), _judged(taken, indices, early), early)
    assert only(old, "index-compat").predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] cannot restore index [[logs-a/UA]] because it cannot be upgraded",
    )


def test_snapshot_state_and_versions() -> None:
    failed = run_checks(plan(), snapshot(state=SnapshotState.FAILED), target())
    assert only(failed, "snapshot-state").predicts.reason.endswith(
        "unsupported snapshot state [FAILED]"
    )
    newer = snapshot(version=VersionRange.exactly(Version(9, 2, 0)))
    check = only(run_checks(plan(), newer, target()), "snapshot-newer")
    assert check.predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] the snapshot was created with version [9.2.0] which is higher than "
        "the version of this node [9.1.5]",
    )
    old = snapshot(version=VersionRange.exactly(Version(6, 8, 0)))
    assert only(run_checks(plan(), old, target(license="basic")), "archive-licence").blocking
    assert only(run_checks(plan(), old, target(license="enterprise")), "snapshot-archive")
    too_old = run_checks(plan(), old, target(version=Version(8, 1, 0)))
    assert only(too_old, "snapshot-too-old").predicts.matches(
        500,
        "snapshot_restore_exception",
        "[backups:snap-1/SU] the snapshot was created with Elasticsearch version [6.8.0] which is "
        "below the current versions minimum index compatibility version [7.0.0]",
    )
    opensearch = snapshot(
        version=VersionRange.exactly(Version(2, 11, 0, product=Product.OPENSEARCH))
    )
    assert only(run_checks(plan(), opensearch, target()), "snapshot-newer").blocking


def test_missing_index_and_ignore_unavailable() -> None:
    check = only(run_checks(plan(indices=["nope"]), snapshot(), target()), "selection-missing")
    assert check.blocking
    assert check.predicts.matches(404, "index_not_found_exception", "no such index [nope]")
    lenient = run_checks(plan(indices=["nope"], ignore_unavailable=True), snapshot(), target())
    assert only(lenient, "selection-missing").severity is Severity.WARNING


def test_system_indices_only_through_feature_states_from_8_0() -> None:
    named = run_checks(plan(indices=[".kibana_1"]), snapshot(), target())
    check = only(named, "system-index-requested")
    assert check.predicts.reason == (
        "requested system indices [.kibana_1], but system indices can only be restored as part "
        "of a feature state"
    )
    wildcard = run_checks(plan(indices=["*"]), snapshot(), target())
    assert not wildcard.by_id("system-index-requested")
    assert ".kibana_1" not in wildcard.selection.indices
    assert ".kibana_1" in wildcard.selection.skipped_system
    # 7.x restores it as an ordinary index
    seven = run_checks(plan(indices=[".kibana_1"]), snapshot(), target(version=Version(7, 17, 0)))
    assert not seven.by_id("system-index-requested")


def test_partial_index_needs_partial_true() -> None:
    facts = snapshot(
        state=SnapshotState.PARTIAL,
        failures=[ShardFailure("logs-a", 0, "IndexShardSnapshotFailed")],
    )
    check = only(run_checks(plan(), facts, target()), "partial-index")
    assert check.blocking
    assert check.predicts.reason.endswith(
        "index [logs-a] wasn't fully snapshotted - cannot restore"
    )
    assert only(run_checks(plan(partial=True), facts, target()), "partial-index").severity is (
        Severity.WARNING
    )
    closed = target(indices=[ExistingIndex("logs-a", state="close", primary_shards=1)])
    assert only(run_checks(plan(partial=True), facts, closed), "conflict-partial-existing").blocking


def test_global_state_shows_what_it_overwrites() -> None:
    meta = GlobalMetadataSummary(
        templates=["legacy-t"],
        index_templates=["logs-template", "new-template"],
        pipelines=["geoip"],
        ilm_policies=["hot-warm"],
        persistent_settings={"cluster.routing.allocation.enable": "all", "x.y": "1"},
    )
    live = target(
        index_templates=["logs-template"],
        pipelines=[],
        ilm_policies=["hot-warm"],
        templates=[],
        persistent_settings={"x.y": "2", "only.here": "a"},
    )
    report = run_checks(plan(include_global_state=True), snapshot(global_metadata=meta), live)
    check = only(report, "global-state-overwrite")
    assert check.severity is Severity.WARNING
    assert check.actions[0].kind == "safety-snapshot"
    text = "\n".join(check.details)
    assert "index templates: overwrites logs-template; adds new-template" in text
    assert "ILM policies: overwrites hot-warm" in text
    assert "ingest pipelines: adds geoip" in text
    assert "cluster.routing.allocation.enable, x.y" in text and "1 removed: only.here" in text


def test_global_state_missing_from_snapshot() -> None:
    facts = snapshot(include_global_state=False)
    check = only(
        run_checks(plan(include_global_state=True), facts, target()), "global-state-missing"
    )
    assert check.blocking and check.predicts.reason.endswith(
        "cannot restore global state since the snapshot was created without global state"
    )
    seven = target(version=Version(7, 17, 0))
    seven_check = only(
        run_checks(plan(include_global_state=True), facts, seven), "global-state-missing"
    )
    assert seven_check.severity is Severity.WARNING


def test_feature_state_checks() -> None:
    facts = snapshot()
    mixed = run_checks(plan(feature_states=["none", "kibana"]), facts, target())
    assert only(mixed, "feature-states-none-mixed").predicts.reason.endswith(
        "other feature states were requested: [none, kibana]"
    )
    missing = only(
        run_checks(plan(feature_states=["watcher"]), facts, target()), "feature-states-missing"
    )
    assert missing.predicts.reason.endswith(
        "requested feature states [[watcher]] are not present in snapshot"
    )
    absent = target(installed_features=["security"])
    check = only(
        run_checks(plan(feature_states=["kibana"]), facts, absent), "feature-states-not-installed"
    )
    assert check.predicts.reason.endswith(
        "requested feature states [kibana] are present in snapshot but those features are not "
        "installed on the current master node"
    )
    live = target(indices=[ExistingIndex(".kibana_1", system=True)])
    over = only(
        run_checks(plan(feature_states=["kibana"]), facts, live), "feature-states-overwrite"
    )
    assert over.details == ("restores .kibana_1", "deletes first on prod: .kibana_1")
    old = only(
        run_checks(plan(feature_states=["kibana"]), facts, target(version=Version(7, 10, 2))),
        "feature-states-unsupported",
    )
    assert old.blocking


@pytest.mark.parametrize("key", ["index.number_of_shards", "number_of_shards", "index.uuid"])
def test_index_settings_that_cannot_change(key: str) -> None:
    check = only(
        run_checks(plan(index_settings={key: "3"}), snapshot(), target()), "settings-unmodifiable"
    )
    normalised = key if key.startswith("index.") else f"index.{key}"
    assert check.predicts.reason.endswith(f"cannot modify setting [{normalised}] on restore")


def test_ignore_index_settings_that_cannot_be_removed() -> None:
    report = run_checks(
        plan(ignore_index_settings=["index.number_of_replicas", "index.number_of_*", "refresh"]),
        snapshot(),
        target(),
    )
    check = only(report, "settings-unremovable")
    assert check.predicts.reason.endswith(
        "cannot remove setting [index.number_of_replicas] on restore"
    )
    assert only(report, "settings-pattern-kept").severity is Severity.INFO
    assert only(report, "settings-ignore-prefix").severity is Severity.WARNING


def test_soft_deletes_cannot_be_disabled() -> None:
    report = run_checks(
        plan(index_settings={"index.soft_deletes.enabled": False}),
        snapshot(),
        target(),
    )
    assert only(report, "settings-soft-deletes").predicts.reason.endswith(
        "cannot disable setting [index.soft_deletes.enabled] on restore"
    )


def test_capacity_disk_and_shard_limit() -> None:
    small = target(nodes=[NodeDisk("n1", 12 * GB, 100 * GB)])
    check = only(run_checks(plan(), snapshot(), small), "capacity-disk")
    assert check.blocking and check.actions[0].params == {
        "index_settings": {"index.number_of_replicas": 0}
    }
    # replicas 0 halves the need (10 GB of data into 12 GB free minus the 10 % reserve)
    fixed = run_checks(
        plan().with_replicas_zero(), snapshot(), target(nodes=[NodeDisk("n1", 21 * GB, 100 * GB)])
    )
    assert only(fixed, "capacity-disk").severity is not Severity.BLOCKER
    full = target(open_shards=1999, max_shards_per_node=1000)
    shards = only(run_checks(plan(), snapshot(), full), "capacity-shards")
    assert shards.predicts.matches(
        400,
        "validation_exception",
        "Validation Failed: 1: this action would add [2] shards, but this cluster currently has "
        "[1999]/[2000] maximum normal shards open;",
    )
    assert not run_checks(plan().with_replicas_zero(), snapshot(), full).by_id("capacity-shards")


def test_repository_missing_registers_read_only_or_uses_the_same_storage() -> None:
    check = only(run_checks(plan(), snapshot(), target(repositories=[])), "repository-missing")
    assert check.predicts.matches(404, "repository_missing_exception", "[backups] missing")
    register = check.actions[0]
    assert register.kind == "register-repository" and register.confirm
    assert register.request.body == {
        "type": "fs",
        "settings": {"location": "/mnt/backups", "readonly": True},
    }
    elsewhere = RepositoryFacts.from_settings(
        "shared", "fs", {"location": "/mnt/backups/"}, uuid="R1"
    )
    check = only(
        run_checks(plan(), snapshot(), target(repositories=[elsewhere])), "repository-missing"
    )
    assert check.actions[0].params == {"target_repository": "shared"}
    moved = plan(target_repository="shared")
    assert not run_checks(moved, snapshot(), target(repositories=[elsewhere])).by_id(
        "repository-missing"
    )


def test_repository_pointing_elsewhere_or_with_other_uuid_or_writable() -> None:
    other = RepositoryFacts.from_settings("backups", "fs", {"location": "/mnt/other"})
    assert only(run_checks(plan(), snapshot(), target(repositories=[other])), "repository-mismatch")
    uuid = RepositoryFacts.from_settings("backups", "fs", {"location": "/mnt/backups"}, uuid="R2")
    assert only(run_checks(plan(), snapshot(), target(repositories=[uuid])), "repository-uuid")
    from_elsewhere = plan(source_cluster="legacy")
    check = only(run_checks(from_elsewhere, snapshot(), target()), "repository-writable")
    assert (
        check.severity is Severity.WARNING and check.actions[0].request.body["settings"]["readonly"]
    )
    readonly = RepositoryFacts.from_settings(
        "backups", "fs", {"location": "/mnt/backups", "readonly": "true"}, uuid="R1"
    )
    assert not run_checks(from_elsewhere, snapshot(), target(repositories=[readonly])).by_id(
        "repository-writable"
    )


def test_snapshot_not_visible_on_target() -> None:
    check = only(
        run_checks(plan(), snapshot(), target(repository_snapshots=["other"])), "snapshot-missing"
    )
    assert check.predicts.matches(
        500, "snapshot_restore_exception", "[backups:snap-1] snapshot does not exist"
    )


def test_deletion_and_restore_in_flight() -> None:
    busy = target(
        deletions_in_progress=[DeletionInFlight("backups", ("snap-1",))],
        restores_in_progress=[RestoreInFlight("snap-1", "backups", ("logs-b",))],
    )
    report = run_checks(plan(), snapshot(), busy)
    deleting = only(report, "snapshot-deleting")
    assert deleting.predicts.matches(
        503,
        "concurrent_snapshot_execution_exception",
        "[backups:snap-1/SU] cannot restore a snapshot while a snapshot deletion is in-progress "
        "[SnapshotDeletionsInProgress.Entry[[backups][snap-1][STARTED]]]",
    )
    assert only(report, "restore-in-flight").severity is Severity.WARNING


def test_slm_retention_may_delete_the_snapshot_soon() -> None:
    facts = snapshot(slm_policy="nightly")
    soon = target(
        slm_policies=[SlmPolicyFacts("nightly", "backups", expire_after_ms=2 * DAY + 3_600_000)]
    )
    check = only(run_checks(plan(), facts, soon), "slm-retention")
    assert check.severity is Severity.WARNING and "within 1h" in check.message
    later = target(slm_policies=[SlmPolicyFacts("nightly", "backups", expire_after_ms=30 * DAY)])
    assert not run_checks(plan(), facts, later).by_id("slm-retention")


def test_nothing_to_restore_is_flagged() -> None:
    check = only(run_checks(plan(indices=[]), snapshot(), target()), "selection-empty")
    assert check.severity is Severity.WARNING


def test_global_metadata_summary_from_the_repository_blob() -> None:
    decoded = {
        "meta-data": {
            "version": 12,
            "settings": {"cluster": {"routing": {"allocation": {"enable": "all"}}}},
            "templates": {"legacy": {}},
            "index_template": {"index_template": {"logs": {}}},
            "component_template": {"component_template": {"base": {}}},
            "ingest": {"pipeline": [{"id": "geoip", "config": {}}]},
            "index_lifecycle": {"policies": {"hot": {}}, "operation_mode": "RUNNING"},
        }
    }
    summary = GlobalMetadataSummary.from_metadata(decoded)
    assert summary.templates == ["legacy"]
    assert summary.index_templates == ["logs"]
    assert summary.component_templates == ["base"]
    assert summary.pipelines == ["geoip"]
    assert summary.ilm_policies == ["hot"]
    assert summary.persistent_settings == {"cluster.routing.allocation.enable": "all"}


def test_a_snapshot_sharing_the_targets_index_version_is_not_newer() -> None:
    """9.1.7 writes the same IndexVersion id (9033000) as the 9.1.5 target: ES restores it."""
    same_id = snapshot(version=decode_version_id(9033000))
    assert not run_checks(plan(), same_id, target()).by_id("snapshot-newer")
    newer_id = snapshot(version=decode_version_id(9033001))
    assert only(run_checks(plan(), newer_id, target()), "snapshot-newer").blocking
