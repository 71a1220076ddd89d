"""Folders that live at the top of the repository and are installed inside the package.

setup.py maps static/widget/ to `reviews_service.widget_files` and migrations/ to
`reviews_service.migrations`, so that a wheel and `pip install .` carry them. At run time they are
found through importlib.resources. An editable install is the exception: setuptools' editable
finder does not map a folder without `__init__.py`, so there the checkout's own folder is used,
which is where the files are anyway.
"""

from __future__ import annotations

import importlib.resources
from importlib.resources.abc import Traversable
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def _folder(package: str, in_checkout: str) -> Traversable:
    try:
        return importlib.resources.files(package)
    except ModuleNotFoundError:
        return CHECKOUT / in_checkout


def widget_files() -> Traversable:
    """The widget's files (static/widget/)."""
    return _folder("reviews_service.widget_files", "static/widget")


def migrations_dir() -> str:
    """The Alembic folder (migrations/), as the file system path Flask-Migrate wants."""
    folder = _folder("reviews_service.migrations", "migrations")
    # A namespace package's files() is a MultiplexedPath, which has no path of its own; a file in
    # it is a real one.
    return str(Path(str(folder.joinpath("env.py"))).parent)
