"""Shared bench plumbing: start an app under gunicorn on loopback, drive it with wrk, compare.

Every benchmark reports a ratio to a bare Flask JSON endpoint served the same way in the same run,
so that the number means the same on a laptop and on a server.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SERVERS = ("gunicorn-sync", "gunicorn-gthread", "granian")


def server_command(kind: str, app_spec: str, port: int, workers: int = 2) -> list[str]:
    """The command line of each production server setting the benches compare."""
    if kind == "gunicorn-sync":
        return [GUNICORN, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--log-level", "warning",
                "--chdir", str(ROOT), app_spec]
    if kind == "gunicorn-gthread":
        return [GUNICORN, "-w", str(workers), "--threads", "4", "-k", "gthread", "-b",
                f"127.0.0.1:{port}", "--log-level", "warning", "--chdir", str(ROOT), app_spec]
    if kind == "granian":
        granian = str(Path(sys.executable).with_name("granian"))
        if not Path(granian).exists():
            sys.exit("granian is not installed (pip install granian)")
        return [granian, "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
                "--workers", str(workers), "--blocking-threads", "2", "--log-level", "warning",
                "--working-dir", str(ROOT), app_spec]
    raise ValueError(kind)


@contextlib.contextmanager
def gunicorn(app_spec: str, env: dict[str, str], workers: int = 2, kind: str = "gunicorn-sync"):
    """Run `app_spec` under a production server on a free loopback port; yields the base URL."""
    port = free_port()
    cmd = server_command(kind, app_spec, port, workers)
    proc = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"gunicorn did not start: {' '.join(cmd)}")
        SERVERS_BY_URL[f"http://127.0.0.1:{port}"] = proc.pid
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


def wrk(url: str, seconds: int = 8, connections: int = 16, threads: int = 2) -> float:
    """Requests per second that wrk measured; fails loudly on any non-2xx answer."""
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed (apt-get install wrk)")
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"{url} answered errors under load:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


# The process (master) serving each base URL the harness started, for `cpu_seconds`.
SERVERS_BY_URL: dict[str, int] = {}


def cpu_seconds(url: str) -> float:
    """CPU time (user + system) the server behind `url` has used so far: its master and every
    descendant (gunicorn's or nginx's workers), from /proc. Linux only."""
    base = "/".join(url.split("/")[:3])
    pending, total, tick = [SERVERS_BY_URL[base]], 0.0, os.sysconf("SC_CLK_TCK")
    while pending:
        pid = pending.pop()
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{pid}/stat").read_text()
            fields = stat[stat.rindex(")") + 2:].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    return total


def wrk_requests(url: str, seconds: int = 8, connections: int = 16, threads: int = 2) -> tuple[float, int]:
    """wrk's requests per second and the number of requests it completed."""
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", url],
                         capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        sys.exit(f"{url} answered errors under load:\n{out}")
    return (float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            int(re.search(r"(\d+) requests in", out).group(1)))


def cpu_per_request(url: str, seconds: int = 8) -> float:
    """The server's CPU seconds per request under wrk's load: what one answer costs the server,
    whatever the load generator, which shares the machine's cores, takes for itself."""
    before = cpu_seconds(url)
    _, requests = wrk_requests(url, seconds)
    return (cpu_seconds(url) - before) / requests


def same_bytes(file_url: str, api_url: str) -> None:
    """Stop unless a published file is the API's answer byte for byte (what it stands in for)."""
    published, answered = (urllib.request.urlopen(url).read() for url in (file_url, api_url))
    if published != answered:
        sys.exit(f"{file_url} is not the API's answer {api_url}")


def compare(name: str, baseline_url: str, target_url: str, rounds: int = 2, seconds: int = 8) -> float:
    """Interleave baseline and target runs; report the best of each and their ratio."""
    base, target = [], []
    wrk(baseline_url, 2)
    wrk(target_url, 2)  # warm both up
    for _ in range(rounds):
        base.append(wrk(baseline_url, seconds))
        target.append(wrk(target_url, seconds))
    ratio = max(target) / max(base)
    print(f"{name}: {max(target):.0f} req/s vs bare Flask {max(base):.0f} req/s -> ratio {ratio:.2f}")
    return ratio


# --- nginx on the published files -----------------------------------------------------------------

NGINX = "/usr/sbin/nginx"
NGINX_SITE = ROOT / "deploy" / "nginx" / "reviews-published.conf"
NGINX_BROTLI = ROOT / "deploy" / "nginx" / "reviews-published-brotli.conf"
BROTLI_MODULE = Path("/usr/lib/nginx/modules/ngx_http_brotli_static_module.so")


def nginx_config(folder: Path, published: Path, port: int, workers: int = 1, brotli: bool = True) -> Path:
    """A main nginx.conf in `folder` around the shipped server block, its root and port set.

    Only the shipped file's `listen` and `root` lines change, so what runs is what the README gives;
    its brotli snippet is included when this nginx has the module to load (and `brotli` is not off,
    to run nginx as it is without the module)."""
    conf = folder / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    site = NGINX_SITE.read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{port};"),
                     ("root /srv/reviews-service/published;", f"root {published};")):
        if old not in site:
            raise RuntimeError(f"{NGINX_SITE} no longer has `{old}`: update nginx_config()")
        site = site.replace(old, new)
    (conf / NGINX_SITE.name).write_text(site)
    brotli = brotli and BROTLI_MODULE.exists()
    if brotli:
        shutil.copy(NGINX_BROTLI, conf / NGINX_BROTLI.name)
    temp = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                     "uwsgi", "scgi"))
    (conf / "nginx.conf").write_text("\n".join([
        f"load_module {BROTLI_MODULE};" if brotli else "",
        # As root, the workers would otherwise become `nobody`, who may not read a private temp folder.
        "user root;" if os.geteuid() == 0 else "",
        f"worker_processes {workers};",
        f"pid {folder}/nginx.pid;",
        f"error_log {folder}/error.log warn;",
        "events { worker_connections 1024; }",
        "http {",
        f"  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000; {temp}",
        f"  include {NGINX_SITE.name};",
        "}", ""]))
    return conf / "nginx.conf"


@contextlib.contextmanager
def nginx(published: Path, folder: Path, workers: int = 1, brotli: bool = True):
    """Run nginx in the foreground on `published` with the shipped config; yields the base URL."""
    port = free_port()
    config = nginx_config(Path(folder), Path(published), port, workers, brotli)
    proc = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"nginx did not start: {proc.stderr.read().decode()}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            time.sleep(0.05)
        else:
            raise RuntimeError("nginx did not start listening")
        SERVERS_BY_URL[f"http://127.0.0.1:{port}"] = proc.pid
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
