"""Render the main screens of the demo to ``screenshots/*.svg`` at 80x24 and 120x40.

Runs the real app headless against the demo sandbox (fixed clock, so the pictures only change
when the UI does): ``python scripts/screenshots.py [--scenario demo] [--out screenshots]``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIZES = ((80, 24), (120, 40))
# name -> keys pressed after the demo has loaded
SHOTS: dict[str, tuple[str, ...]] = {
    "main": (),
    "detail": ("tab", "tab", "enter"),
    "detail-indices": ("tab", "tab", "enter", "l"),
    "find-index": ("f", *"logs-*", "enter"),
    "help": ("question_mark",),
}


async def settle(app: Any, pilot: Any) -> None:
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(scenario: str, out: Path, name: str, keys: tuple[str, ...],
                size: tuple[int, int]) -> Path:
    from esnap_tui.ui.app import EsnapApp

    app = EsnapApp(None, demo=scenario)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        filename = f"{name}-{size[0]}x{size[1]}.svg"
        app.save_screenshot(filename=filename, path=str(out))
    return out / filename


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="demo")
    parser.add_argument("--out", default=str(ROOT / "screenshots"))
    args = parser.parse_args()
    os.environ.pop("NO_COLOR", None)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        for name, keys in SHOTS.items():
            path = await shoot(args.scenario, out, name, keys, size)
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
