"""Executing a restore plan against the sandbox over real HTTP: sent once, reconciled, audited."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from esnap_tui.restore import AuditLog, RestorePlan, run_checks
from esnap_tui.restore.execute import (
    ExecutionRefused,
    Outcome,
    close_index,
    execute_restore,
    expected_indices,
    register_repository_readonly,
    take_safety_snapshot,
)
from esnap_tui.restore.gather import gather_snapshot_facts, gather_target_facts
from esnap_tui.restore.monitor import RestoreMonitor
from esnap_tui.sandbox.state import Fault
from tests.restore_sandbox import VirtualTime, client_for, throttled_sandbox

RESTORE_PATH = "/_snapshot/*/*/_restore"


@pytest.fixture
async def sandbox():
    async with throttled_sandbox() as running:
        yield running


@pytest.fixture
def audit(tmp_path: Path) -> AuditLog:
    return AuditLog(tmp_path / "audit.jsonl")


async def _prepare(sandbox, plan: RestorePlan, **client_config):
    client = client_for(sandbox, "nine", **client_config)
    target = await gather_target_facts(client, repository="backups", snapshot=plan.snapshot,
                                       global_state=plan.include_global_state)
    snap = await gather_snapshot_facts("backups", plan.snapshot, source=client, target=target)
    report = run_checks(plan, snap, target)
    return client, snap, report


PLAN = RestorePlan(
    repository="backups",
    snapshot="snap",
    target_cluster="nine",
    source_cluster="nine",
    indices=["logs-a", "logs-b"],
    rename_pattern="(.+)",
    rename_replacement="restored-$1",
)


async def test_two_renamed_indices_restore_into_9x_and_finish(sandbox, audit) -> None:
    nine = sandbox.clusters["nine"].cluster
    client, snap, report = await _prepare(sandbox, PLAN)
    assert report.can_proceed, [r.message for r in report.blockers]
    expected = expected_indices(report, snap)
    assert [(e.name, e.source, e.primary_shards) for e in expected] == [
        ("restored-logs-a", "logs-a", 2),
        ("restored-logs-b", "logs-b", 1),
    ]
    result = await execute_restore(client, PLAN, audit=audit, report=report, expected=expected)
    assert result.outcome is Outcome.STARTED and not result.reconciled

    time = VirtualTime(nine)
    monitor = RestoreMonitor(client, "backups", "snap", expected, interval=1.0,
                             clock=time.clock, sleep=time.sleep)
    seen = [progress async for progress in monitor]
    recovered = [p.recovered_bytes for p in seen]
    assert recovered == sorted(recovered) and recovered[-1] > recovered[0]
    assert any(0 < p.percent < 100 and p.eta_seconds and p.throughput_bps for p in seen)
    last = seen[-1]
    assert last.done and last.stage == "DONE"
    assert [i.stage for i in last.indices] == ["DONE", "DONE"]
    assert last.recovered_bytes == last.total_bytes >= 6 * 1024 * 1024
    assert last.verification is not None and last.verification.ok, last.verification
    assert [(c.name, c.primary_shards) for c in last.verification.checks] == [
        ("restored-logs-a", 2),
        ("restored-logs-b", 1),
    ]
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    events = [e["event"] for e in audit.entries()]
    assert events == ["attempt", "outcome"]
    assert audit.entries()[0]["request"]["body"]["rename_replacement"] == "restored-$1"
    assert audit.entries()[1]["result"]["outcome"] == "started"
    await client.close()


async def test_open_index_conflict_is_caught_before_sending_then_renamed(sandbox, audit) -> None:
    nine = sandbox.clusters["nine"].cluster
    plan = replace(PLAN, indices=["logs-a"], rename_pattern=None, rename_replacement=None)
    client, snap, report = await _prepare(sandbox, plan)
    conflict = report.by_id("conflict-open-index")
    assert conflict and conflict[0].blocking
    with pytest.raises(ExecutionRefused, match="blocking"):
        await execute_restore(client, plan, audit=audit, report=report,
                              expected=expected_indices(report, snap))
    assert nine.received("POST", RESTORE_PATH) == []  # nothing was sent
    assert audit.entries()[-1]["event"] == "refused-locally"

    rename = next(a for a in conflict[0].actions if a.kind == "rename")
    fixed = plan.with_rename(rename.params["rename_pattern"], rename.params["rename_replacement"])
    client2, snap, report = await _prepare(sandbox, fixed)
    assert report.can_proceed, [r.message for r in report.blockers]
    result = await execute_restore(client2, fixed, audit=audit, report=report,
                                   expected=expected_indices(report, snap))
    assert result.started
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    assert nine.index("logs-a").uuid != nine.index(result.expected[0].name).uuid
    await client.close()
    await client2.close()


@pytest.mark.parametrize(
    "fault",
    [
        Fault(path="/_snapshot/backups/snap/_restore", method="POST", latency_ms=30_000,
              after=True),
        Fault(path="/_snapshot/backups/snap/_restore", method="POST", drop=True, after=True),
    ],
    ids=["timeout", "dropped-connection"],
)
async def test_a_lost_answer_is_reconciled_not_resent(sandbox, audit, fault) -> None:
    nine = sandbox.clusters["nine"].cluster
    nine.faults.append(fault)
    client, snap, report = await _prepare(sandbox, PLAN)
    result = await execute_restore(
        client, PLAN, audit=audit, report=report, expected=expected_indices(report, snap),
        timeout=0.3,
    )
    assert result.outcome is Outcome.STARTED
    assert result.reconciled and result.evidence
    assert result.restore_uuid is not None
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    restores = {i.restored_from["restoreUUID"] for i in nine.state.indices.values()
                if i.restored_from}
    assert restores == {result.restore_uuid}  # exactly one restore exists
    assert [e["event"] for e in audit.entries()] == ["attempt", "no-answer", "reconciled"]
    await client.close()


async def test_no_answer_and_no_sign_of_it_is_unknown(sandbox, audit) -> None:
    nine = sandbox.clusters["nine"].cluster
    # dropped before the cluster acted: nothing started, but esnap cannot know that
    nine.faults.append(Fault(path="/_snapshot/backups/snap/_restore", method="POST", drop=True))
    client, snap, report = await _prepare(sandbox, PLAN)
    time = VirtualTime(nine)
    result = await execute_restore(
        client, PLAN, audit=audit, report=report, expected=expected_indices(report, snap),
        reconcile_attempts=3, reconcile_interval=2.0, sleep=time.sleep,
    )
    assert result.outcome is Outcome.UNKNOWN
    assert "check the cluster" in result.message and "not resent" in result.message
    assert time.slept == [2.0, 2.0]
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    await client.close()


async def test_a_refusal_is_reported_with_the_clusters_error(sandbox, audit) -> None:
    plan = replace(PLAN, indices=["logs-a"], rename_pattern=None, rename_replacement=None)
    client, _snap, report = await _prepare(sandbox, plan)
    result = await execute_restore(client, plan, audit=audit)  # no report: the cluster decides
    assert result.outcome is Outcome.REFUSED
    assert (result.status, result.error_type) == (500, "snapshot_restore_exception")
    assert "open index with same name" in result.message
    assert report.predicted(result.status, result.error_type, result.reason)
    assert audit.entries()[-1]["result"]["outcome"] == "refused"
    await client.close()


async def test_read_only_and_protected_clusters_never_send(sandbox, audit) -> None:
    nine = sandbox.clusters["nine"].cluster
    client, snap, report = await _prepare(sandbox, PLAN, read_only=True)
    with pytest.raises(ExecutionRefused, match="read_only"):
        await execute_restore(client, PLAN, audit=audit, report=report)
    with pytest.raises(ExecutionRefused, match="read_only"):
        await close_index(client, "logs-a", audit=audit)
    assert nine.index("logs-a").state == "open"
    protected, _, _ = await _prepare(sandbox, PLAN, protected=True)
    with pytest.raises(ExecutionRefused, match="protected"):
        await execute_restore(protected, PLAN, audit=audit, report=report, confirmation="sna")
    result = await execute_restore(protected, PLAN, audit=audit, report=report,
                                   confirmation="snap", expected=expected_indices(report, snap))
    assert result.started
    assert len(nine.received("POST", RESTORE_PATH)) == 1
    await client.close()
    await protected.close()


async def test_confirmed_side_steps_close_register_and_safety_snapshot(sandbox, audit) -> None:
    nine = sandbox.clusters["nine"].cluster
    client = client_for(sandbox, "nine")
    await take_safety_snapshot(client, "backups", ["logs-a"], audit=audit, name="before-restore")
    async with aiohttp.ClientSession() as session:
        url = sandbox.clusters["nine"].url + "/_snapshot/backups/before-restore"
        async with session.get(url) as response:
            body = await response.json()
    assert body["snapshots"][0]["indices"] == ["logs-a"]
    await close_index(client, "logs-a", audit=audit)
    assert nine.index("logs-a").state == "close"
    location = sandbox.clusters["nine"].repositories["backups"]
    with pytest.raises(ExecutionRefused, match="already has"):
        await register_repository_readonly(client, "backups", "fs", {"location": location},
                                           audit=audit)
    await register_repository_readonly(client, "backups-ro", "fs", {"location": location},
                                       audit=audit)
    assert nine.repositories["backups-ro"].readonly
    with pytest.raises(ExecutionRefused, match="read-only"):
        await take_safety_snapshot(client, "backups-ro", ["logs-a"], audit=audit)
    events = [e["event"] for e in audit.entries()]
    assert events == [
        "safety-snapshot:attempt", "safety-snapshot:outcome",
        "close-index:attempt", "close-index:outcome",
        "register-repository:attempt", "register-repository:outcome",
    ]
    assert all(i.state != "deleted" for i in nine.state.indices.values())
    assert nine.index("logs-a") is not None  # closed, never deleted
    await client.close()


async def test_a_global_state_plan_shows_what_it_overwrites(sandbox) -> None:
    eight = sandbox.clusters["eight"].cluster
    eight.state.persistent_settings.update({"cluster.routing.allocation.enable": "primaries",
                                            "action.auto_create_index": "false"})
    eight.state.templates["old-logs"] = {"index_patterns": ["old-*"], "order": 0}
    eight.state.templates["shared"] = {"index_patterns": ["shared-*"], "order": 1}
    nine = sandbox.clusters["nine"].cluster
    nine.state.templates["shared"] = {"index_patterns": ["shared-*"], "order": 2}
    async with aiohttp.ClientSession() as session:
        url = sandbox.clusters["eight"].url + "/_snapshot/backups/with-state"
        async with session.put(url + "?wait_for_completion=true",
                               json={"indices": "-*", "include_global_state": True}) as r:
            assert r.status == 200, await r.text()
    plan = RestorePlan(repository="backups", snapshot="with-state", target_cluster="nine",
                       include_global_state=True)
    _, _, report = await _prepare(sandbox, plan)
    overwrite = report.by_id("global-state-overwrite")
    assert overwrite, [r.id for r in report.results]
    details = "\n".join(overwrite[0].details)
    assert "legacy templates: overwrites shared; adds old-logs" in details
    assert "cluster.routing.allocation.enable" in details
    assert "indices.recovery.max_bytes_per_sec" in details  # removed by the restore
    assert any(a.kind == "safety-snapshot" for a in overwrite[0].actions)
