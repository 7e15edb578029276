"""Entry point in a checkout: `python app.py` serves Studio. Installed, use
`gunicorn studio.wsgi:app` (this file's `app:server` still works inside the checkout)."""

from studio.wsgi import dash_app as app
from studio.wsgi import server  # noqa: F401  (`gunicorn app:server` in the checkout)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050)
