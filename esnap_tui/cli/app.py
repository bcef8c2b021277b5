"""``esnap`` with no subcommand: open the Textual app."""

from __future__ import annotations

import argparse
import sys


def run_app(args: argparse.Namespace) -> int:
    try:
        from esnap_tui.ui.app import run
    except ModuleNotFoundError:
        print("esnap: the app is not built yet; try `esnap repo inspect PATH`", file=sys.stderr)
        return 1
    return run(args)
