"""How fast version ids decode: the catalogue decodes one id per index per snapshot.

Run: .venv/bin/python benchmarks/bench_versions.py   (prints figures, asserts nothing)
"""

from __future__ import annotations

import random
import time

from esnap_tui import versions


def _per_call(label: str, calls: int, seconds: float) -> None:
    print(f"{label:<44} {calls:>8} calls  {seconds * 1e6 / calls:8.2f} µs/call")


def main() -> None:
    start = time.perf_counter()
    versions.index_version_table()
    print(f"{'table load (once, lazy)':<44} {(time.perf_counter() - start) * 1e3:8.2f} ms")

    rng = random.Random(7)
    realistic = [7100299, 6082499, 8500003, 8512000, 9033000, 136327827, "7170099"] * 2000
    distinct = [rng.randrange(8_500_000, 9_100_000) for _ in range(20_000)]

    for label, ids in (
        ("repeated real ids (cached)", realistic),
        ("distinct IndexVersion ids (bisect, uncached)", distinct),
    ):
        versions._decode_int.cache_clear()
        start = time.perf_counter()
        for value in ids:
            versions.decode_version_id(value)
        _per_call(label, len(ids), time.perf_counter() - start)

    texts = ["7.13.4", "8.15.0-SNAPSHOT", "6.0.0-beta1", "2.11.0"] * 5000
    start = time.perf_counter()
    for text in texts:
        versions.Version.parse(text)
    _per_call("Version.parse", len(texts), time.perf_counter() - start)


if __name__ == "__main__":
    main()
