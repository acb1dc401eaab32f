"""``meta.k8s.io/v1`` Table responses: what ``kubectl get`` asks for and prints.

Follows ``apiserver/pkg/endpoints/handlers/response.go`` (``asTable``, ``includeObject``,
the ``PartialObjectMetadata`` row objects) over the printers of :mod:`.printers`; a pod row
of a finished pod carries the ``Completed`` condition (``printPod``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from mlkube.api.registry import ResourceType
from mlkube.engine.errors import BadRequest
from mlkube.server.printers import Printer, human_duration, printer_for

__all__ = [
    "INCLUDE_OBJECT_VALUES",
    "Printer",
    "check_include_object",
    "human_duration",
    "printer_for",
    "table",
    "table_row",
]

INCLUDE_OBJECT_VALUES: Final = ("", "None", "Metadata", "Object")


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _row_object(obj: Mapping[str, Any], include: str) -> Any:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(_meta(obj)),
    }


def table_row(
    printer: Printer, obj: Mapping[str, Any], now: datetime, include: str
) -> dict[str, Any]:
    """One row: cells in column order, the pod ``Completed`` condition, the row object."""
    row: dict[str, Any] = {"cells": printer.row(obj, now)}
    if printer.conditions is not None:
        conditions = printer.conditions(obj)
        if conditions:
            row["conditions"] = conditions
    row["object"] = _row_object(obj, include)
    return row


def check_include_object(value: str) -> str:
    """``includeObject``: 400 for a value upstream does not know."""
    if value not in INCLUDE_OBJECT_VALUES:
        raise BadRequest(f'unrecognized includeObject value: "{value}"')
    return value


def table(
    rt: ResourceType,
    objects: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    include: str = "",
    list_meta: Mapping[str, Any] | None = None,
    headers: bool = True,
) -> dict[str, Any]:
    """A ``meta.k8s.io/v1`` Table of ``objects`` (one object for a GET)."""
    printer = printer_for(rt)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": dict(list_meta or {}),
        "columnDefinitions": printer.column_definitions() if headers else None,
        "rows": [table_row(printer, obj, now, include) for obj in objects],
    }
