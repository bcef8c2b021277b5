"""`esnap ls` and `esnap show` as a script would call them, against the sandbox (in a thread)."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from esnap_tui.cli import main
from esnap_tui.sandbox import Sandbox, Scenario, running_sandbox

PASSWORD = "cli-test-password"


def unused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


SCENARIO = {
    "seed": 9,
    "now": "2026-01-15T12:00:00Z",
    "clusters": [
        {"name": "old", "dialect": "es-6.8",
         "repositories": [{"name": "backups", "path": "repos/old"}]},
        {"name": "new", "dialect": "es-9.1",
         "indices": [{"name": "logs", "docs": 5, "size": "5kb"}],
         "repositories": [{"name": "backups", "path": "repos/new"}]},
        {"name": "search", "dialect": "os-2.11"},
        {"name": "secure", "dialect": "es-8.15",
         "credentials": {"username": "elastic", "password": PASSWORD}},
    ],
    "repositories": [
        {"path": "repos/old", "snapshots": [
            {"generate": {"count": 5, "name": "weekly", "every": "7d",
                          "start": "2025-12-01T00:00:00Z", "indices": ["legacy"]}}]},
        {"path": "repos/new", "snapshots": [
            {"name": "manual-1", "start": "2026-01-10T08:00:00Z", "duration": "90s",
             "indices": [{"name": "logs", "shards": 2}], "metadata": {"by": "ops"},
             "failures": [{"index": "logs", "shard": 0, "reason": "disk full"}],
             "state": "PARTIAL"}]},
    ],
}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    with running_sandbox(Scenario.from_dict(SCENARIO), fixed_clock=True) as running:
        yield running


@pytest.fixture
def config(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = sandbox.write_config(tmp_path / "clusters.yaml")
    for name, value in sandbox.secrets().items():
        monkeypatch.setenv(name, value)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ls_clusters_json_shows_every_cluster(config: Path, capsys) -> None:
    code, out, _ = run(capsys, "--config", str(config), "ls", "clusters", "--json")
    assert code == 0
    rows = {row["name"]: row for row in json.loads(out)["clusters"]}
    assert {name: (r["status"], r["product"], r["version"]) for name, r in rows.items()} == {
        "old": ("ok", "Elasticsearch", "6.8.23"),
        "new": ("ok", "Elasticsearch", "9.1.5"),
        "search": ("ok", "OpenSearch", "2.11.1"),
        "secure": ("ok", "Elasticsearch", "8.15.5"),
    }
    assert PASSWORD not in out


def test_ls_clusters_text_names_a_stopped_cluster(
    config: Path, tmp_path: Path, capsys
) -> None:
    data = yaml.safe_load(config.read_text())
    url = f"http://127.0.0.1:{unused_port()}"
    data["clusters"].append({"name": "gone", "url": url})
    broken = tmp_path / "with-gone.yaml"
    broken.write_text(yaml.safe_dump(data))
    code, out, _ = run(capsys, "ls", "clusters", "--config", str(broken))
    assert code == 0
    gone = next(line for line in out.splitlines() if line.startswith("gone"))
    assert gone.split()[1] == "refused" and gone.endswith(f"connection refused at {url}")
    new = next(line for line in out.splitlines() if line.startswith("new "))
    assert new.split()[1:4] == ["ok", "Elasticsearch", "9.1.5"]


def test_ls_repos_lists_each_cluster_and_local_path(config: Path, sandbox: Sandbox, capsys) -> None:
    code, out, _ = run(capsys, "--config", str(config), "ls", "repos", "--json")
    assert code == 0
    repos = {(r["cluster"], r["name"]): r for r in json.loads(out)["repositories"]}
    assert set(repos) == {("old", "backups"), ("new", "backups")}
    local = repos[("new", "backups")]["local_path"]
    assert local == sandbox.clusters["new"].repositories["backups"]


def test_ls_snapshots_newest_first_with_limit(config: Path, capsys) -> None:
    code, out, _ = run(
        capsys, "--config", str(config), "ls", "snapshots", "--cluster", "old",
        "--repo", "backups", "--json", "--limit", "3",
    )
    assert code == 0
    items = json.loads(out)
    assert len(items) == 3
    starts = [item["start_time_ms"] for item in items]
    assert starts == sorted(starts, reverse=True)
    assert all(item["version"] == "6.8.23" for item in items)


def test_ls_snapshots_of_an_offline_repository(
    sandbox: Sandbox, tmp_path: Path, capsys
) -> None:
    path = sandbox.clusters["old"].repositories["backups"]
    config = tmp_path / "offline.yaml"
    config.write_text(yaml.safe_dump({"offline": [{"name": "archive", "path": path}]}))
    code, out, _ = run(capsys, "--config", str(config), "ls", "snapshots", "--repo", "archive")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["SNAPSHOT", "STATE", "VERSION"]
    assert len(lines) == 6 and all("SUCCESS" in line for line in lines[1:])


def test_show_snapshot_text_and_json(config: Path, capsys) -> None:
    args = ("--config", str(config), "show", "--cluster", "new", "--repo", "backups",
            "--snapshot", "manual-1")
    code, out, _ = run(capsys, *args)
    assert code == 0
    assert "state         PARTIAL" in out
    assert "duration      1m30s" in out
    assert "shards        1/2 successful, 1 failed" in out
    assert "logs[0]" in out and "disk full" in out
    code, out, _ = run(capsys, *args, "--json")
    detail = json.loads(out)
    assert detail["index_details"]["logs"]["shard_count"] == 2
    assert detail["metadata"] == {"by": "ops"}
    assert detail["duration_ms"] == 90_000


def test_unknown_cluster_and_missing_snapshot_fail_clearly(config: Path, capsys) -> None:
    code, _, err = run(capsys, "--config", str(config), "ls", "snapshots", "--cluster", "nope",
                       "--repo", "backups")
    assert code == 2 and "no cluster named 'nope'" in err
    code, _, err = run(capsys, "--config", str(config), "show", "--cluster", "new", "--repo",
                       "backups", "--snapshot", "nope")
    assert code == 1 and "HTTP 404" in err and err[-1] == "\n" and err.count("\n") == 1


def test_bad_config_is_one_message(tmp_path: Path, capsys) -> None:
    config = tmp_path / "clusters.yaml"
    config.write_text("clusters:\n  - name: a\n    url: http://h\n    verify: no\n")
    code, out, err = run(capsys, "--config", str(config), "ls", "clusters")
    assert code == 1 and out == ""
    assert err == f"esnap: {config}:4: clusters[0].verify: unknown key (expected one of: " \
        "name, url, urls, username, password_env, password_command, api_key_env, ca_certs, " \
        "verify_certs, read_only, protected, theme, repositories)\n"
