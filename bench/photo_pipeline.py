"""Benchmark: `process_photo` against a naive Pillow pipeline on a 12-megapixel camera JPEG.

Run with `.venv/bin/python bench/photo_pipeline.py`. Both pipelines produce the same two
renditions (1600 px display, 400 px thumbnail, JPEG quality 82, optimized, progressive); the naive
one decodes every pixel first and resizes twice from the full image. Runs are interleaved so that
CPU frequency and cache effects hit both alike, and the medians are compared. Both pipelines are
single-threaded and CPU-bound, so the verdict uses CPU time, which other processes on a shared
machine do not inflate; wall-clock medians are printed beside it.
Target: process_photo takes at most 0.55x the naive time. Exits 1 when the target is missed.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

from PIL import Image, ImageOps

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _images import camera_jpeg  # noqa: E402

from reviews_service.reviews.photos import process_photo  # noqa: E402

TARGET_RATIO = 0.55


def naive_pipeline(data: bytes) -> tuple[bytes, bytes]:
    """What a first version would do: full decode, orient, two thumbnails from the original."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image)
    outputs = []
    for box in (1600, 400):
        copy = image.copy()
        copy.thumbnail((box, box))
        buffer = io.BytesIO()
        copy.convert("RGB").save(buffer, "JPEG", quality=82, optimize=True, progressive=True)
        outputs.append(buffer.getvalue())
    return outputs[0], outputs[1]


def timed(function, data: bytes) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    function(data)
    return time.process_time() - cpu, time.perf_counter() - wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each pipeline")
    args = parser.parse_args()

    data = camera_jpeg()
    print(f"input: 4000x3000 JPEG, {len(data) / 1e6:.1f} MB; {args.runs} interleaved runs each")
    ours_runs, naive_runs = [], []
    for run in range(args.runs + 1):
        ours, naive = timed(process_photo, data), timed(naive_pipeline, data)
        if run:  # the first round warms caches and imports up and is not counted
            ours_runs.append(ours)
            naive_runs.append(naive)

    ratios = []
    for column, label in ((0, "CPU time"), (1, "wall time")):
        ours_median = statistics.median(run[column] for run in ours_runs)
        naive_median = statistics.median(run[column] for run in naive_runs)
        ratios.append(ours_median / naive_median)
        print(f"{label:9s} medians: process_photo {ours_median * 1000:6.1f} ms, "
              f"naive {naive_median * 1000:6.1f} ms, ratio {ratios[-1]:.2f}x")
    verdict = "ok" if ratios[0] <= TARGET_RATIO else "MISSED"
    print(f"ratio {ratios[0]:.2f}x CPU time (target <= {TARGET_RATIO}x): {verdict}")
    return 0 if ratios[0] <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
