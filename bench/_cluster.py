"""The scale-out bench's machinery: the machine's label, the child processes (every one stopped on
the way out), nginx as the load balancer in front of the web processes, and a bench database on
PostgreSQL with the outbox reads the checks need."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time
from collections import Counter
from pathlib import Path

import psycopg
import redis
from _harness import ROOT, free_port

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


# --- the machine ---------------------------------------------------------------------------------

def machine_label(admin_url: str, redis_url: str) -> tuple[str, int]:
    """One line naming the machine and the servers the numbers came from, and the number of cores."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = re.search(r"model name\s*:\s*(.+)", cpuinfo)
    mem_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    redis_version = redis.Redis.from_url(redis_url).info("server")["redis_version"]
    cores = len(os.sched_getaffinity(0))
    return (f"machine: {cores} cores ({model.group(1).strip() if model else 'unknown CPU'}), "
            f"{mem_kb / 1024 / 1024:.1f} GiB RAM, PostgreSQL {pg}, Redis {redis_version}"), cores

# --- processes -----------------------------------------------------------------------------------

class Processes:
    """Every child the bench starts; all of them are stopped on the way out, whatever happens."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.running: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, cmd: list[str], env: dict[str, str], **kw) -> subprocess.Popen:
        out = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT, stdout=kw.pop("stdout", out),
                                stderr=out, **kw)
        self.running.append((name, proc))
        return proc

    def stop(self, proc: subprocess.Popen, grace: float = 15) -> None:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def stop_all(self) -> None:
        for _name, proc in reversed(self.running):
            self.stop(proc)

    def log(self, name: str) -> str:
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def wait_for_port(port: int, proc: subprocess.Popen, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start listening on port {port}")


NGINX_CONF = """\
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {folder}/nginx-body;
    proxy_temp_path {folder}/nginx-proxy;
    fastcgi_temp_path {folder}/nginx-fastcgi;
    uwsgi_temp_path {folder}/nginx-uwsgi;
    scgi_temp_path {folder}/nginx-scgi;
    # A sync gunicorn worker serves one request at a time: send each to the least busy one.
    upstream web {{
        least_conn;
{servers}
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://web;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
        }}
    }}
}}
"""


def start_balancer(procs: Processes, folder: Path, ports: list[int]) -> int:
    port = free_port()
    servers = "\n".join(f"        server 127.0.0.1:{p};" for p in ports)
    conf = folder / "nginx.conf"
    conf.write_text(NGINX_CONF.format(folder=folder, servers=servers, port=port))
    proc = procs.start("nginx", [NGINX, "-p", str(folder), "-e", str(folder / "nginx-error.log"),
                                 "-c", str(conf), "-g", "daemon off;"], {})
    wait_for_port(port, proc, "nginx")
    return port

# --- the database --------------------------------------------------------------------------------

@contextlib.contextmanager
def bench_database(admin_url: str):
    """A fresh database on the server of `admin_url`, dropped on the way out (connections and all)."""
    name = f"bench_scale_out_{os.getpid()}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{admin_url.rsplit('/', 1)[0]}/{name}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def outbox_rows(db_url: str) -> list[dict]:
    with psycopg.connect(db_url) as conn:
        cur = conn.execute("SELECT id, kind, topic, status, attempts, created_at, due_at, sent_at, payload FROM outbox")
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def drained(db_url: str, seconds: float) -> bool:
    """Wait until no due row is waiting or being sent (a failed one waits for its backoff: the
    check reports it); answers whether that happened within `seconds`."""
    deadline = time.monotonic() + seconds
    while set(unfinished(db_url)) & {"pending", "sending"}:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def unfinished(db_url: str) -> Counter:
    """Due rows not yet `sent`, by status."""
    with psycopg.connect(db_url) as conn:
        return Counter(dict(conn.execute(
            "SELECT status, count(*) FROM outbox WHERE status <> 'sent' AND due_at <= now() GROUP BY status"
        ).fetchall()))
