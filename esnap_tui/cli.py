"""Command line entry point: ``esnap`` (the app) and its scripting subcommands."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    print("esnap: not built yet", file=sys.stderr)
    return 1
