"""Following restores through ``_recovery`` on the sandbox, driven by its fixed clock."""

from __future__ import annotations

import aiohttp
import pytest

from esnap_tui.restore.execute import ExpectedIndex
from esnap_tui.restore.monitor import FAILED, RestoreMonitor, find_restores_in_flight
from esnap_tui.sandbox.state import Fault
from tests.restore_sandbox import VirtualTime, client_for, throttled_sandbox


@pytest.fixture
async def sandbox():
    async with throttled_sandbox() as running:
        yield running


async def _restore_by_someone_else(sandbox, body: dict) -> None:
    url = sandbox.clusters["nine"].url + "/_snapshot/backups/snap/_restore"
    async with aiohttp.ClientSession() as session, session.post(url, json=body) as response:
        assert response.status == 200, await response.text()


async def test_a_reattached_monitor_shows_a_restore_started_by_someone_else(sandbox) -> None:
    await _restore_by_someone_else(
        sandbox,
        {"indices": "logs-*", "rename_pattern": "logs-(.+)", "rename_replacement": "other-$1"},
    )
    nine = sandbox.clusters["nine"].cluster
    client = client_for(sandbox, "nine")
    found = await find_restores_in_flight(client)
    assert len(found) == 1
    restore = found[0]
    assert (restore.repository, restore.snapshot) == ("backups", "snap")
    assert restore.indices == ("other-a", "other-b")
    assert restore.restore_uuid

    time = VirtualTime(nine)
    time.cluster.clock.advance(1500)  # we attach while it is well under way
    monitor = await RestoreMonitor.attach(client, restore, interval=1.0, clock=time.clock,
                                          sleep=time.sleep)
    assert [(e.name, e.source, e.primary_shards) for e in monitor.expected] == [
        ("other-a", "logs-a", 2),
        ("other-b", "logs-b", 1),
    ]
    seen = [p async for p in monitor]
    first, last = seen[0], seen[-1]
    assert 0 < first.recovered_bytes < first.total_bytes
    assert first.throughput_bps  # from the cluster's own timers: no earlier observation
    assert last.done and last.verification is not None and last.verification.ok
    assert await find_restores_in_flight(client) == []
    await client.close()


async def test_a_failed_shard_ends_the_watch_and_fails_verification(sandbox) -> None:
    nine = sandbox.clusters["nine"].cluster
    nine.extensions["restore_shard_failures"] = [{"index": "broken-b", "at": 0.5}]
    await _restore_by_someone_else(
        sandbox,
        {"indices": "logs-b", "rename_pattern": "logs-(.+)", "rename_replacement": "broken-$1"},
    )
    client = client_for(sandbox, "nine")
    time = VirtualTime(nine)
    monitor = RestoreMonitor(client, "backups", "snap", [ExpectedIndex("broken-b", "logs-b", 1)],
                             interval=1.0, clock=time.clock, sleep=time.sleep, verify_attempts=2)
    seen = [p async for p in monitor]
    last = seen[-1]
    assert last.done  # nothing left to wait for
    assert last.indices[0].stage == FAILED
    assert last.verification is not None and not last.verification.ok
    assert last.verification.problems == ["broken-b: health is red"]
    await client.close()


async def test_polling_backs_off_while_the_cluster_does_not_answer(sandbox) -> None:
    nine = sandbox.clusters["nine"].cluster
    await _restore_by_someone_else(
        sandbox,
        {"indices": "logs-b", "rename_pattern": "logs-(.+)", "rename_replacement": "slow-$1"},
    )
    outage = Fault(path="/*/_recovery", status=503, error_type="cluster_block_exception",
                   reason="blocked")
    nine.faults.append(outage)
    client = client_for(sandbox, "nine")
    client.read_retries = 0
    time = VirtualTime(nine)
    monitor = RestoreMonitor(client, "backups", "snap", [ExpectedIndex("slow-b", "logs-b", 1)],
                             interval=1.0, max_interval=4.0, clock=time.clock, sleep=time.sleep)
    progress = []
    async for item in monitor:
        progress.append(item)
        if len(progress) == 4:
            nine.faults.remove(outage)
    assert [p.error is not None for p in progress[:4]] == [True] * 4
    assert time.slept[:4] == [2.0, 4.0, 4.0, 4.0]  # doubling, capped
    assert progress[-1].done and progress[-1].verification.ok
    polls = nine.received("GET", "/*/_recovery")
    assert len(polls) == len(progress)  # one request per observation, never more
    await client.close()
