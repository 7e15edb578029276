"""Entry point: `python app.py` serves Studio; gunicorn serves `app:server`."""

from studio import create_app

app = create_app()
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=8050)
