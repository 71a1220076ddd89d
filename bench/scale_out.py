"""Bench: N stateless web processes and M outbox workers on one PostgreSQL and one Redis.

The production picture on one machine: N gunicorn instances (one sync worker each) on their own
loopback ports behind a real nginx load balancer (least_conn), M copies of `reviews-service
worker` (the real CLI), a fresh PostgreSQL database, and one Redis for the rate-limit counters
and the web processes' cache drops (REVIEWS_REDIS_URL). nginx rather than a client that spreads
requests itself: the clients then see one address, as a storefront does, and the balancer's cost
is in the numbers. A shop is set up with the CLI, its products with the server
API, and a webhook endpoint subscribed to "*" that points at a loopback receiver; e-mails go to
an SMTP sink (both in bench/_sinks.py, in a process of their own).

For --seconds, client threads post orders (server API, secret key) and a review of each order's
product with the order's widget token (public API, from the shop's origin), while wrk reads
rating JSON and review lists of random products through the balancer. The clients write as fast
as they can, or at a steady --rate (the same outbox inflow for runs with different numbers of
workers); --publish adds publish on write (a local folder) to the workers' load. Then the load
stops, the workers drain the outbox, and the bench checks exactly-once: every due outbox row is
`sent`, and the receiver and the SMTP sink saw each of them exactly once (by event id and
Message-ID), none missing, none twice. It exits non-zero, loudly, when that fails or any request was refused.

Reported: accepted writes per second, read latency p50/p99 (wrk --latency; wrk is closed-loop,
so the reads keep the machine busy and their tail includes queueing behind the writes), outbox
lag p50/p99 (from the row's created_at, stamped in the writing transaction just before its
commit, to the receiver's arrival clock, same machine), labelled with the machine.

Settings the bench changes, and why: the rate limits are raised (REVIEWS_SERVER_API_LIMIT,
REVIEWS_PUBLIC_WRITE_LIMIT) so that the load is not throttled, since every client is 127.0.0.1;
REVIEWS_WEBHOOK_ALLOW_PRIVATE=1 and REVIEWS_WEBHOOK_ALLOW_HTTP=1 let a production-mode service
create and deliver to a plain-http loopback receiver, which the address guard in
outbox/webhooks.py refuses by default in production; the workers poll every --poll seconds
(the CLI's --poll; REVIEWS_WORKER_POLL_SECONDS is 5 by default, which adds up to 5 s of lag).

Run: .venv/bin/python bench/scale_out.py --web 2 --workers 2 --seconds 20
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _cluster import (  # noqa: E402
    Processes,
    bench_database,
    drained,
    machine_label,
    outbox_rows,
    start_balancer,
    unfinished,
    wait_for_port,
)
from _harness import ROOT, free_port, server_command  # noqa: E402

SECRET = "bench-scale-out-secret-0123456789-abcdefghij"
ORIGIN = "https://shop.example"
CLI = str(Path(sys.executable).with_name("reviews-service"))
UNLIMITED = "1000000 per minute"
STARS = (5, 5, 4, 5, 3, 4, 5, 1, 5, 2)  # mostly happy, as a shop's reviews are
WORDS = ("fits well", "arrived on time", "warm", "light", "sturdy", "a bit small", "great colour",
         "comfortable", "worth the price", "the seams came loose", "would buy again", "runs large")


# --- load ----------------------------------------------------------------------------------------

class Writers:
    """Client threads: an order through the server API, then a review of its product with the
    order's widget token through the public API, again and again until stopped; each client
    starts a pair every `pace` seconds when given (a steady offered load), else as fast as it can."""

    def __init__(self, base: str, secret: str, public_key: str, products: int, pace: float = 0.0):
        self.base, self.secret, self.public_key, self.products = base, secret, public_key, products
        self.pace = pace
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.accepted = Counter()
        self.refused: Counter = Counter()
        self.samples: list[str] = []

    def _note(self, what: str, response: requests.Response) -> bool:
        with self.lock:
            if response.status_code == 201:
                self.accepted[what] += 1
                return True
            self.refused[f"{what} {response.status_code}"] += 1
            if len(self.samples) < 5:
                self.samples.append(f"{what} {response.status_code}: {response.text[:300]}")
            return False

    def run(self, n: int, rounds: int | None = None) -> None:
        """Write until stopped (or `rounds` times); client `n` picks its own products."""
        http = requests.Session()
        server = {"Authorization": f"Bearer {self.secret}"}
        i = 0
        next_at = time.monotonic()
        while not self.stopping.is_set() and (rounds is None or i < rounds):
            if self.pace:
                # Behind schedule (a slow answer), the next pair goes at once: the offered load
                # stays what was asked for as long as the clients can keep up.
                self.stopping.wait(max(0.0, next_at - time.monotonic()))
                next_at += self.pace
                if self.stopping.is_set():
                    break
            i += 1
            product = f"p{(n * 7919 + i * 104729) % self.products}"
            order_id = f"B-{n}-{i}-{uuid.uuid4().hex[:6]}"
            order = {"id": order_id, "customer": {"email": f"{order_id.lower()}@example.com",
                                                  "name": "Ana Buyer", "locale": "en"},
                     "items": [{"product_id": product, "name": f"Product {product}", "quantity": 1,
                                "price": "19.90"}],
                     "placed_at": "2026-11-01T12:00:00+00:00", "currency": "EUR", "total": "19.90"}
            try:
                answer = http.post(f"{self.base}/api/v1/orders", json=order, headers=server, timeout=30)
                if not self._note("order", answer):
                    continue
                words = ", ".join(WORDS[(i * k + n) % len(WORDS)] for k in (1, 3, 5))
                review = {"rating": STARS[(n + i) % len(STARS)], "title": f"{WORDS[(n * 5 + i) % len(WORDS)]}",
                          "body": f"{words.capitalize()}. Order {order_id}.", "display_name": "Ana B.",
                          "token": answer.json()["widget_token"]}
                # Every shopper has a browser of their own: a visitor is its address and user
                # agent, and all the bench's shoppers come from 127.0.0.1.
                shopper = {"Origin": ORIGIN, "User-Agent": f"Mozilla/5.0 (bench shopper {order_id})"}
                self._note("review", http.post(
                    f"{self.base}/api/v1/public/{self.public_key}/products/{product}/reviews",
                    json=review, headers=shopper, timeout=30))
            except requests.RequestException as exc:
                with self.lock:
                    self.refused[f"connection {type(exc).__name__}"] += 1


WRK_SCRIPT = """\
local key, products = "{key}", {products}
math.randomseed(os.time())
request = function()
  local path = "/api/v1/public/" .. key .. "/products/p" .. math.random(0, products - 1)
  if math.random() < 0.5 then path = path .. "/rating" else path = path .. "/reviews" end
  return wrk.format("GET", path)
end
"""
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def start_reads(procs: Processes, folder: Path, base: str, key: str, products: int, seconds: int,
                connections: int) -> subprocess.Popen:
    script = folder / "reads.lua"
    script.write_text(WRK_SCRIPT.format(key=key, products=products))
    # A slow answer is a latency, not an error: wrk's 2 s default would count it apart and leave
    # it out of the percentiles.
    return procs.start("wrk", ["wrk", "-t", "1", "-c", str(connections), "-d", f"{seconds}s", "--latency",
                               "--timeout", "60s", "-s", str(script), base], {})


def read_results(output: str) -> dict:
    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M).groups()
        return float(value) * _UNITS[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: (.+)", output)
    return {"p50": ms("50"), "p99": ms("99"), "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "requests": int(re.search(r"(\d+) requests in", output).group(1)),
            "non2xx": int(errors.group(1)) if errors else 0, "socket": sockets.group(1) if sockets else ""}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))] if ordered else 0.0


# --- the run -------------------------------------------------------------------------------------

def service_env(db_url: str, folder: Path, redis_url: str, public_url: str, smtp_port: int,
                publish: bool) -> dict[str, str]:
    return {
        "REVIEWS_ENV": "production", "REVIEWS_SECRET_KEY": SECRET, "REVIEWS_DATABASE_URL": db_url,
        "REVIEWS_INSTANCE_PATH": str(folder / "instance"), "REVIEWS_PUBLIC_URL": public_url,
        "REVIEWS_TRUSTED_PROXIES": "1", "REVIEWS_RATELIMIT_STORAGE_URI": redis_url, "REVIEWS_REDIS_URL": redis_url,
        "REVIEWS_SERVER_API_LIMIT": UNLIMITED, "REVIEWS_PUBLIC_WRITE_LIMIT": UNLIMITED,
        "REVIEWS_WEBHOOK_ALLOW_HTTP": "1", "REVIEWS_WEBHOOK_ALLOW_PRIVATE": "1",
        "REVIEWS_SMTP_URL": f"smtp://127.0.0.1:{smtp_port}", "REVIEWS_MAIL_FROM": "reviews@shop.example",
        "REVIEWS_PUBLISH_STORAGE": "local" if publish else "",
        "REVIEWS_PUBLISH_ROOT": str(folder / "published"),
    }


def cli(env: dict[str, str], *args: str) -> str:
    """Run `reviews-service ARGS`; answers its output, raises with it on failure."""
    done = subprocess.run([CLI, *args], env={**os.environ, **env}, cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    if done.returncode != 0:
        raise RuntimeError(f"reviews-service {args[0]} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def setup_shop(env: dict[str, str], base: str, products: int, webhook_port: int) -> dict:
    """The shop through the CLI, its products and the webhook endpoint through the server API."""
    shop = json.loads(cli(env, "create-shop", "Scale-out bench shop", "--origin", ORIGIN, "--json")
                      .strip().splitlines()[-1])
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {shop['secret_key']}"
    for i in range(products):
        http.put(f"{base}/api/v1/products/p{i}", json={"name": f"Product {i}"}, timeout=30).raise_for_status()
    hook = http.post(f"{base}/api/v1/webhooks", json={"url": f"http://127.0.0.1:{webhook_port}/hooks",
                                                      "events": ["*"]}, timeout=30)
    if hook.status_code != 201:
        raise RuntimeError(f"the webhook endpoint was refused: {hook.status_code} {hook.text}")
    return shop


def warm_up(shop: dict, web_ports: list[int], products: int) -> None:
    """Not measured: each web process loads on first use what it loads then (the language
    detector's model takes seconds on a busy machine), and the workers deliver a first round."""
    for port in web_ports:
        base = f"http://127.0.0.1:{port}"
        warm = Writers(base, shop["secret_key"], shop["public_key"], products)
        warm.run(0, rounds=2)
        for path in ("rating", "reviews"):
            requests.get(f"{base}/api/v1/public/{shop['public_key']}/products/p0/{path}", timeout=60).raise_for_status()
        if warm.refused:
            raise RuntimeError(f"the warm-up's writes were refused: {warm.samples}")


def deliveries(path: Path) -> dict[str, list[tuple[str, float]]]:
    """What the sinks saw: kind -> [(event id or Message-ID, arrival time)], duplicates kept."""
    seen: dict[str, list[tuple[str, float]]] = {"webhook": [], "email": []}
    for line in path.read_text().splitlines():
        kind, ident, _what, arrived = line.split("\t")
        seen[kind].append((ident, float(arrived)))
    return seen


def check_exactly_once(rows: list[dict], seen: dict[str, list[tuple[str, float]]],
                       since: float) -> tuple[list[str], dict]:
    """Compare the outbox with what arrived; answers the failures, and the lags (ms) by kind of
    the rows written from `since` on (the warm-up's rows are checked, not timed)."""
    failures, lags = [], {}
    now = time.time()
    due = [r for r in rows if r["due_at"].timestamp() <= now]
    later = len(rows) - len(due)
    statuses = Counter(r["status"] for r in due)
    print(f"outbox: {len(rows)} rows; due {len(due)}: "
          + ", ".join(f"{s} {n}" for s, n in sorted(statuses.items()))
          + (f"; {later} scheduled for later (not due, not checked)" if later else ""))
    if set(statuses) != {"sent"}:
        failures.append(f"due outbox rows not sent: {dict(statuses - Counter({'sent': statuses['sent']}))}")
    retried = sum(1 for r in due if r["attempts"] > 1)
    if retried:
        print(f"  {retried} rows needed more than one attempt")
    for kind, ident_of in (("webhook", lambda p: p["id"]), ("email", lambda p: p["headers"]["Message-ID"])):
        expected = {ident_of(r["payload"]): r for r in due if r["kind"] == kind}
        arrivals = Counter(ident for ident, _t in seen[kind])
        twice = {i: n for i, n in arrivals.items() if n > 1}
        missing = expected.keys() - arrivals.keys()
        stray = arrivals.keys() - expected.keys()
        topics = Counter(r["topic"] for r in expected.values())
        print(f"{kind}s: expected {len(expected)} ({', '.join(f'{t} {n}' for t, n in sorted(topics.items()))}); "
              f"received {sum(arrivals.values())}, distinct {len(arrivals)}; "
              f"duplicates {len(twice)}, missing {len(missing)}, not in the outbox {len(stray)}")
        if twice or missing or stray:
            failures.append(f"{kind}s not delivered exactly once: {len(twice)} twice, {len(missing)} missing, "
                            f"{len(stray)} unknown (e.g. {sorted(twice)[:3] + sorted(missing)[:3] + sorted(stray)[:3]})")
        first = {}
        for ident, arrived in seen[kind]:
            first.setdefault(ident, arrived)
        lags[kind] = [(first[i] - r["created_at"].timestamp()) * 1000 for i, r in expected.items()
                      if i in first and r["created_at"].timestamp() >= since]
    tasks = [r for r in due if r["kind"] == "task" and r["sent_at"] is not None]
    if tasks:
        # A task is done where it runs, not at a receiver: its lag ends at sent_at.
        print(f"tasks: {len(tasks)} ({', '.join(f'{t} {n}' for t, n in sorted(Counter(r['topic'] for r in tasks).items()))})")
        lags["task"] = [(r["sent_at"] - r["created_at"]).total_seconds() * 1000 for r in tasks
                        if r["created_at"].timestamp() >= since]
    timed = [r for r in due if r["created_at"].timestamp() >= since]
    arrivals = [t for kind in seen for _i, t in seen[kind] if t >= since]
    if timed and arrivals:
        queued_for = max(r["created_at"].timestamp() for r in timed) - since
        delivered_for = max(arrivals) - since
        print(f"throughput: {len(timed)} rows queued in {queued_for:.1f} s ({len(timed) / queued_for:.1f}/s), "
              f"all delivered {delivered_for:.1f} s after the load began ({len(timed) / delivered_for:.1f}/s)")
    return failures, lags


def run(args: argparse.Namespace, db_url: str, folder: Path, procs: Processes,
        stack: contextlib.ExitStack) -> list[str]:
    sink_file = folder / "deliveries.tsv"
    sink = procs.start("sinks", [sys.executable, str(Path(__file__).with_name("_sinks.py")), str(sink_file)], {},
                       stdout=subprocess.PIPE)
    ready = sink.stdout.readline().decode().split()
    if not ready or ready[0] != "ready":
        raise RuntimeError(f"the delivery sinks did not start:\n{procs.log('sinks')}")
    webhook_port, smtp_port = int(ready[1]), int(ready[2])

    web_ports = [free_port() for _ in range(args.web)]
    lb_port = start_balancer(procs, folder, web_ports)
    base = f"http://127.0.0.1:{lb_port}"
    env = service_env(db_url, folder, args.redis, base, smtp_port, args.publish)
    cli(env, "init")
    for n, port in enumerate(web_ports):
        proc = procs.start(f"web{n}", server_command("gunicorn-sync", "wsgi:app", port, workers=1), env)
        wait_for_port(port, proc, f"web process {n}")
    shop = setup_shop(env, base, args.products, webhook_port)
    workers = [procs.start(f"worker{n}", [CLI, "worker", "--poll", str(args.poll)], env) for n in range(args.workers)]
    warm_up(shop, web_ports, args.products)
    if not drained(db_url, args.drain_timeout):
        raise RuntimeError(f"the workers did not drain the warm-up's outbox: {dict(unfinished(db_url))}")

    print(f"settings for the run: rate limits raised to {UNLIMITED} (REVIEWS_SERVER_API_LIMIT, "
          "REVIEWS_PUBLIC_WRITE_LIMIT: every client is 127.0.0.1); webhooks to a plain-http loopback "
          "receiver allowed in production mode (REVIEWS_WEBHOOK_ALLOW_PRIVATE=1, REVIEWS_WEBHOOK_ALLOW_HTTP=1)")
    print(f"--- {args.web} web process{'es' if args.web != 1 else ''} (gunicorn sync, 1 worker each) "
          "behind nginx (least_conn), "
          f"{args.workers} outbox worker{'s' if args.workers != 1 else ''} (poll {args.poll} s), "
          f"{args.clients} writing clients{f' offering {args.rate:g} writes/s' if args.rate else ''}, "
          f"wrk {args.read_connections} connections, {args.seconds} s, {args.products} products")
    writers = Writers(base, shop["secret_key"], shop["public_key"], args.products,
                      pace=2 * args.clients / args.rate if args.rate else 0.0)
    threads = [threading.Thread(target=writers.run, args=(n,), daemon=True) for n in range(args.clients)]
    stack.callback(writers.stopping.set)
    wrk = start_reads(procs, folder, base, shop["public_key"], args.products, args.seconds, args.read_connections)
    started, load_started = time.monotonic(), time.time()
    for t in threads:
        t.start()
    wrk.wait(args.seconds + 60)
    writers.stopping.set()
    for t in threads:
        t.join(60)
    elapsed = time.monotonic() - started
    reads = read_results(procs.log("wrk"))

    emptied = drained(db_url, args.drain_timeout)
    drain = time.monotonic() - started - elapsed
    for proc in workers:
        procs.stop(proc)
    per_worker = [re.search(r"sent (\d+)", procs.log(f"worker{n}")) for n in range(args.workers)]

    failures = []
    writes = sum(writers.accepted.values())
    print(f"writes: {writers.accepted['order']} orders + {writers.accepted['review']} reviews accepted in "
          f"{elapsed:.1f} s = {writes / elapsed:.1f} writes/s"
          + (f"; REFUSED {dict(writers.refused)}" if writers.refused else ""))
    if writers.refused:
        failures.append(f"writes refused: {dict(writers.refused)}; e.g. {writers.samples}")
    print(f"reads: {reads['requests']} in {args.seconds} s ({reads['rps']:.0f}/s), latency p50 {reads['p50']:.1f} ms, "
          f"p99 {reads['p99']:.1f} ms" + (f"; NON-2xx {reads['non2xx']}" if reads["non2xx"] else "")
          + (f"; socket errors {reads['socket']}" if reads["socket"] else ""))
    if reads["non2xx"] or reads["socket"]:
        failures.append(f"reads failed: {reads['non2xx']} non-2xx answers, socket errors {reads['socket'] or 0}")
    print((f"drain: the outbox was empty {drain:.1f} s after the load stopped" if emptied else
           f"drain: the outbox was NOT empty {drain:.1f} s after the load stopped")
          + "; sent per worker (warm-up included): " + ", ".join(m.group(1) if m else "?" for m in per_worker))
    more, lags = check_exactly_once(outbox_rows(db_url), deliveries(sink_file), load_started)
    failures += more
    for kind, values in lags.items():
        if values:
            end = "done" if kind == "task" else "arrival"
            print(f"outbox lag, {kind}s (created_at -> {end}): p50 {percentile(values, 50):.0f} ms, "
                  f"p99 {percentile(values, 99):.0f} ms, max {max(values):.0f} ms")
    return failures


def at_least_one(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def interrupted(*_args) -> None:
    """Ctrl-C or SIGTERM: unwind once, and let no second signal cut the clean-up short."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--web", type=at_least_one, default=2, help="web processes (gunicorn instances, 1 worker each)")
    parser.add_argument("--workers", type=at_least_one, default=2, help="`reviews-service worker` copies")
    parser.add_argument("--seconds", type=at_least_one, default=20, help="how long the load runs")
    parser.add_argument("--clients", type=at_least_one, default=4, help="writing client threads")
    parser.add_argument("--rate", type=float, default=0.0,
                        help="offered writes per second (orders + reviews) spread over the clients; "
                             "default: each client as fast as it can")
    parser.add_argument("--read-connections", type=at_least_one, default=4, help="wrk connections reading")
    parser.add_argument("--products", type=at_least_one, default=200)
    parser.add_argument("--poll", type=float, default=0.5, help="the workers' --poll, seconds")
    parser.add_argument("--publish", action="store_true",
                        help="publish on write to a local folder (REVIEWS_PUBLISH_STORAGE=local): "
                             "the workers also rewrite each changed product's files")
    parser.add_argument("--drain-timeout", type=float, default=120)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="an admin URL of the PostgreSQL server (a bench database is created beside it)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    # Ctrl-C and SIGTERM unwind the same way: every process stopped, the database dropped.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, interrupted)
    label, cores = machine_label(args.pg, args.redis)
    print(label)
    print(f"Web processes, workers, PostgreSQL, Redis, nginx and the clients all share these {cores} cores: "
          "this run shows correctness (exactly-once delivery) and outbox lag under load, not scaling; "
          "claim no scaling with N from it.")
    try:
        return measure(args)
    except KeyboardInterrupt:
        print("\ninterrupted: every process stopped, the bench database dropped", file=sys.stderr)
        return 130


def measure(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="scale-out-") as tmp, contextlib.ExitStack() as stack:
        folder = Path(tmp)
        # Unwound in reverse: the processes stop first, then the database is dropped.
        db_url = stack.enter_context(bench_database(args.pg))
        procs = Processes(folder)
        stack.callback(procs.stop_all)
        try:
            failures = run(args, db_url, folder, procs, stack)
        except Exception:
            for name, _proc in procs.running:
                tail = procs.log(name)[-1500:]
                if tail.strip():
                    print(f"--- {name} log (tail) ---\n{tail}", file=sys.stderr)
            raise
    if failures:
        print("\nFAIL:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("OK: every due outbox row sent, and delivered exactly once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
