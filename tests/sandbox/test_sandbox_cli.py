"""``esnap sandbox``: prints each cluster's name, dialect and URL; writes a config."""

from __future__ import annotations

from pathlib import Path

from esnap_tui.cli import main
from esnap_tui.config import load_config


def test_sandbox_command_prints_clusters_and_writes_config(tmp_path: Path, capsys) -> None:
    config = tmp_path / "clusters.yaml"
    code = main(["sandbox", "--scenario", "small", "--fixed-clock", "--once",
                 "--root", str(tmp_path / "root"), "--write-config", str(config)])
    assert code == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:2] == ["prod", "es-9.1"]
    assert lines[0].split()[2].startswith("http://127.0.0.1:")
    assert "secure" in out and "$ESNAP_SANDBOX_SECURE_PASSWORD" in out
    assert [c.name for c in load_config(config).clusters][:2] == ["prod", "es8"]


def test_sandbox_command_reports_a_bad_scenario(tmp_path: Path, capsys) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("clusters:\n  - name: x\n", encoding="utf-8")
    assert main(["sandbox", "--scenario", str(bad), "--once"]) == 2
    assert "bad.yaml:2: clusters[0].dialect: missing" in capsys.readouterr().err


def test_restart_on_the_same_root_reuses_the_repositories(tmp_path: Path, capsys) -> None:
    args = ["sandbox", "--scenario", "small", "--fixed-clock", "--once", "--root",
            str(tmp_path)]
    assert main(args) == 0
    first = sorted(p.name for p in (tmp_path / "repos" / "shared").iterdir())
    assert main(args) == 0
    assert sorted(p.name for p in (tmp_path / "repos" / "shared").iterdir()) == first
