"""The audit log: where it lives, what a record holds, append-only, never a secret."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from esnap_tui.restore.audit import AuditLog, default_audit_path
from esnap_tui.restore.plan import RestorePlan
from esnap_tui.restore.request import build_request, register_repository_request
from esnap_tui.versions import Version


def test_default_path_follows_xdg_state_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert default_audit_path() == tmp_path / "state" / "esnap" / "audit.jsonl"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_audit_path() == tmp_path / "home" / ".local" / "state" / "esnap" / "audit.jsonl"
    # a relative XDG_STATE_HOME is invalid per the spec and ignored
    monkeypatch.setenv("XDG_STATE_HOME", "relative/state")
    assert default_audit_path() == tmp_path / "home" / ".local" / "state" / "esnap" / "audit.jsonl"


def test_attempt_and_outcome_records(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "esnap" / "audit.jsonl")
    request = build_request(
        RestorePlan(repository="backups", snapshot="snap-1", target_cluster="prod", indices=["a"]),
        Version(9, 1, 5),
    )
    when = datetime(2026, 1, 1, 3, 0, tzinfo=UTC)
    log.record("attempt", target="prod", request=request, restore_id="r1", user="oncall", when=when)
    log.record("outcome", target="prod", result={"accepted": True}, restore_id="r1", user="oncall")
    first, second = log.entries()
    assert first == {
        "time": "2026-01-01T03:00:00.000Z",
        "event": "attempt",
        "user": "oncall",
        "target": "prod",
        "restore_id": "r1",
        "request": {
            "method": "POST",
            "path": "/_snapshot/backups/snap-1/_restore",
            "params": {"wait_for_completion": "false"},
            "body": request.body,
        },
    }
    assert second["result"] == {"accepted": True} and second["event"] == "outcome"
    assert stat.S_IMODE((tmp_path / "esnap" / "audit.jsonl").stat().st_mode) == 0o600


def test_appends_never_rewrites(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("attempt", target="a", user="u")
    before = path.read_bytes()
    AuditLog(path).record("attempt", target="b", user="u")
    after = path.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 2
    assert [e["target"] for e in AuditLog(path).entries()] == ["a", "b"]


def test_a_torn_last_line_does_not_hide_earlier_records(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    AuditLog(path).record("attempt", target="a", user="u")
    with path.open("a") as handle:
        handle.write('{"event": "outc')
    assert [e["target"] for e in AuditLog(path).entries()] == ["a"]


def test_secrets_never_reach_the_file(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"
    register = register_repository_request(
        "s3-backups", "s3", {"bucket": "b", "access_key": "AKIA123", "secret_key": "hunter2"}
    )
    AuditLog(path).record(
        "attempt",
        target="prod",
        request=register,
        result={"error": "connect to https://elastic:changeme@es:9200 failed"},
        user="u",
        extra={"password": "changeme", "api_key": "s3cr3t"},
    )
    text = path.read_text()
    for secret in ("AKIA123", "hunter2", "changeme", "s3cr3t"):
        assert secret not in text
    entry = json.loads(text)
    assert entry["request"]["body"]["settings"]["bucket"] == "b"
    assert "https://es:9200" in entry["result"]["error"]
