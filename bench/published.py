"""Bench: the published files (rating JSON, the review list's first page, the badge) served by nginx
with the shipped configuration (deploy/nginx/reviews-published.conf), against the bare Flask JSON
endpoint under gunicorn, in one run.

Target (issue 18): the static rating JSON at least 15x the bare Flask endpoint.

How it stays fair: both servers listen on loopback, with the same number of worker processes
(`--workers`, 2 by default: gunicorn `-w 2`, nginx `worker_processes 2`); wrk drives both with the
same threads and connections (the harness's 2 threads, 16 connections) and no Accept-Encoding, so
nginx sends the plain file as Flask sends plain JSON; runs of the two alternate (`compare`, best of
the rounds), so the machine's load hits both sides alike. What differs is what is measured: nginx
sends a file from the page cache and keeps connections alive, gunicorn's sync workers run Python
and close each one (that is the production baseline every bench here is a ratio to).

The folder is filled as an operator fills it: the shop seeded as bench/ratings.py seeds it (48
products, 3 published reviews each), then `reviews-service publish`. Before measuring, each file
is checked byte for byte against the API's answer.
Run: .venv/bin/python bench/published.py [--workers 2] [--seconds 8]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import compare, gunicorn, nginx, same_bytes  # noqa: E402
from ratings import SECRET, seed  # noqa: E402

TARGETS = {"rating JSON": 15.0}
CLI = str(Path(sys.executable).with_name("reviews-service"))
FILES = {  # what is measured: (the published file, the API answer it copies)
    "rating JSON": ("products/p7/rating.json", "products/p7/rating"),
    "reviews.json": ("products/p7/reviews.json", "products/p7/reviews"),
    "badge": ("products/p7/badge.svg", "products/p7/badge.svg"),
}


def publish(env: dict[str, str]) -> None:
    """Every shop's files, through the CLI an operator runs."""
    subprocess.run([CLI, "publish"], env={**os.environ, **env}, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and nginx worker_processes")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        db_url = f"sqlite:///{instance}/bench.db"
        root = Path(instance) / "published"
        public_key = seed(instance, db_url)
        env = {"REVIEWS_INSTANCE_PATH": instance, "REVIEWS_SECRET_KEY": SECRET, "REVIEWS_DATABASE_URL": db_url,
               "REVIEWS_ENV": "production", "REVIEWS_PUBLISH_STORAGE": "local", "REVIEWS_PUBLISH_ROOT": str(root)}
        publish(env)
        with gunicorn("bench.bare_app:app", {}, workers=args.workers) as bare, \
                gunicorn("wsgi:app", env, workers=args.workers) as svc, \
                nginx(root, Path(instance) / "nginx", workers=args.workers) as static:
            print(f"--- nginx, worker_processes {args.workers}; bare Flask under gunicorn sync, -w {args.workers}")
            for name, (file, answer) in FILES.items():
                file_url = f"{static}/{public_key}/{file}"
                same_bytes(file_url, f"{svc}/api/v1/public/{public_key}/{answer}")
                ratio = compare(f"{name} (nginx)", f"{bare}/json", file_url, rounds=args.rounds,
                                seconds=args.seconds)
                if name in TARGETS:
                    verdict = "met" if ratio >= TARGETS[name] else "NOT met"
                    print(f"  {name}: {ratio:.2f}x (target {TARGETS[name]}x) {verdict}")


if __name__ == "__main__":
    main()
