"""May this actor read this dataset's data, on its own or through a published object?

`readable` is the one rule every path that reads a dataset for someone uses (dashboard
view, editor preview, stories, embeds, PDF, exports, filter options, map outlines). A
dataset is readable when the actor may view it (`allowed`), or when it is *vouched for*:
the actor is looking at a published dashboard or story whose published revision names the
dataset, and the person who saved that revision may still view the dataset now. So a spec
is never a key: writing another user's dataset id into a tile gives nothing, a dataset
made private later stops being shown, and a publisher who loses access stops vouching.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from studio.security.policy import allowed


@dataclass(frozen=True)
class Vouch:
    """A published object's word for the datasets its published revision names.

    `publisher`: the actor who saved that revision (None when unknown or disabled: then the
    object vouches for nothing). `datasets`: the dataset ids the revision names. Built only
    for someone allowed to view the published object (see `services.documents.vouch`).
    """

    publisher: Any = None
    datasets: frozenset[int] = field(default_factory=frozenset)

    def names(self, dataset_id: int) -> bool:
        """True when the published revision names this dataset (vouching is not decided)."""
        return self.publisher is not None and dataset_id in self.datasets


NO_VOUCH = Vouch()


def vouch_of(publisher: Any, dataset_ids: Iterable[int]) -> Vouch:
    """The vouch of a published revision saved by `publisher` naming these datasets."""
    return Vouch(publisher, frozenset(dataset_ids)) if publisher is not None else NO_VOUCH


def readable(actor: Any, dataset: Any, via: Vouch | None = None) -> bool:
    """True when `actor` may read `dataset`'s data (its aggregates, under its row rules).

    Directly (the actor may view the dataset), or `via` a published object the actor is
    viewing that names the dataset while its publisher may still view it.
    """
    if allowed(actor, "view", dataset):
        return True
    if via is None or not via.names(getattr(dataset, "id", None)):
        return False
    return allowed(via.publisher, "view", dataset)

