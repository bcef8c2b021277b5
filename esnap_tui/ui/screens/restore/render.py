"""Text of the restore screens, as pure functions of the restore layer's models.

Why separate: the wording is what a person reads at 3 a.m.; keeping it out of the widgets makes
it testable without a terminal and keeps the screens about layout and workers. Every state is
a symbol plus a word, so nothing depends on colour (NO_COLOR, screen readers, bad terminals).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.content import Content

from esnap_tui.restore.monitor import RestoreProgress, format_bytes, format_seconds

SEVERITY_LOOK = {
    "blocker": ("✗", "BLOCKER", "$error"),
    "warning": ("!", "WARNING", "$warning"),
    "info": ("·", "INFO", "$text-muted"),
}


def severity_label(severity: str) -> str:
    symbol, word, _ = SEVERITY_LOOK.get(severity, ("?", severity.upper(), ""))
    return f"{symbol} {word}"


def checks_content(report: Any, notes: Iterable[str] = ()) -> Content:
    """Every check, blockers first: symbol + word, message, fix, details; then notes."""
    parts: list[Content | str | tuple[str, str]] = []
    blockers, warnings = len(report.blockers), len(report.warnings)
    if blockers:
        parts.append((f"✗ {blockers} blocker(s): the restore cannot be sent yet", "bold $error"))
    else:
        parts.append(("✓ nothing blocks this restore", "bold $success"))
    if warnings:
        parts.append((f"   ! {warnings} warning(s) to read", "$warning"))
    parts.append("\n")
    for result in report.results:
        symbol, word, style = SEVERITY_LOOK.get(result.severity.value, ("?", "?", ""))
        parts.append("\n")
        parts.append((f"{symbol} {word:<7} ", f"bold {style}"))
        parts.append(result.message)
        if result.fix:
            parts.append("\n          ")
            parts.append(("fix: ", "bold"))
            parts.append(result.fix)
        for line in result.details[:12]:
            parts.append(f"\n          - {line}")
        if len(result.details) > 12:
            parts.append(f"\n          … {len(result.details) - 12} more")
    for note in notes:
        parts.append("\n")
        parts.append(("· NOTE    ", "bold $text-muted"))
        parts.append((note, "$text-muted"))
    return Content.assemble(*parts)


def rename_note(entry: Any) -> str:
    notes = []
    if entry.invalid:
        notes.append(f"✗ invalid: {entry.invalid}")
    if entry.collides_with:
        notes.append("✗ same target as " + ", ".join(entry.collides_with))
    if entry.exists:
        notes.append("✗ exists on target")
    if not notes:
        return "✓ new" if entry.renamed else "✓ same name"
    return "; ".join(notes)


def progress_line(progress: RestoreProgress) -> str:
    """``INDEX 42.0% · 12.0mb of 28.6mb · files 3/7 · 1.0mb/s · ETA 17s · 9s elapsed``."""
    parts = [
        f"{progress.stage} {progress.percent:.1f}%",
        f"{format_bytes(progress.recovered_bytes)} of {format_bytes(progress.total_bytes)}",
        f"files {progress.recovered_files}/{progress.total_files}",
    ]
    if progress.throughput_bps is not None:
        parts.append(f"{format_bytes(progress.throughput_bps)}/s")
    if progress.done:
        parts.append("done")
    elif progress.eta_seconds is not None:
        parts.append(f"ETA {format_seconds(progress.eta_seconds)}")
    else:
        parts.append("ETA —")
    parts.append(f"{format_seconds(progress.elapsed)} elapsed")
    return " · ".join(parts)


def index_row(index: Any) -> tuple[str, ...]:
    done = sum(1 for s in index.shards if s.done)
    shards = f"{done}/{index.expected_shards or len(index.shards)}"
    if index.failed_shards:
        shards += f" ✗{index.failed_shards}"
    return (
        index.name,
        index.source or "—",
        index.stage,
        f"{index.percent:5.1f}%",
        f"{format_bytes(index.recovered_bytes)}/{format_bytes(index.total_bytes)}",
        f"{index.recovered_files}/{index.total_files}",
        shards,
    )


def verification_content(progress: RestoreProgress) -> Content:
    verification = progress.verification
    if verification is None:
        return Content("")
    parts: list[Content | str | tuple[str, str]] = []
    if verification.ok:
        parts.append(("✓ verified: every restored index exists, is green or yellow and has "
                      "its primary shards", "bold $success"))
    else:
        parts.append(("✗ verification FAILED", "bold $error"))
    for check in verification.checks:
        mark = "✓" if check.ok else "✗"
        shards = "?" if check.primary_shards is None else str(check.primary_shards)
        line = f"\n  {mark} {check.name}: {check.health or '—'}, {shards} primary shard(s)"
        if check.problem:
            line += f" — {check.problem}"
        parts.append(line)
    return Content.assemble(*parts)
