"""Users, roles and groups, the permission function, tokens and security headers."""

from studio.security.actor import Actor, AnonymousActor
from studio.security.policy import PermissionDenied, allowed, ensure

__all__ = ["Actor", "AnonymousActor", "PermissionDenied", "allowed", "ensure"]
