"""``esnap repo inspect``: what a user sees in the terminal and what a script gets as JSON."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from esnap_tui.cli import main
from esnap_tui.models import FeatureState
from esnap_tui.repository import IndexToWrite, RepositoryWriter, SnapshotToWrite
from esnap_tui.versions import Version, index_version_id_for


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["repo", "inspect", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_listing_is_an_aligned_table(
    real_repositories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, str(real_repositories / "ES_7_10_Double"))
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == [
        "SNAPSHOT", "STATE", "VERSION", "START", "(UTC)", "DURATION", "INDICES",
    ]  # fmt: skip
    assert lines[1].split() == [
        "global_state_snapshot", "SUCCESS", "7.10.2", "2024-03-22", "15:18:47", "0.8s", "2",
    ]  # fmt: skip
    assert lines[2].split()[0] == "global_state_snapshot_2" and lines[2].split()[-1] == "1"
    # aligned: every column starts at the same offset on every line
    state_column = lines[0].index("STATE")
    assert all(line[state_column:].startswith("SUCCESS") for line in lines[1:])


def test_old_catalogue_times_are_filled_for_a_small_repository(
    real_repositories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, str(real_repositories / "ES_5_6_Updates_Deletes"))
    assert code == 0
    assert out.splitlines()[1].split()[:3] == ["rfs_snapshot", "SUCCESS", "5.6.16"]
    repo = str(real_repositories / "ES_5_6_Updates_Deletes")
    code, out, _ = _run(capsys, repo, "--catalogue-only")
    assert out.splitlines()[1].split() == ["rfs_snapshot", "SUCCESS", "-", "-", "-", "1"]


def test_snapshot_indices(real_repositories: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = real_repositories / "ES_6_8_Updates_Deletes_Merged"
    code, out, err = _run(capsys, str(repo), "--snapshot", "rfs_snapshot")
    assert code == 0 and err == ""
    assert "version    6.8.23" in out
    header = next(line for line in out.splitlines() if line.startswith("INDEX"))
    assert header.split() == ["INDEX", "CREATED", "SHARDS", "STATE", "UUID", "DATA", "STREAM"]
    row = out.splitlines()[-1].split()
    assert row == ["test_updates_deletes", "5.6.16", "1", "open", "0GLrOFfCQRq8-mQplMbaBg", "-"]


def test_json_listing(real_repositories: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, str(real_repositories / "ES_7_10_Double"), "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["repository"]["generation"] == 1
    assert payload["repository"]["min_version"] == "7.9.0"
    assert [s["name"] for s in payload["snapshots"]] == [
        "global_state_snapshot",
        "global_state_snapshot_2",
    ]
    first = payload["snapshots"][0]
    assert first["version"] == "7.10.2" and first["product"] == "elasticsearch"
    assert first["state"] == "SUCCESS" and first["indices_count"] == 2
    assert first["duration_ms"] == 815
    assert payload["warnings"] == []


def test_json_snapshot_with_data_streams_and_feature_states(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    version = Version(8, 15, 3)
    created = index_version_id_for(version)
    RepositoryWriter(tmp_path, "8.15").add_snapshot(
        SnapshotToWrite(
            "snap",
            "uuid-snap",
            start_time_ms=1_700_000_000_000,
            end_time_ms=1_700_000_090_000,
            indices=[
                IndexToWrite(".ds-web-2024.01.01-000001", "WebUuid000000000000000", created),
                IndexToWrite(".security-7", "SecUuid000000000000000", created, system=True),
            ],
            data_streams=["web"],
            feature_states=[FeatureState("security", (".security-7",))],
        )
    )
    code, out, _ = _run(capsys, str(tmp_path), "--snapshot", "snap", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["snapshot"]["data_streams"] == ["web"]
    assert payload["snapshot"]["feature_states"] == [
        {"feature_name": "security", "indices": [".security-7"]}
    ]
    indices = {i["name"]: i for i in payload["indices"]}
    assert indices[".ds-web-2024.01.01-000001"]["data_stream"] == "web"
    assert indices[".ds-web-2024.01.01-000001"]["created"] == "8.15.0-8.15.5"
    assert indices[".security-7"]["system"] is True

    code, out, _ = _run(capsys, str(tmp_path), "--snapshot", "snap")
    assert "streams    web" in out and "features   security (.security-7)" in out
    assert "duration 1m 30s" in out
    assert any(line.startswith(".security-7 (system)") for line in out.splitlines())


def test_opensearch_versions_are_labelled(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    RepositoryWriter(tmp_path, "opensearch-2.11").add_snapshot(SnapshotToWrite("s", "uuid-s"))
    _, out, _ = _run(capsys, str(tmp_path))
    assert "OpenSearch 2.11.1" in out.splitlines()[1]


def test_warnings_go_to_stderr_and_do_not_fail(
    real_repositories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(real_repositories / "ES_6_8_Single", repo)
    (repo / "index.latest").write_bytes((0).to_bytes(8, "big"))
    code, out, err = _run(capsys, str(repo), "--json")
    assert code == 0
    assert json.loads(out)["warnings"]
    assert err.startswith("warning: ") and "index.latest" in err


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("not-json", "index-0: not valid JSON"),
        ("empty", "no index-N catalogue"),
        ("missing-blob", "meta-e0O-Zo4B5P7rRiUeQFTe.dat: missing"),
        ("absent", "no such directory"),
    ],
)
def test_damaged_repository_exits_2_with_one_line(
    real_repositories: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    expected: str,
) -> None:
    repo = tmp_path / "repo"
    args = [str(repo)]
    if damage == "not-json":
        repo.mkdir()
        (repo / "index-0").write_text("{oops")
    elif damage == "empty":
        repo.mkdir()
    elif damage == "missing-blob":
        shutil.copytree(real_repositories / "ES_7_10_Double", repo)
        (repo / "indices/TKzEIy9ASTq-FuWhogYPHw/meta-e0O-Zo4B5P7rRiUeQFTe.dat").unlink()
        args += ["--snapshot", "global_state_snapshot_2"]
    code, out, err = _run(capsys, *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith(f"esnap: {repo}")
    assert expected in err


# what the installed ``esnap`` console script runs
_ENTRY_POINT = "import sys; from esnap_tui.cli import main; sys.exit(main())"


def test_no_traceback_from_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "index-0").write_bytes(b"\xff\xfe not json")
    result = subprocess.run(
        [sys.executable, "-c", _ENTRY_POINT, "repo", "inspect", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"esnap: {tmp_path / 'index-0'}: not valid JSON (")
