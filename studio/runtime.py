"""Accessors for the running app's services, for pages and API views (the glue layers)."""

from __future__ import annotations

from typing import Any

from flask import current_app, request
from flask_login import current_user

from studio.config import Settings
from studio.i18n import normalise_locale
from studio.store.db import Database


def settings() -> Settings:
    """The running app's settings."""
    return current_app.extensions["studio"]["settings"]


def db() -> Database:
    """The running app's metadata database."""
    return current_app.extensions["studio"]["db"]


def service(name: str) -> Any:
    """Another named service (query cache, rate limiter…)."""
    return current_app.extensions["studio"][name]


def actor() -> Any:
    """The actor of the current request (an Actor or an AnonymousActor)."""
    return current_user._get_current_object()


def locale() -> str:
    """The interface language of the current request."""
    user = current_user
    if getattr(user, "is_authenticated", False):
        return normalise_locale(user.locale)
    from flask import session

    return normalise_locale(session.get("locale") or settings().default_locale)


def locale_without_db() -> str:
    """The interface language from the request alone (session, then the browser's
    Accept-Language, then the default): for error pages that must work while the database
    is down, so never the signed-in user's stored preference."""
    from flask import has_request_context, session

    from studio.i18n import best_locale

    default = current_app.extensions["studio"]["settings"].default_locale
    if not has_request_context():
        return normalise_locale(default)
    stored = session.get("locale")
    if stored:
        return normalise_locale(stored)
    languages = [lang for lang, _q in request.accept_languages]
    return best_locale(languages, default) if languages else normalise_locale(default)


def client_address() -> str:
    """The client's address: as seen by the outermost trusted proxy when
    STUDIO_PROXY_HOPS is set, else the connection's own address."""
    return request.remote_addr or "unknown"
