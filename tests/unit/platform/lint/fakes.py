"""A cluster to lint against in tests: ``list`` over canned wire objects, as the API answers."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from mlkube.api.registry import lookup
from mlkube.client import ApiError


class FakeLister:
    """Answers ``list(resource, namespace)`` from objects as a List response holds them:
    without ``apiVersion``/``kind`` per item. ``forbidden`` resources answer 403."""

    def __init__(
        self,
        objects: Iterable[dict[str, Any]],
        *,
        namespace: str = "ml",
        forbidden: Iterable[str] = (),
    ) -> None:
        self.namespace = namespace
        self._objects = [copy.deepcopy(o) for o in objects]
        self._forbidden = set(forbidden)
        self.calls: list[tuple[str, str | None]] = []

    def list(self, resource: str, namespace: str | None = None) -> list[dict[str, Any]]:
        self.calls.append((resource, namespace))
        if resource in self._forbidden:
            raise ApiError(
                403,
                "Forbidden",
                f'{resource} is forbidden: User "ml" cannot list resource "{resource}"',
            )
        rt = lookup(resource)
        items = []
        for obj in self._objects:
            if obj["kind"] != rt.kind:
                continue
            if namespace is not None and obj["metadata"].get("namespace") != namespace:
                continue
            item = {k: v for k, v in obj.items() if k not in ("apiVersion", "kind")}
            items.append(item)
        return items
