"""Append-only audit log of restore attempts and outcomes (JSON lines, XDG state dir).

Why: after an incident someone asks "who restored what, where, and did it work?". Every
restore attempt is written *before* the request is sent and its outcome after, one JSON
object per line, so a crash between the two still leaves the attempt on record. The file is
only ever appended to (``O_APPEND``, one ``write`` per record) and is private to the user
(mode 0600). Secrets never reach it: keys that name credentials are masked and URLs lose
their user:password part before anything is written.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MASK = "********"
_SECRET_KEY = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|authorization|credential|access[_-]?key|"
    r"session[_-]?token|private[_-]?key)",
    re.IGNORECASE,
)
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)[^/@\s:]+(:[^/@\s]*)?@", re.I)


def default_audit_path() -> Path:
    """``$XDG_STATE_HOME/esnap/audit.jsonl``, default ``~/.local/state/esnap/audit.jsonl``."""
    base = os.environ.get("XDG_STATE_HOME")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "esnap" / "audit.jsonl"


def scrub(value: Any) -> Any:
    """A copy of ``value`` with credentials masked (by key name, and inside URLs)."""
    if isinstance(value, dict):
        return {
            key: (MASK if _SECRET_KEY.search(str(key)) and item not in (None, "") else scrub(item))
            for key, item in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [scrub(item) for item in value]
    if isinstance(value, str):
        return _URL_CREDENTIALS.sub(lambda m: m.group("scheme"), value)
    return value


def _current_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers) and no LOGNAME/USER
        return str(os.getuid()) if hasattr(os, "getuid") else "unknown"


class AuditLog:
    """The audit file. ``record`` appends; ``entries`` reads back (for ``esnap audit``)."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path) if path is not None else default_audit_path()

    def record(
        self,
        event: str,
        *,
        target: str,
        request: Any = None,
        result: Any = None,
        restore_id: str | None = None,
        user: str | None = None,
        when: datetime | None = None,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Append one record and return it as written.

        ``event`` is e.g. ``"attempt"``, ``"outcome"``, ``"reconciled"``; ``request`` is a
        ``RestoreRequest`` (or anything with ``to_dict``) or a plain dict; ``result`` is what
        came back (a dict, or a short string such as ``"accepted"``/``"timeout"``).
        """
        moment = (when or datetime.now(UTC)).astimezone(UTC)
        entry: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "event": event,
            "user": user or _current_user(),
            "target": target,
        }
        if restore_id is not None:
            entry["restore_id"] = restore_id
        if request is not None:
            entry["request"] = request.to_dict() if hasattr(request, "to_dict") else request
        if result is not None:
            entry["result"] = result
        if extra:
            entry.update({k: v for k, v in extra.items() if k not in entry})
        entry = scrub(entry)
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"), default=str) + "\n"
        self._append(line.encode("utf-8"))
        return entry

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            written = os.write(fd, data)
            if written != len(data):  # pragma: no cover - disk full / signal mid-write
                raise OSError(f"audit log: short write to {self.path}")
            os.fsync(fd)
        finally:
            os.close(fd)

    def entries(self) -> list[dict[str, Any]]:
        """Every record, oldest first; a torn last line (crash mid-write) is skipped."""
        if not self.path.exists():
            return []
        out: list[dict[str, Any]] = []
        with self.path.open(encoding="utf-8") as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return out
