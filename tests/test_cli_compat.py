"""``esnap compat`` over the real fixture repositories: verdicts, JSON and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from esnap_tui.cli import main
from esnap_tui.compat import TargetCluster, Verdict, check_snapshot_indices
from esnap_tui.repository import RepositoryReader
from esnap_tui.versions import Version

OK, NO, ARCHIVE = Verdict.COMPATIBLE, Verdict.INCOMPATIBLE, Verdict.READ_ONLY_ARCHIVE

# repository -> expected verdict of every index per target (8.15/9.1 with an enterprise licence)
EXPECTED = {
    "ES_5_6_Updates_Deletes": {"6.8.24": OK, "7.17.0": NO, "8.15.0": ARCHIVE, "9.1.0": ARCHIVE},
    "ES_6_8_Single": {"6.8.24": OK, "7.17.0": OK, "8.15.0": ARCHIVE, "9.1.0": ARCHIVE},
    "ES_6_8_Updates_Deletes_Merged": {
        "6.8.24": OK,
        "7.17.0": NO,  # the index was created in 5.6.16
        "8.15.0": ARCHIVE,
        "9.1.0": ARCHIVE,
    },
    "ES_6_8_Updates_Deletes_Native": {"6.8.24": OK, "7.17.0": OK, "8.15.0": ARCHIVE},
    "ES_7_10_BWC_Check": {"6.8.24": NO, "7.17.0": OK, "8.15.0": OK, "9.1.0": NO},
    "ES_7_10_Double": {"6.8.24": NO, "7.17.0": OK, "8.15.0": OK, "9.1.0": NO},
    "ES_7_10_Single": {"6.8.24": NO, "7.17.0": OK, "8.15.0": OK, "9.1.0": NO},
    "ES_7_10_Updates_Deletes_w_Soft": {"7.17.0": OK, "8.15.0": OK, "9.1.0": NO},
    "ES_7_10_Updates_Deletes_wo_Soft": {"7.17.0": OK, "8.15.0": OK, "9.1.0": NO},
}


@pytest.mark.parametrize("repository", sorted(EXPECTED))
def test_every_fixture_snapshot_against_each_target(
    real_repositories: Path, repository: str
) -> None:
    reader = RepositoryReader(real_repositories / repository)
    for summary in reader.snapshots():
        detail = reader.snapshot(summary.name)
        indices = reader.indices(summary.name)
        for version, expected in EXPECTED[repository].items():
            into = TargetCluster(Version.parse(version), "enterprise")
            report = check_snapshot_indices(detail.version, indices, into)
            assert report.indices, summary.name
            for verdict in report.indices:
                assert verdict.verdict is expected, (summary.name, version, verdict.reason)
                assert verdict.created_source.value == "repository"


def test_a_snapshot_from_a_newer_patch_is_refused(real_repositories: Path) -> None:
    reader = RepositoryReader(real_repositories / "ES_6_8_Single")  # taken by 6.8.24
    report = check_snapshot_indices(
        reader.snapshot("global_state_snapshot").version,
        reader.indices("global_state_snapshot"),
        TargetCluster(Version.parse("6.8.23")),
    )
    assert report.snapshot.verdict is NO
    assert "newer version" in report.snapshot.reason


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["compat", *args])
    return code, capsys.readouterr().out


def test_cli_exit_0_when_everything_is_compatible(
    real_repositories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(
        capsys,
        "--repo-path",
        str(real_repositories / "ES_7_10_Single"),
        "--snapshot",
        "global_state_snapshot",
        "--target-version",
        "8.15.0",
    )
    assert code == 0
    assert "2 indices: 2 compatible, 0 read-only archive, 0 blocked, 0 unknown" in out


def test_cli_exit_3_and_advice_when_an_index_is_not(
    real_repositories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(
        capsys,
        "--repo-path",
        str(real_repositories / "ES_6_8_Updates_Deletes_Merged"),
        "--snapshot",
        "rfs_snapshot",
        "--target-version",
        "7.17.0",
    )
    assert code == 3
    assert "created in 5.6.16; 7.17.0 reads indices created in 6.0 or later" in out
    assert "Restore into 6.8 first, then reindex from remote into 7.17.0." in out


def test_cli_json_names_the_licence(
    real_repositories: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(
        capsys,
        "--repo-path",
        str(real_repositories / "ES_6_8_Single"),
        "--snapshot",
        "global_state_snapshot",
        "--target-version",
        "8.15.0",
        "--license",
        "basic",
        "--json",
    )
    assert code == 3
    data = json.loads(out)
    assert data["counts"]["incompatible"] == 2
    assert data["target"] == {"version": "8.15.0", "product": "elasticsearch", "license": "basic"}
    first = data["indices"][0]
    assert first["created"] == "6.8.24"
    assert first["created_source"] == "repository"
    assert "enterprise licence (this cluster has basic)" in first["reason"]
    assert first["advice"]["restore_into"] == "7.17"


def test_cli_opensearch_target(real_repositories: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli(
        capsys,
        "--repo-path",
        str(real_repositories / "ES_7_10_Single"),
        "--snapshot",
        "global_state_snapshot",
        "--target-version",
        "opensearch-1.3.0",
        "--json",
    )
    assert code == 0
    assert json.loads(out)["target"]["product"] == "opensearch"


def test_cli_errors(
    real_repositories: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = str(real_repositories / "ES_7_10_Single")
    assert (
        main(["compat", "--repo-path", repo, "--snapshot", "nope", "--target-version", "8.15.0"])
        == 1
    )
    assert "nope" in capsys.readouterr().err
    bad = ["compat", "--repo-path", repo, "--snapshot", "global_state_snapshot"]
    assert main([*bad, "--target-version", "eight"]) == 2
    assert "not a version" in capsys.readouterr().err
    missing = ["--snapshot", "s", "--target-version", "8.15.0"]
    assert main(["compat", "--repo-path", str(tmp_path / "none"), *missing]) == 1
