"""``esnap restore`` against the sandbox (running in a thread, wall clock: restores are small)."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import yaml

from esnap_tui.cli import main
from esnap_tui.sandbox import Scenario, running_sandbox
from tests.restore_sandbox import SCENARIO

RESTORE_PATH = "/_snapshot/*/*/_restore"


@pytest.fixture(scope="module")
def sandbox():
    with running_sandbox(Scenario.from_dict(SCENARIO)) as running:
        yield running


@pytest.fixture
def config(sandbox, tmp_path: Path) -> Path:
    path = sandbox.write_config(tmp_path / "clusters.yaml")
    data = yaml.safe_load(path.read_text())
    guarded = dict(next(c for c in data["clusters"] if c["name"] == "nine"))
    data["clusters"].append({**guarded, "name": "nine-protected", "protected": True})
    data["clusters"].append({**guarded, "name": "nine-ro", "read_only": True})
    path.write_text(yaml.safe_dump(data))
    return path


def esnap(capsys, config: Path, tmp_path: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def restore_args(tmp_path: Path, *extra: str, target: str = "nine") -> list[str]:
    return ["restore", "--cluster", "nine", "--target", target, "--repo", "backups",
            "--snapshot", "snap", "--audit-log", str(tmp_path / "audit.jsonl"), *extra]


def restores_received(sandbox) -> int:
    return len(sandbox.clusters["nine"].cluster.received("POST", RESTORE_PATH))


def http(method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def test_plan_with_an_open_index_conflict_exits_3_and_sends_nothing(
    sandbox, config, tmp_path, capsys
) -> None:
    before = restores_received(sandbox)
    code, out, _ = esnap(capsys, config, tmp_path,
                         *restore_args(tmp_path, "--indices", "logs-a", "--plan"))
    assert code == 3
    first_check = next(line for line in out.splitlines() if line.startswith("  ["))
    assert "[BLOCKER]" in first_check and "logs-a already exists and is open" in first_check
    assert "POST _snapshot/backups/snap/_restore?wait_for_completion=false" in out
    assert "curl -sS -X POST" in out
    assert restores_received(sandbox) == before


def test_plan_json_with_rename_can_proceed(sandbox, config, tmp_path, capsys) -> None:
    code, out, _ = esnap(capsys, config, tmp_path, *restore_args(
        tmp_path, "--indices", "logs-a,logs-b", "--rename-pattern", "(.+)",
        "--rename-replacement", "plan-$1", "--replicas-zero", "--plan", "--json"))
    assert code == 0, out
    doc = json.loads(out)
    assert doc["can_proceed"] is True
    assert doc["request"]["body"]["index_settings"] == {"index.number_of_replicas": 0}
    assert [(r["source"], r["target"]) for r in doc["rename"]] == [
        ("logs-a", "plan-logs-a"), ("logs-b", "plan-logs-b")]


def test_execute_needs_yes_when_not_interactive(sandbox, config, tmp_path, capsys) -> None:
    before = restores_received(sandbox)
    code, _, err = esnap(capsys, config, tmp_path, *restore_args(
        tmp_path, "--indices", "logs-b", "--rename-pattern", "(.+)",
        "--rename-replacement", "noyes-$1", "--execute"))
    assert code == 4 and "--yes" in err
    assert restores_received(sandbox) == before


def test_read_only_and_protected_targets_refuse(sandbox, config, tmp_path, capsys) -> None:
    before = restores_received(sandbox)
    rename = ("--indices", "logs-b", "--rename-pattern", "(.+)", "--rename-replacement", "g-$1")
    code, _, err = esnap(capsys, config, tmp_path, "--read-only",
                         *restore_args(tmp_path, *rename, "--execute", "--yes"))
    assert code == 4 and "read-only" in err
    code, _, err = esnap(capsys, config, tmp_path,
                         *restore_args(tmp_path, *rename, "--execute", "--yes",
                                       target="nine-ro"))
    assert code == 4 and "read_only" in err
    code, _, err = esnap(capsys, config, tmp_path, *restore_args(
        tmp_path, *rename, "--execute", "--yes", "--confirm-snapshot", "Snap",
        target="nine-protected"))
    assert code == 4 and "protected" in err
    assert restores_received(sandbox) == before
    events = [json.loads(line)["event"]
              for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert events == ["refused-locally"] * 3


def test_execute_restores_two_renamed_indices_and_verifies(
    sandbox, config, tmp_path, capsys
) -> None:
    before = restores_received(sandbox)
    code, out, err = esnap(capsys, config, tmp_path, *restore_args(
        tmp_path, "--indices", "logs-a", "logs-b", "--rename-pattern", "(.+)",
        "--rename-replacement", "cli-$1", "--execute", "--yes", "--interval", "0.05",
        "--confirm-snapshot", "snap", target="nine-protected"))
    assert code == 0, out + err
    assert "restore: restore of snap started on nine-protected" in out
    progress = [line for line in out.splitlines() if line.startswith("snap: ")]
    assert progress and progress[-1].startswith("snap: DONE 100.0%")
    assert re.search(r"cli-logs-a: (green|yellow), 2 primary shards: ok", out)
    assert re.search(r"cli-logs-b: (green|yellow), 1 primary shards: ok", out)
    assert "verified: every restored index is there and healthy" in out
    assert restores_received(sandbox) == before + 1
    events = [json.loads(line)["event"]
              for line in (tmp_path / "audit.jsonl").read_text().splitlines()]
    assert events == ["attempt", "outcome"]


def test_watch_reattaches_to_a_restore_started_elsewhere(sandbox, config, tmp_path, capsys) -> None:
    url = sandbox.clusters["nine"].url
    settings = sandbox.clusters["nine"].cluster.state.persistent_settings
    settings["indices.recovery.max_bytes_per_sec"] = "4mb"  # ~1 s: still running when we look
    http("POST", url + "/_snapshot/backups/snap/_restore",
         {"indices": "logs-b", "rename_pattern": "(.+)", "rename_replacement": "elsewhere-$1"})
    try:
        code, out, err = esnap(capsys, config, tmp_path, "restore", "--watch", "--cluster",
                               "nine", "--interval", "0.05", "--json")
    finally:
        settings.pop("indices.recovery.max_bytes_per_sec")
    assert code == 0, out + err
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    assert "progress" in kinds
    assert kinds[0] == "attached" and kinds[-1] == "verified"
    assert events[0]["restore"]["indices"] == ["elsewhere-logs-b"]
    assert events[-1]["ok"] is True


def test_global_state_plan_lists_what_it_overwrites(sandbox, config, tmp_path, capsys) -> None:
    eight = sandbox.clusters["eight"]
    eight.cluster.state.templates["from-eight"] = {"index_patterns": ["e-*"], "order": 0}
    eight.cluster.state.persistent_settings["action.auto_create_index"] = "false"
    http("PUT", eight.url + "/_snapshot/backups/cli-state?wait_for_completion=true",
         {"indices": "-*", "include_global_state": True})
    code, out, _ = esnap(capsys, config, tmp_path, "restore", "--cluster", "nine", "--repo",
                         "backups", "--snapshot", "cli-state", "--include-global-state", "--plan")
    assert code == 0, out
    assert "global state overwrites cluster-wide configuration of nine" in out
    assert "legacy templates: adds from-eight" in out
    assert "action.auto_create_index" in out
    assert '"include_global_state": true' in out
