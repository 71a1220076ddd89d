"""`pip install .` and a wheel carry everything the service serves: the widget (static/widget/,
mapped into the package at build time), the migrations, templates and admin files.

The wheel is built from a copy of the source (so the checkout gets no build/ folder), without
build isolation, and installed with --no-deps into a fresh venv that reuses this environment's
dependencies through a .pth file: no network. The installed app then runs from outside the
repository, in its own process, with that venv's python.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "setup.py", "README.md", "reviews_service", "static/widget", "migrations"]

# Runs in the fresh venv: the installed app migrates a new database, makes a shop, and serves.
PROBE = """
import json, sys
import reviews_service
from reviews_service import create_app, i18n
from reviews_service.cli import main

folder = sys.argv[1]
app = create_app({"INSTANCE_PATH": folder, "SECRET_KEY": "x" * 40, "DATABASE_URL": f"sqlite:///{folder}/r.db"})
runner = app.test_cli_runner()
init = runner.invoke(main, ["init"])
shop = json.loads(runner.invoke(main, ["create-shop", "Packaged", "--json"]).output)
client = app.test_client()
answers = {path: client.get(path) for path in (
    "/widget/v1/reviews.js", "/widget/v1/locales/hy.json", f"/policy/{shop['public_key']}",
    "/admin/static/admin.css", "/admin/login")}
print(json.dumps({
    "package": reviews_service.__file__, "init": init.exit_code,
    "status": {path: answer.status_code for path, answer in answers.items()},
    "reviews.js": answers["/widget/v1/reviews.js"].get_data(as_text=True),
    "languages": list(i18n.SUPPORTED), "hy_title": i18n.translate("hy", "review_page.title"),
}))
"""


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def test_an_installed_wheel_serves_the_widget_and_migrates(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / name, source / name)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", str(tmp_path / "dist"), str(source))
    [wheel] = (tmp_path / "dist").glob("reviews_service-*.whl")

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", str(venv))
    python = venv / "bin" / "python"
    site = Path(run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").stdout.strip())
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "test-environment.pth").write_text("\n".join(sorted(ours)) + "\n")
    run(sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q", str(wheel))

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "REVIEWS_"))}
    (tmp_path / "instance").mkdir()
    probe = run(str(python), "-c", PROBE, str(tmp_path / "instance"), cwd=tmp_path, env=env)
    answer = json.loads(probe.stdout.strip().splitlines()[-1])

    assert Path(answer["package"]).is_relative_to(venv)
    assert answer["init"] == 0
    assert set(answer["status"].values()) == {200}, answer["status"]
    source_js = (ROOT / "static" / "widget" / "reviews.js").read_text(encoding="utf-8")
    assert answer["reviews.js"].splitlines()[:3] == source_js.splitlines()[:3]
    # The compiled catalogs are package data: the installed app speaks every language it offers here.
    from reviews_service import i18n

    assert answer["languages"] == list(i18n.SUPPORTED)
    assert answer["hy_title"] == i18n.translate("hy", "review_page.title") != "review_page.title"
