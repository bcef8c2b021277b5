"""Scenarios: parsing with precise errors, repositories written in the on-disk format, config."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from esnap_tui.config import load_config
from esnap_tui.models import SnapshotState
from esnap_tui.repository.reader import RepositoryReader
from esnap_tui.sandbox import (
    Sandbox,
    Scenario,
    ScenarioError,
    load_scenario,
    recovery,
    running_sandbox,
)
from esnap_tui.sandbox.builder import build
from esnap_tui.sandbox.scenario import parse_duration_ms, parse_size


def test_bad_key_names_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "clusters:\n"
        "  - name: a\n"
        "    dialect: es-8.15\n"
        "    colour: blue\n",
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}:4: clusters[0].colour: unknown key")


def test_unknown_dialect_is_reported_with_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("clusters:\n  - name: a\n    dialect: es-5.0\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:3: clusters[0].dialect: unknown dialect 'es-5.0'")
    assert "es-9.1" in message


def test_invalid_yaml_and_bad_values(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("clusters: [\n  - name: a\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"broken\.yaml:\d+: invalid YAML"):
        load_scenario(path)
    with pytest.raises(ScenarioError, match=r"clusters\[0\]\.indices\[0\]\.size: not a size"):
        Scenario.from_dict({"clusters": [{"name": "a", "dialect": "es-9.1",
                                          "indices": [{"name": "i", "size": "huge"}]}]})
    with pytest.raises(ScenarioError, match="no cluster named 'nope'"):
        Scenario.from_dict({"clusters": [{"name": "a", "dialect": "es-9.1"}],
                            "repositories": [{"path": "r", "snapshots": [
                                {"name": "s", "indices_from": "nope"}]}]})


def test_unknown_packaged_scenario_lists_the_packaged_ones() -> None:
    with pytest.raises(ScenarioError, match=r"packaged: .*demo.*small"):
        load_scenario("nope")


def test_sizes_and_durations() -> None:
    assert parse_size("1.5gb") == 1536 * 1024**2
    assert parse_size("200kb") == 200 * 1024
    assert parse_size(12) == 12
    assert parse_duration_ms("1d") == 86_400_000
    assert parse_duration_ms("90s") == 90_000


def test_small_scenario_writes_a_repository_the_reader_understands(tmp_path: Path) -> None:
    built = build(load_scenario("small"), tmp_path, fixed_clock=True)
    reader = RepositoryReader(tmp_path / "repos" / "shared")
    snapshots = {s.name: s for s in reader.snapshots()}
    assert len(snapshots) == 8
    assert snapshots["partial-1"].state is SnapshotState.PARTIAL
    assert snapshots["failed-1"].state is SnapshotState.FAILED
    nightly = sorted(n for n in snapshots if n.startswith("nightly-"))
    assert nightly[0].startswith("nightly-2026.01.01-")
    # the index metadata in the repository carries the created version of the live index
    prod = built["prod"].cluster
    stored = {i.name: i for i in reader.indices("manual-1")}
    assert stored["metrics-old"].settings["index.version.created"] == str(
        prod.index("metrics-old").created_version_id
    )
    # system indices travel in feature states (9.1 writer), data stream backing indices too
    detail = reader.snapshot("manual-1")
    assert [f.feature_name for f in detail.feature_states] == ["security"]
    assert detail.data_streams == ["logs-app-default"]


def test_fixed_clock_builds_identical_repositories(tmp_path: Path) -> None:
    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    build(load_scenario("small"), tmp_path / "a", fixed_clock=True)
    build(load_scenario("small"), tmp_path / "b", fixed_clock=True)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


async def test_write_config_is_a_valid_esnap_config(tmp_path: Path) -> None:
    async with Sandbox("small", fixed_clock=True) as running:
        path = running.write_config(tmp_path / "clusters.yaml")
        config = load_config(path)
        by_name = {c.name: c for c in config.clusters}
        assert set(by_name) == set(running.clusters)
        assert by_name["prod"].urls == [running.clusters["prod"].url]
        assert by_name["secure"].username == "elastic"
        assert by_name["secure"].password_env == "ESNAP_SANDBOX_SECURE_PASSWORD"
        assert running.secrets() == {"ESNAP_SANDBOX_SECURE_PASSWORD": "changeme"}
        assert "changeme" not in path.read_text(encoding="utf-8")
        assert by_name["es8"].repositories["shared"] == str(running.root / "repos" / "shared")


def test_demo_scenario_has_the_promised_estate(tmp_path: Path) -> None:
    scenario = load_scenario("demo")
    dialects = {c.name: c.dialect.name for c in scenario.clusters}
    assert dialects == {"prod-eu": "es-9.1", "analytics": "es-8.15", "legacy": "es-6.8",
                        "search7": "es-7.13", "opensearch": "os-2.11", "dr-eu": "es-9.1"}
    built = build(scenario, tmp_path, fixed_clock=True)
    assert built["prod-eu"].cluster.users == {"elastic": "demo-prod-password"}
    nightly = RepositoryReader(tmp_path / "mounts" / "nightly")
    states = {s.state for s in nightly.snapshots()}
    assert states == {SnapshotState.SUCCESS, SnapshotState.PARTIAL, SnapshotState.FAILED}
    assert len(nightly.snapshots()) > 200
    created = {i.name: i.created for i in nightly.indices("legacy-import-2026")}
    assert created["logstash-2017.11"] is not None and created["logstash-2017.11"].low.major == 5
    # the DR cluster mounts the same directories, readonly
    dr = built["dr-eu"].cluster.repositories
    assert dr["prod-nightly"].readonly
    assert dr["prod-nightly"].path == (tmp_path / "mounts" / "nightly").resolve()


def test_sync_helper_serves_from_a_background_thread() -> None:
    with (
        running_sandbox("small", fixed_clock=True) as running,
        urllib.request.urlopen(running.clusters["es6"].url + "/") as response,
    ):
        assert json.loads(response.read())["version"]["number"] == "6.8.23"


RESTORE_KEYS = """\
clusters:
  - name: a
    dialect: es-9.1
    recovery:
      max_bytes_per_sec: 20mb
      node_concurrent_recoveries: 4
    restore_shard_failures:
      - {index: "broken-*", shard: 1, at: 0.25, reason: disk died}
      - {index: "flaky"}
    snapshot_delete_ms: 5s
  - name: b
    dialect: es-7.17
"""


def test_restore_keys_reach_the_cluster_route_modules(tmp_path: Path) -> None:
    path = tmp_path / "keys.yaml"
    path.write_text(RESTORE_KEYS, encoding="utf-8")
    built = build(load_scenario(path), tmp_path, fixed_clock=True)
    a, b = built["a"].cluster, built["b"].cluster
    assert recovery.node_bandwidth(a) == 20 * 1024**2
    assert recovery.node_slots(a) == 4
    faults = recovery.failure_faults(a)
    assert [(f.index, f.shard, f.at, f.reason) for f in faults] == [
        ("broken-*", 1, 0.25, "disk died"),
        ("flaky", None, 0.5, "simulated restore failure"),
    ]
    assert a.extensions["snapshot_delete_ms"] == 5000
    # a cluster without the keys keeps Elasticsearch's defaults and no faults
    assert recovery.node_bandwidth(b) == recovery.DEFAULT_MAX_BYTES_PER_SEC
    assert recovery.node_slots(b) == recovery.DEFAULT_CONCURRENT
    assert recovery.failure_faults(b) == []
    assert "snapshot_delete_ms" not in b.extensions


@pytest.mark.parametrize(
    ("replace", "by", "expected"),
    [
        ("max_bytes_per_sec: 20mb", "max_bytes_per_sec: fast",
         ":5: clusters[0].recovery.max_bytes_per_sec: not a size: 'fast'"),
        ("max_bytes_per_sec: 20mb", "max_bytes_per_sec: 0",
         ":5: clusters[0].recovery.max_bytes_per_sec: must be more than 0 bytes"),
        ("node_concurrent_recoveries: 4", "node_concurrent_recoveries: 0",
         ":6: clusters[0].recovery.node_concurrent_recoveries: must be at least 1"),
        ("node_concurrent_recoveries: 4", "node_concurrent_recoveries: two",
         ":6: clusters[0].recovery.node_concurrent_recoveries: not a whole number: 'two'"),
        ("node_concurrent_recoveries: 4", "slots: 4",
         ":6: clusters[0].recovery.slots: unknown key (known: max_bytes_per_sec, "
         "node_concurrent_recoveries)"),
        ("at: 0.25", "at: 2",
         ":8: clusters[0].restore_shard_failures[0].at: must be from 0 to 1, got 2"),
        ("shard: 1", "shard: -1",
         ":8: clusters[0].restore_shard_failures[0].shard: must be 0 or more"),
        ('{index: "flaky"}', "{shard: 2}",
         ":9: clusters[0].restore_shard_failures[1].index: missing"),
        ('{index: "flaky"}', "{index: x, when: now}",
         ":9: clusters[0].restore_shard_failures[1].when: unknown key"),
        ("snapshot_delete_ms: 5s", "snapshot_delete_ms: -5",
         ":10: clusters[0].snapshot_delete_ms: must not be negative"),
        ("snapshot_delete_ms: 5s", "snapshot_delete_ms: soon",
         ":10: clusters[0].snapshot_delete_ms: not a duration: 'soon'"),
        ("    recovery:\n      max_bytes_per_sec: 20mb\n      node_concurrent_recoveries: 4\n",
         "    recovery: fast\n\n\n", ":4: clusters[0].recovery: must be a mapping"),
    ],
)
def test_restore_keys_are_validated_with_file_line_and_field(
    tmp_path: Path, replace: str, by: str, expected: str
) -> None:
    assert replace in RESTORE_KEYS
    path = tmp_path / "keys.yaml"
    path.write_text(RESTORE_KEYS.replace(replace, by), encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert str(caught.value).startswith(f"{path}{expected}")


async def test_demo_restore_of_a_few_hundred_mb_takes_tens_of_seconds() -> None:
    """The demo runs on a real clock: a 200 MB restore must last long enough to watch."""
    import aiohttp

    async with Sandbox(load_scenario("demo"), fixed_clock=True) as running:
        search7 = running.clusters["search7"]
        clock = search7.cluster.clock
        async with aiohttp.ClientSession() as http:
            async with http.get(search7.url + "/_snapshot/search7-backups/_all") as response:
                snapshots = (await response.json())["snapshots"]
            newest = [s["snapshot"] for s in snapshots if s["state"] == "SUCCESS"][-1]
            async with http.post(
                f"{search7.url}/_snapshot/search7-backups/{newest}/_restore",
                json={"indices": "suggestions", "rename_pattern": "(.+)",
                      "rename_replacement": "restored-$1"},
            ) as response:
                assert response.status == 200

            async def primary() -> dict:
                async with http.get(search7.url + "/restored-suggestions/_recovery") as response:
                    shards = (await response.json())["restored-suggestions"]["shards"]
                return next(s for s in shards if s["primary"])

            clock.advance(10_000)
            halfway = await primary()
            assert halfway["stage"] == "INDEX"
            assert halfway["index"]["size"]["total_in_bytes"] == 200 * 1024**2
            assert 0.3 < halfway["index"]["size"]["recovered_in_bytes"] / (200 * 1024**2) < 0.7
            clock.advance(30_000)
            assert (await primary())["stage"] == "DONE"
