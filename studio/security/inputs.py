"""Bad input gets a 4xx, never a 500: ids too large for the database, JSON nested too deep,
callback requests naming no callback of the app.

`install(server)` is called on the Flask server before any route is added (the `int` URL
converter must be in place when routes are compiled); `guard_callbacks` once the Dash apps
exist.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import Flask, jsonify, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.routing import IntegerConverter
from werkzeug.wrappers import Response

from studio.spec.base import MAX_ID

MAX_JSON_DEPTH = 64


class BoundedInt(IntegerConverter):
    """`<int:…>` URL parts from 0 to MAX_ID: a larger number matches no route (404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class JSONTooDeep(ValueError):
    """A request body nested deeper than MAX_JSON_DEPTH (Flask answers 400)."""


def depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (iteratively: no recursion limit)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, Mapping):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_JSON_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, refusing bodies nested deeper than MAX_JSON_DEPTH (a ValueError, which
    `request.get_json` turns into a 400, or None when `silent`)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise JSONTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        if depth(value) > MAX_JSON_DEPTH:
            raise JSONTooDeep(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
        return value


def install(server: Flask) -> None:
    """Bounded ids in URLs and depth-checked JSON bodies on `server`."""
    server.url_map.converters["int"] = BoundedInt
    server.json = SafeJSONProvider(server)

    @server.errorhandler(404)
    def no_route(exc: Any) -> Any:
        """Machine paths get a JSON 404 even when no route matched (an id out of range)."""
        from studio.security.guard import wants_json

        if not wants_json(request.path):
            return exc
        response = jsonify({"error": "Not found. See /api/v1/openapi.json for the routes."})
        response.status_code = 404
        return response


def _bad_callback(message: str) -> Response:
    response = jsonify({"error": message})
    response.status_code = 400
    return response


def guard_callbacks(server: Flask, apps: Mapping[str, Any]) -> None:
    """400 for a callback request that is not a JSON object naming one of the app's
    callbacks (Dash itself answers such forged requests with a 500). `apps` maps each Dash
    app's URL prefix ("/", "/embed/") to the app."""
    paths = {f"{prefix.rstrip('/')}/_dash-update-component": app for prefix, app in apps.items()}

    @server.before_request
    def known_callback() -> Response | None:
        app = paths.get(request.path)
        if app is None or request.method != "POST":
            return None
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return _bad_callback("A callback request is a JSON object (from a Studio page).")
        output = body.get("output")
        if not isinstance(output, str) or output not in app.callback_map:
            return _bad_callback("No such callback: reload the page.")
        for part in ("inputs", "state"):
            if not isinstance(body.get(part, []), list):
                return _bad_callback("Malformed callback request: reload the page.")
        return None
