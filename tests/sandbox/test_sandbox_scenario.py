"""Scenarios: parsing with precise errors, repositories written in the on-disk format, config."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from esnap_tui.config import load_config
from esnap_tui.models import SnapshotState
from esnap_tui.repository.reader import RepositoryReader
from esnap_tui.sandbox import Sandbox, Scenario, ScenarioError, load_scenario, running_sandbox
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
