"""Every key esnap reacts to, in one catalogue.

Why one catalogue: the footer, the `?` help screen and user keymaps must agree. Each entry has a
stable id; the config's ``keymap: {id: "keys"}`` is applied with Textual's ``App.set_keymap`` so
a user can remap any key without us re-implementing key dispatch. Widgets and screens take their
``BINDINGS`` from here by scope instead of declaring keys themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.binding import Binding

# Scopes: where a binding is active. "app" is global; the others belong to one screen or widget.
APP = "app"
MAIN = "main"
LIST = "list"  # the three panes (vim-style cursor keys)
DETAIL = "detail"
COMPAT = "compat"  # the compatibility view
WIZARD = "restore-wizard"  # the restore wizard (reached only through R)
MONITOR = "restore-monitor"  # one restore's progress
INFLIGHT = "restore-inflight"  # the list of restores in flight (w)
MODAL = "modal"

SCOPE_TITLES = {
    APP: "Everywhere",
    MAIN: "Main screen",
    LIST: "In a pane",
    DETAIL: "Snapshot detail",
    COMPAT: "Compatibility view",
    WIZARD: "Restore wizard",
    MONITOR: "Restore monitor",
    INFLIGHT: "Restores in flight",
    MODAL: "Dialogs",
}


@dataclass(frozen=True)
class KeySpec:
    """One remappable binding: ``id`` is what users put in their keymap."""

    id: str
    keys: str  # default keys, comma separated, Textual key names
    action: str
    description: str
    scope: str
    show: bool = False  # shown in the footer
    key_display: str | None = None
    mutating: bool = False  # hidden by --read-only
    priority: bool = False
    short: str | None = None  # footer label; the description is for the help screen

    def binding(self) -> Binding:
        return Binding(
            self.keys,
            self.action,
            self.short or self.description,
            show=self.show,
            key_display=self.key_display,
            priority=self.priority,
            id=self.id,
            tooltip=self.description,
        )


CATALOGUE: tuple[KeySpec, ...] = (
    # everywhere
    KeySpec("quit", "q", "quit", "Quit", APP, show=True),
    KeySpec("help", "question_mark,f1", "help", "Help: every key", APP, show=True, key_display="?",
            short="Help"),
    KeySpec(
        "palette", "colon", "command_palette", "Jump to cluster, repository, snapshot", APP,
        key_display=":",
    ),
    # watching is not mutating: a read-only session may follow restores others started
    KeySpec("watch-restores", "w", "watch_restores", "Watch restores in flight", APP,
            short="Restores"),
    # main screen
    KeySpec("next-pane", "tab", "next_pane", "Next pane", MAIN),
    KeySpec("prev-pane", "shift+tab", "prev_pane", "Previous pane", MAIN),
    KeySpec("pane-left", "h", "pane_left", "Pane to the left", MAIN),
    KeySpec("pane-right", "l", "pane_right", "Pane to the right", MAIN),
    KeySpec("open", "enter", "open", "Open", MAIN),
    KeySpec("filter", "slash", "filter", "Filter snapshots (name, state:, policy:)", MAIN,
            show=True, key_display="/", short="Filter"),
    KeySpec("sort", "s", "sort", "Cycle snapshot sort order", MAIN, show=True, short="Sort"),
    KeySpec("refresh", "r", "refresh", "Refresh the focused pane", MAIN, show=True,
            short="Refresh"),
    KeySpec("find-index", "f", "find_index", "Find snapshots containing an index", MAIN,
            show=True, short="Find index"),
    KeySpec("compat", "c", "compat", "Compatibility with a target cluster", MAIN),
    KeySpec("restore", "R", "restore", "Restore the selected snapshot", MAIN, mutating=True),
    KeySpec("back", "escape", "back", "Back / clear filter", MAIN),
    # in a pane
    KeySpec("cursor-down", "j", "cursor_down", "Down", LIST),
    KeySpec("cursor-up", "k", "cursor_up", "Up", LIST),
    KeySpec("cursor-top", "g,home", "cursor_top", "First row", LIST),
    KeySpec("cursor-bottom", "G,end", "cursor_bottom", "Last row (loads more)", LIST),
    # snapshot detail
    KeySpec("detail-back", "escape", "back", "Back", DETAIL, show=True, key_display="esc"),
    KeySpec("detail-next-tab", "l,right_square_bracket", "next_tab", "Next section", DETAIL,
            show=True, key_display="l", short="Next tab"),
    KeySpec("detail-prev-tab", "h,left_square_bracket", "prev_tab", "Previous section", DETAIL),
    KeySpec("detail-compat", "c", "compat", "Compatibility with a target cluster", DETAIL),
    KeySpec("detail-restore", "R", "restore", "Restore this snapshot", DETAIL, mutating=True),
    # compatibility view
    KeySpec("compat-back", "escape", "back", "Back", COMPAT, show=True, key_display="esc"),
    KeySpec("compat-target", "t", "pick_target", "Pick the target: a cluster or a typed version",
            COMPAT, show=True, short="Target"),
    KeySpec("compat-problems", "p", "toggle_problems", "Show only problem indices (toggle)",
            COMPAT, show=True, short="Problems"),
    KeySpec("compat-advice", "enter", "advice",
            "Way forward for the index: where to restore, reindex, time estimates", COMPAT,
            show=True, short="Advice"),
    # restore wizard: mutating because it exists only to start a restore (hidden by --read-only)
    KeySpec("wizard-next", "ctrl+n", "next_step", "Next step", WIZARD, show=True,
            key_display="^n", short="Next", mutating=True),
    KeySpec("wizard-back", "escape", "back_step", "Back a step (closes on the first)", WIZARD,
            show=True, key_display="esc", short="Back", mutating=True),
    # priority (also down-from-the-filter): checked as each key arrives, so in a burst of keys (a
    # paste, a laggy SSH link) the text after a tab lands in the next field, not in the one tab
    # was meant to leave
    KeySpec("wizard-next-field", "tab", "next_field", "Next field", WIZARD, priority=True,
            mutating=True),
    KeySpec("wizard-prev-field", "shift+tab", "previous_field", "Previous field", WIZARD,
            priority=True, mutating=True),
    KeySpec("wizard-filter-to-list", "down", "focus_items", "From the filter into the list",
            WIZARD, mutating=True, priority=True),
    KeySpec("wizard-copy", "y", "copy_request", "Copy the curl command (OSC 52)", WIZARD,
            show=True, short="Copy curl", mutating=True),
    KeySpec("wizard-export", "e", "export_request", "Export the request to a file", WIZARD,
            show=True, short="Export", mutating=True),
    # restore monitor and the restores in flight: watching only
    KeySpec("monitor-back", "escape", "leave", "Leave (the restore goes on; w finds it again)",
            MONITOR, show=True, key_display="esc", short="Leave"),
    KeySpec("monitor-poll", "r", "poll_now", "Ask the cluster now", MONITOR, show=True,
            short="Refresh"),
    KeySpec("inflight-close", "escape", "close", "Close", INFLIGHT, show=True,
            key_display="esc"),
    KeySpec("inflight-refresh", "r", "refresh", "Look again", INFLIGHT, show=True,
            short="Refresh"),
    # dialogs
    KeySpec("dialog-close", "escape", "close", "Close", MODAL, show=True, key_display="esc"),
)

BY_ID: dict[str, KeySpec] = {spec.id: spec for spec in CATALOGUE}
MUTATING_ACTIONS: frozenset[str] = frozenset(s.action for s in CATALOGUE if s.mutating)


def bindings_for(scope: str) -> list[Binding]:
    """Textual ``BINDINGS`` for one scope."""
    return [spec.binding() for spec in CATALOGUE if spec.scope == scope]


def check_keymap(keymap: Mapping[str, str]) -> list[str]:
    """Problems with a user keymap (unknown ids, empty keys), as one-line messages."""
    problems = []
    for binding_id, keys in keymap.items():
        if binding_id not in BY_ID:
            problems.append(f"keymap: unknown binding id {binding_id!r}")
        elif not str(keys).strip():
            problems.append(f"keymap: {binding_id}: no keys given")
    return problems


def effective_keys(spec: KeySpec, keymap: Mapping[str, str]) -> str:
    """The keys a binding answers to once the user's keymap is applied."""
    return str(keymap.get(spec.id, spec.keys))


_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "colon": ":",
    "escape": "esc",
    "right_square_bracket": "]",
    "left_square_bracket": "[",
    "shift+tab": "shift+tab",
}


def display_keys(keys: str) -> str:
    """"question_mark,f1" -> "? f1" for the help screen."""
    return " ".join(_KEY_NAMES.get(k.strip(), k.strip()) for k in keys.split(",") if k.strip())
