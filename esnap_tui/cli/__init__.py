"""Command line entry point: ``esnap`` opens the app; subcommands script the same features.

Each subcommand lives in its own module exposing ``register(subparsers)``, which adds a parser
and sets ``func(args) -> int`` as its default. A module that fails to import (a feature being
built) must not break the others, so they are loaded one by one.
"""

from __future__ import annotations

import argparse
import importlib
import sys

# module name -> subcommand it provides (kept in help order)
_SUBCOMMAND_MODULES = ("repo", "sandbox", "ls", "show", "compat", "restore")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="esnap",
        description="Elasticsearch and OpenSearch snapshot and restore, in the terminal.",
    )
    parser.add_argument("--config", metavar="PATH", help="clusters.yaml to use")
    parser.add_argument(
        "--demo", action="store_true", help="start the demo sandbox clusters and open the app"
    )
    parser.add_argument(
        "--read-only", action="store_true", help="hide every action that changes a cluster"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _SUBCOMMAND_MODULES:
        try:
            module = importlib.import_module(f"esnap_tui.cli.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"esnap_tui.cli.{name}":
                continue
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.command is None:
        from esnap_tui.cli.app import run_app

        return run_app(args)
    return int(args.func(args) or 0)
