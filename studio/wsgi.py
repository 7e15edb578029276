"""WSGI entry point: `gunicorn studio.wsgi:app` serves Studio from any folder.

Configured from the `STUDIO_*` environment like `studio run`; `dash_app` is the Dash app
(`app` its Flask server, which is what WSGI servers call).
"""

from studio import create_app

dash_app = create_app()
app = server = dash_app.server
