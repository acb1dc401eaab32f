"""The column sets and row cells of ``kubectl get``, one printer per resource.

Follows ``pkg/printers/internalversion/printers.go`` (``AddHandlers`` and each ``print*``
function) and ``apiserver/pkg/registry/rest/table.go`` (the default Name / Created At table
of a resource without a printer). Every printer renders the wide set: the server always
does, and kubectl hides the priority-1 columns unless ``-o wide``. AGE and the other
durations are ``duration.HumanDuration`` (``apimachinery/pkg/util/duration/duration.go``).
The printers live by API group: :mod:`.core`, :mod:`.workloads` (apps, batch) and
:mod:`.cluster` (scheduling, storage, coordination, policy).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.api.registry import ResourceType
from mlkube.server.printers import cluster, core, workloads
from mlkube.server.printers._base import Column, Printer, _meta, _name, human_duration

__all__ = ["Column", "Printer", "human_duration", "printer_for"]


def _default_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_name(obj), _meta(obj).get("creationTimestamp") or ""]


_PRINTERS: Final[dict[tuple[str, str], Printer]] = {
    **core.PRINTERS,
    **workloads.PRINTERS,
    **cluster.PRINTERS,
}
_PRINTERS[("events.k8s.io", "events")] = _PRINTERS[("", "events")]
_DEFAULT: Final = Printer([("Name", "string", 0), ("Created At", "date", 0)], _default_row)


def printer_for(rt: ResourceType) -> Printer:
    """The resource's printer, or the default Name / Created At table."""
    return _PRINTERS.get((rt.group, rt.plural), _DEFAULT)
