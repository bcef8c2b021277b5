"""How fast repository metadata blobs decode and encode: a large repository has thousands.

Uses the real fixture repositories in ``../shared/fixtures/real-repositories`` (all 66 metadata
blobs, uncompressed and deflate-rewrapped) plus one synthetic 2 MB index-metadata blob.

Run: .venv/bin/python benchmarks/bench_codec.py   (prints figures, asserts nothing)
"""

from __future__ import annotations

import time
from pathlib import Path

from esnap_tui.repository import envelope, smile

REAL_REPOS = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real-repositories"


def _blobs() -> list[tuple[bytes, str]]:
    blobs = []
    for path in sorted(REAL_REPOS.rglob("*")):
        if not path.is_file() or path.name.startswith("__"):
            continue
        if path.suffix == ".dat" or (path.name.startswith("index-") and "indices" in path.parts):
            data = path.read_bytes()
            blobs.append((data, data[5 : 5 + data[4]].decode("ascii")))
    return blobs


def _measure(label: str, blobs: list[tuple[bytes, str]], action, rounds: int) -> None:
    size = sum(len(data) for data, _ in blobs)
    start = time.perf_counter()
    for _ in range(rounds):
        for data, codec in blobs:
            action(data, codec)
    seconds = time.perf_counter() - start
    count = len(blobs) * rounds
    print(
        f"{label:<40} {count:>7} blobs  {seconds * 1e6 / count:9.1f} µs/blob  "
        f"{size * rounds / seconds / 1e6:7.1f} MB/s"
    )


def main() -> None:
    blobs = _blobs()
    if not blobs:
        print(f"no fixtures at {REAL_REPOS}")
    else:
        values = [envelope.decode_blob(d, c, path="b") for d, c in blobs]
        deflated = [
            (envelope.write_blob(v, c, compress=True), c)
            for v, (_, c) in zip(values, blobs, strict=True)
        ]
        print(f"{len(blobs)} real metadata blobs, {sum(len(d) for d, _ in blobs)} bytes")
        _measure("decode_blob (real, uncompressed)", blobs,
                 lambda d, c: envelope.decode_blob(d, c, path="b"), 50)
        _measure("decode_blob (real, DFL deflate)", deflated,
                 lambda d, c: envelope.decode_blob(d, c, path="b"), 50)
        pairs = list(zip(values, [c for _, c in blobs], strict=True))
        start = time.perf_counter()
        for _ in range(50):
            for value, codec in pairs:
                envelope.write_blob(value, codec)
        seconds = time.perf_counter() - start
        print(f"{'write_blob (real values)':<40} {len(pairs) * 50:>7} blobs  "
              f"{seconds * 1e6 / (len(pairs) * 50):9.1f} µs/blob")

    big = {
        "big-index": {
            "settings": {f"index.setting.{i}": str(i) for i in range(2000)},
            "mappings": {
                "properties": {
                    f"field_{i}": {"type": "keyword", "fields": {"text": {"type": "text"}}}
                    for i in range(20000)
                }
            },
        }
    }
    data = envelope.write_blob(big, "index-metadata")
    start = time.perf_counter()
    envelope.decode_blob(data, "index-metadata", path="big")
    seconds = time.perf_counter() - start
    print(f"{'one synthetic index-metadata blob':<40} {len(data):>7} bytes "
          f"{seconds * 1e3:9.1f} ms     {len(data) / seconds / 1e6:7.1f} MB/s")
    start = time.perf_counter()
    smile.encode(big)
    print(f"{'encode the same value':<40} {'':>7}       "
          f"{(time.perf_counter() - start) * 1e3:9.1f} ms")


if __name__ == "__main__":
    main()
