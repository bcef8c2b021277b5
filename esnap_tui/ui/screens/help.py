"""``?``: every key, generated from the binding catalogue with the user's keymap applied.

Generated rather than written so it can never disagree with what the keys actually do.
"""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from esnap_tui.ui.bindings import (
    CATALOGUE,
    MODAL,
    MUTATING_ACTIONS,
    SCOPE_TITLES,
    bindings_for,
    display_keys,
    effective_keys,
)
from esnap_tui.ui.widgets.detail import VimTable

# keys Textual's widgets provide themselves (not remappable through our ids)
BUILTIN_KEYS = (
    ("↑ ↓ pgup pgdn", "Move in a list", "(built in)"),
    ("← →", "Scroll a wide table sideways", "(built in)"),
    ("ctrl+p", "Command palette", "(built in)"),
)


def help_rows(keymap: Mapping[str, str], *, read_only: bool) -> list[tuple[str, str, str, str]]:
    """(scope, keys, description, id) for every binding; mutating ones vanish when read-only."""
    rows = []
    for spec in CATALOGUE:
        if read_only and spec.action in MUTATING_ACTIONS:
            continue
        rows.append(
            (
                SCOPE_TITLES[spec.scope],
                display_keys(effective_keys(spec, keymap)),
                spec.description,
                spec.id,
            )
        )
    rows.extend(("Built into lists", keys, what, ident) for keys, what, ident in BUILTIN_KEYS)
    return rows


class HelpScreen(ModalScreen[None]):
    BINDINGS = bindings_for(MODAL)

    def __init__(self, keymap: Mapping[str, str], *, read_only: bool = False) -> None:
        super().__init__()
        self.keymap = keymap
        self.read_only = read_only

    def compose(self) -> ComposeResult:
        with Vertical(id="help-dialog", classes="dialog") as box:
            box.border_title = "Keys"
            box.border_subtitle = "esc close"
            yield VimTable(id="help-table")
            yield Static(
                "Remap in clusters.yaml:  keymap: {find-index: F, quit: \"q,ctrl+q\"}",
                id="help-hint",
                markup=False,
            )

    def on_mount(self) -> None:
        table = self.query_one("#help-table", VimTable)
        table.add_columns("Keys", "What", "Id")
        previous = None
        for scope, keys, what, ident in help_rows(self.keymap, read_only=self.read_only):
            if scope != previous:
                table.add_row("", Text(f"— {scope} —", style="bold"), "")
                previous = scope
            table.add_row(keys, what, ident)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
