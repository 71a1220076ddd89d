"""Files that live at the top of the repository and are installed inside the package, where the
app finds them through importlib.resources (the same for a wheel, `pip install .` and an editable
install): the widget (static/widget/, beside its README and its browser tests) and the database
migrations (migrations/, where Flask-Migrate's `db migrate` writes). Everything else is in
pyproject.toml."""

from setuptools import find_packages, setup

MAPPED = {
    "reviews_service.widget_files": "static/widget",
    "reviews_service.migrations": "migrations",
    "reviews_service.migrations.versions": "migrations/versions",
}

setup(
    packages=[*find_packages(include=["reviews_service", "reviews_service.*"]), *MAPPED],
    package_dir=MAPPED,
)
