"""Keys of the restore screens, as ``KeySpec`` entries like the central catalogue's.

Kept here (not in ``ui/bindings.py``) while the wizard is new so the help screen and its
pictures do not change under other people; the ids are stable and can move into the
catalogue as they are.
"""

from __future__ import annotations

from textual.binding import Binding

from esnap_tui.ui.bindings import APP, KeySpec

WIZARD = "restore-wizard"
MONITOR = "restore-monitor"
INFLIGHT = "restore-inflight"

RESTORE_KEYS: tuple[KeySpec, ...] = (
    KeySpec("watch-restores", "w", "watch_restores", "Watch restores in flight", APP,
            short="Restores"),
    KeySpec("wizard-next", "ctrl+n", "next_step", "Next step", WIZARD, show=True,
            key_display="^n", short="Next"),
    KeySpec("wizard-back", "escape", "back_step", "Back a step (closes on the first)", WIZARD,
            show=True, key_display="esc", short="Back"),
    KeySpec("wizard-copy", "y", "copy_request", "Copy the curl command (OSC 52)", WIZARD,
            show=True, short="Copy curl"),
    KeySpec("wizard-export", "e", "export_request", "Export the request to a file", WIZARD,
            show=True, short="Export"),
    KeySpec("monitor-back", "escape", "leave", "Leave (the restore goes on; w finds it again)",
            MONITOR, show=True, key_display="esc", short="Leave"),
    KeySpec("monitor-poll", "r", "poll_now", "Ask the cluster now", MONITOR, show=True,
            short="Refresh"),
    KeySpec("inflight-close", "escape", "close", "Close", INFLIGHT, show=True,
            key_display="esc"),
    KeySpec("inflight-refresh", "r", "refresh", "Look again", INFLIGHT, show=True,
            short="Refresh"),
)


def restore_bindings(scope: str) -> list[Binding]:
    return [spec.binding() for spec in RESTORE_KEYS if spec.scope == scope]
