"""A circuit breaker for optional remote services (Redis): one failure, then skip for a while."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Breaker:
    """After one failure, skip the remote service for `cooldown` seconds (a circuit breaker).

    `call(fn, fallback)` runs `fn` unless the breaker is open; when `fn` raises one of
    `errors`, the breaker opens, one warning is logged for the outage, and `fallback` runs.
    """

    def __init__(self, name: str, errors: tuple[type[BaseException], ...], cooldown: float = 30.0):
        self.name = name
        self.errors = errors
        self.cooldown = cooldown
        self._open_until = 0.0
        self._warned = False

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def call(self, fn: Callable[[], T], fallback: Callable[[], T]) -> T:
        if self.is_open():
            return fallback()
        try:
            result = fn()
        except self.errors as exc:
            self._open_until = time.monotonic() + self.cooldown
            if not self._warned:
                self._warned = True
                log.warning(
                    "%s unreachable (%s); falling back for %.0f s", self.name, exc, self.cooldown
                )
            return fallback()
        self._warned = False
        return result
