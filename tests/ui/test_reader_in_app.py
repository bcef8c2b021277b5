"""Inside a running app, repository files are really read in the reader's child process.

Textual swaps ``sys.stderr`` while an app runs, and multiprocessing's first start failed on
that, leaving every read in a thread of the UI process (the freezes the child exists to
prevent) without a word. Only a fresh interpreter shows it: once any child has started in a
process, later starts succeed, so the check runs in one of its own.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import asyncio, os, sys
from esnap_tui.config import parse_config
from esnap_tui.repository.reader_process import shared_reader_process
from esnap_tui.ui.app import EsnapApp, stop_reader_process

async def main() -> None:
    config = parse_config("offline:\\n  - name: single\\n    path: " + sys.argv[1] + "\\n")
    app = EsnapApp(config)
    async with app.run_test() as pilot:
        for _ in range(2000):
            await pilot.pause(0.005)
            if app.services.sources and app.services.sources[0].state.ok:
                break
        reads = shared_reader_process()
        where = await reads.run(os.getpid)
        print("child" if where != os.getpid() else "here", reads.fallback_reason)

if __name__ == "__main__":
    try:
        asyncio.run(main())
    finally:
        stop_reader_process()
"""


def test_repository_reads_run_in_a_child_process_while_the_app_runs(
    real_repositories: Path, tmp_path: Path
) -> None:
    script = tmp_path / "reads.py"
    script.write_text(SCRIPT)
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("ESNAP_READER_PROCESS", None)
    done = subprocess.run(
        [sys.executable, str(script), str(real_repositories / "ES_7_10_Single")],
        capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["child", "None"], done.stdout + done.stderr
