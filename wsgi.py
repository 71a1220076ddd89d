"""The WSGI entry point: `gunicorn wsgi:app`."""

from reviews_service import create_app

app = create_app()
