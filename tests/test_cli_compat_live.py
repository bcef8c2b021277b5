"""``esnap compat`` with live sources and targets (sandbox clusters over real HTTP).

Forms: ``--cluster C --repo R`` or ``--repo-path DIR`` for the source, ``--target T`` or
``--target-version V`` for the target, in every combination; exit 0/3/1/2 as documented.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from esnap_tui.cli import main
from esnap_tui.sandbox import Sandbox, Scenario, running_sandbox


def scenario() -> Scenario:
    return Scenario.from_dict(
        {
            "seed": 21,
            "now": "2026-01-15T12:00:00Z",
            "clusters": [
                {
                    "name": "src",
                    "dialect": "es-7.17",
                    "indices": [{"name": "logs", "created": "7.10.0", "docs": 500_000,
                                 "size": "2gb"}],
                    "repositories": [{"name": "backups", "path": "repos/b"}],
                },
                {"name": "t815", "dialect": "es-8.15", "license": "enterprise"},
                {"name": "t91", "dialect": "es-9.1", "license": "basic"},
            ],
            "repositories": [
                {
                    "path": "repos/b",
                    "snapshots": [{"name": "snap-1", "start": "-1d", "indices_from": "src"}],
                }
            ],
        }
    )


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def config_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The sandbox's clusters plus ``down``, where nothing listens."""
    with running_sandbox(scenario(), fixed_clock=True) as sandbox:
        assert isinstance(sandbox, Sandbox)
        data = sandbox.config_dict()
        data["clusters"].append({"name": "down", "url": f"http://127.0.0.1:{closed_port()}"})
        path = tmp_path_factory.mktemp("config") / "clusters.yaml"
        path.write_text(yaml.safe_dump(data), encoding="utf-8")
        yield path


def run(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str, str]:
    code = main(["compat", "--config", str(config), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


LIVE_SOURCE = ("--cluster", "src", "--repo", "backups", "--snapshot", "snap-1")


def test_live_source_and_live_target_compatible(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, config_path, *LIVE_SOURCE, "--target", "t815")
    assert code == 0
    header = next(line for line in out.splitlines() if line.startswith("INDEX"))
    assert header.split() == ["INDEX", "CREATED", "SOURCE", "VERDICT", "REASON"]
    row = next(line for line in out.splitlines() if line.startswith("logs "))
    assert row.split()[:4] == ["logs", "7.10.0", "repository", "compatible"]
    assert "t815 (8.15.5)" in out  # the target's name and the version it reported
    assert "1 index: 1 compatible, 0 read-only archive, 0 blocked, 0 unknown" in out


def test_live_target_blocks_and_the_way_forward_is_estimated(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, config_path, *LIVE_SOURCE, "--target", "t91")
    assert code == 3
    assert "1 index: 0 compatible, 0 read-only archive, 1 blocked, 0 unknown" in out
    forward = out[out.index("Way forward:") :]
    assert "logs (incompatible):" in forward
    assert "-> Restore into 8.19 first, then reindex from remote into t91 (9.1.5)." in forward
    assert "Estimate:" in forward and "assumes restore at 40 MiB/s" in forward


def test_without_local_files_the_created_version_is_bounded(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, config_path, *LIVE_SOURCE, "--no-local-files", "--target-version", "8.15.0",
        "--json",
    )
    data = json.loads(out)
    (logs,) = data["indices"]
    assert logs["created_source"] == "bounds"
    assert logs["created"] == "between 6.0 and 7.17.28"
    assert logs["verdict"] == "unknown"  # 6.x would need an archive licence, 7.x restores
    assert code == 3  # unknown may be incompatible: scripts must not go ahead
    assert data["source"] == "cluster src, repository backups (REST)"
    assert data["notes"] == ["the repository's files were not read (asked not to)"]


def test_offline_source_with_a_live_target(
    real_repositories: Path, config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys,
        config_path,
        "--repo-path",
        str(real_repositories / "ES_6_8_Single"),
        "--snapshot",
        "global_state_snapshot",
        "--target",
        "t815",
        "--json",
    )
    assert code == 3
    data = json.loads(out)
    assert data["target"] == {
        "version": "8.15.5",
        "product": "elasticsearch",
        "license": "enterprise",  # read from the cluster
        "name": "t815",
    }
    assert data["counts"]["read-only-archive"] == 2


@pytest.mark.parametrize(
    "args",
    [
        ("--cluster", "down", "--repo", "backups", "--snapshot", "s", "--target-version", "8.15"),
        ("--cluster", "src", "--repo", "backups", "--snapshot", "snap-1", "--target", "down"),
    ],
)
def test_unreachable_cluster_is_exit_1_with_one_line(
    config_path: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    code, out, err = run(capsys, config_path, *args)
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "connection refused" in err


def test_missing_repository_or_snapshot_is_exit_1(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, config_path, "--cluster", "src", "--repo", "nope", "--snapshot", "snap-1",
        "--target-version", "8.15.0",
    )
    assert code == 1
    assert err == (
        "esnap compat: repository 'nope' is not registered on cluster src (registered: backups)\n"
    )
    code, _, err = run(
        capsys, config_path, "--cluster", "src", "--repo", "backups", "--snapshot", "nope",
        "--target-version", "8.15.0",
    )
    assert code == 1 and "'nope' not found" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--cluster", "src", "--repo", "backups", "--snapshot", "snap-1"), "a target is needed"),
        (
            (*LIVE_SOURCE, "--target", "t91", "--target-version", "9.1.0"),
            "a target is needed",
        ),
        ((*LIVE_SOURCE, "--target", "t91", "--license", "basic"), "--license goes with"),
        (("--repo", "backups", "--snapshot", "snap-1", "--target", "t91"), "a source is needed"),
        (
            ("--repo-path", "/x", *LIVE_SOURCE, "--target", "t91"),
            "either --repo-path or --cluster",
        ),
        ((*LIVE_SOURCE, "--target", "nosuch"), "--target nosuch: no such cluster"),
        ((*LIVE_SOURCE, "--target-version", "eight"), "not a version"),
    ],
)
def test_bad_arguments_are_exit_2(
    config_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    message: str,
) -> None:
    code, out, err = run(capsys, config_path, *args)
    assert (code, out) == (2, "")
    assert message in err and err.count("\n") == 1
