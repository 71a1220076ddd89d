"""Bench: every way a storefront reads one product, side by side in one run, each as a ratio to the
bare Flask JSON endpoint measured in the same run (issue 18's "Measured" list).

- the published files (`rating.json`, `reviews.json`) served by nginx with the shipped configuration;
- the API with the in-process answer cache on (`REVIEWS_RATING_CACHE_TTL=10`: the fast path's replay);
- the API with it off (`REVIEWS_RATING_CACHE_TTL=0`: Flask, one connection, the queries, every time).

One shop, one product with 20 published reviews with a photo each (bench/review_list.py's seed);
the list is the API's default first page (10 reviews, with their photos), which is what
`reviews.json` holds. gunicorn sync and nginx get the same number of worker processes; wrk the
same threads and connections; runs alternate with the baseline (bench/_harness.py's `compare`).
Targets: static rating JSON >= 15x; uncached rating >= 0.6x; uncached list >= 0.35x.

Two measures. Requests per second under wrk is what a client sees, but wrk runs on the same cores:
against nginx, which answers a file in a few microseconds, wrk itself becomes the limit (on 2 cores,
nginx's throughput stops near 100,000 req/s whatever it is given). So the bench also reads each
server's own CPU time (its master and workers, from /proc) over a wrk run and reports CPU per
request: what one answer costs the machine that serves it.
Run: .venv/bin/python bench/storefront.py [--workers 2] [--seconds 8] [--rounds 2]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _harness import compare, cpu_per_request, gunicorn, nginx, same_bytes  # noqa: E402
from published import publish  # noqa: E402
from review_list import SECRET, seed  # noqa: E402

TARGETS = {"rating JSON, nginx on the published file": 15.0, "rating JSON, API uncached": 0.6,
           "review list, API uncached": 0.35}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers and nginx worker_processes")
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as instance:
        db_url = f"sqlite:///{instance}/bench.db"
        root = Path(instance) / "published"
        key, db_url = seed(instance, db_url)
        env = {"REVIEWS_INSTANCE_PATH": instance, "REVIEWS_SECRET_KEY": SECRET, "REVIEWS_DATABASE_URL": db_url,
               "REVIEWS_ENV": "production", "REVIEWS_PUBLIC_URL": "http://127.0.0.1",
               "REVIEWS_PUBLISH_STORAGE": "local", "REVIEWS_PUBLISH_ROOT": str(root)}
        publish(env)
        w = args.workers
        with gunicorn("bench.bare_app:app", {}, workers=w) as bare, \
                gunicorn("wsgi:app", {**env, "REVIEWS_RATING_CACHE_TTL": "10"}, workers=w) as cached, \
                gunicorn("wsgi:app", {**env, "REVIEWS_RATING_CACHE_TTL": "0"}, workers=w) as uncached, \
                nginx(root, Path(instance) / "nginx", workers=w) as static:
            api = f"/api/v1/public/{key}/products/p1"
            files = f"{static}/{key}/products/p1"
            same_bytes(f"{files}/rating.json", f"{uncached}{api}/rating")
            same_bytes(f"{files}/reviews.json", f"{uncached}{api}/reviews")
            urls = {
                "rating JSON, nginx on the published file": f"{files}/rating.json",
                "rating JSON, API cached": f"{cached}{api}/rating",
                "rating JSON, API uncached": f"{uncached}{api}/rating",
                "review list, nginx on the published file": f"{files}/reviews.json",
                "review list, API cached": f"{cached}{api}/reviews",
                "review list, API uncached": f"{uncached}{api}/reviews",
            }
            print(f"--- {w} worker processes each (gunicorn sync, nginx); the list: 10 reviews with photos")
            results = {name: compare(name, f"{bare}/json", url, rounds=args.rounds, seconds=args.seconds)
                       for name, url in urls.items()}
            print("--- the server's CPU per request (wrk's own share of the cores left out)")
            base_cost = min(cpu_per_request(f"{bare}/json", args.seconds) for _ in range(args.rounds))
            print(f"bare Flask: {base_cost * 1e6:.0f} us of CPU per request")
            costs = {}
            for name, url in urls.items():
                cost = min(cpu_per_request(url, args.seconds) for _ in range(args.rounds))
                costs[name] = base_cost / cost
                print(f"{name}: {cost * 1e6:.1f} us of CPU per request -> {costs[name]:.2f}x cheaper than bare Flask")
    print("--- ratios to bare Flask, this run: requests per second (and CPU per request, bare / this)")
    for name, ratio in results.items():
        target = TARGETS.get(name)
        verdict = "" if target is None else f" (target {target}x: {'met' if ratio >= target else 'NOT met'})"
        print(f"  {name}: {ratio:.2f}x{verdict}; CPU per request {costs[name]:.2f}x")


if __name__ == "__main__":
    main()
