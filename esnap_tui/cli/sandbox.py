"""``esnap sandbox``: run simulated clusters in the foreground for trying esnap or a script.

Prints each cluster's name, version and URL, optionally writes an esnap clusters config that
points at them, and serves until interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from esnap_tui.sandbox.scenario import Scenario


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="run simulated Elasticsearch/OpenSearch clusters on 127.0.0.1",
        description="Run the clusters of a sandbox scenario in the foreground (Ctrl-C stops).",
    )
    parser.add_argument(
        "--scenario", metavar="FILE", default="demo",
        help="scenario YAML file or packaged name (default: demo; also: small)",
    )
    parser.add_argument(
        "--fixed-clock", action="store_true",
        help="fixed time and seeded ids: every response is reproducible",
    )
    parser.add_argument(
        "--write-config", metavar="PATH", help="write an esnap clusters.yaml for these clusters"
    )
    parser.add_argument(
        "--root", metavar="DIR", help="where repository directories go (default: a temp dir)"
    )
    parser.add_argument(
        "--port", metavar="N", type=int, default=0,
        help="first port (clusters get N, N+1, ...; default: ephemeral ports)",
    )
    # start, print, stop: for smoke tests of the command itself
    parser.add_argument("--once", action="store_true", help=argparse.SUPPRESS)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from esnap_tui.sandbox import ScenarioError, load_scenario

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as error:
        print(f"esnap sandbox: {error}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(scenario, args))
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        print(f"esnap sandbox: {error}", file=sys.stderr)
        return 1


async def _serve(scenario: Scenario, args: argparse.Namespace) -> int:
    from esnap_tui.sandbox import Sandbox

    ports = {}
    if args.port:
        ports = {spec.name: args.port + i for i, spec in enumerate(scenario.clusters)}
    sandbox = Sandbox(scenario, fixed_clock=args.fixed_clock, root=args.root, ports=ports)
    async with sandbox:
        width = max(len(name) for name in sandbox.clusters)
        for cluster in sandbox.clusters.values():
            auth = ""
            if cluster.password_env:
                auth = f"  (user {cluster.username}, password in ${cluster.password_env})"
            elif cluster.api_key_env:
                auth = f"  (API key in ${cluster.api_key_env})"
            print(f"{cluster.name:<{width}}  {cluster.dialect:<8}  {cluster.url}{auth}")
        print(f"repositories under {sandbox.root}")
        if args.write_config:
            path = sandbox.write_config(args.write_config)
            print(f"wrote {path}")
            for env, value in sandbox.secrets().items():
                print(f"  export {env}={value}")
        sys.stdout.flush()
        if args.once:
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        await stop.wait()
    return 0
