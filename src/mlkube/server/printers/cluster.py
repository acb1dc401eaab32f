"""The printers of the cluster-level groups: ``scheduling.k8s.io`` priority classes,
``storage.k8s.io`` storage classes, ``coordination.k8s.io`` leases and ``policy``
disruption budgets (``printPriorityClass``, ``printStorageClass``, ``printLease``,
``printPodDisruptionBudget`` in ``pkg/printers/internalversion/printers.go``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.server.printers._base import (
    _INTEGER,
    Printer,
    _age,
    _cols,
    _get,
    _meta,
    _name,
)

__all__ = ["PRINTERS"]


def _priorityclass_row(pc: Mapping[str, Any], now: datetime) -> list[Any]:
    return [
        _name(pc),
        int(pc.get("value") or 0),
        bool(pc.get("globalDefault")),
        _age(pc, now),
        pc.get("preemptionPolicy") or "",
    ]


def _storageclass_row(sc: Mapping[str, Any], now: datetime) -> list[Any]:
    name = _name(sc)
    annotations = _meta(sc).get("annotations") or {}
    if annotations.get("storageclass.kubernetes.io/is-default-class") == "true":
        name += " (default)"
    return [
        name,
        sc.get("provisioner") or "",
        sc.get("reclaimPolicy") or "Delete",
        sc.get("volumeBindingMode") or "Immediate",
        bool(sc.get("allowVolumeExpansion")),
        _age(sc, now),
    ]


def _lease_row(lease: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_name(lease), _get(lease, "spec", "holderIdentity") or "", _age(lease, now)]


def _pdb_row(pdb: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = pdb.get("spec") or {}
    return [
        _name(pdb),
        str(spec["minAvailable"]) if spec.get("minAvailable") is not None else "N/A",
        str(spec["maxUnavailable"]) if spec.get("maxUnavailable") is not None else "N/A",
        int(_get(pdb, "status", "disruptionsAllowed") or 0),
        _age(pdb, now),
    ]


PRINTERS: Final[dict[tuple[str, str], Printer]] = {
    ("scheduling.k8s.io", "priorityclasses"): Printer(
        _cols(
            "Name",
            "Value",
            "Global-Default",
            "Age",
            wide=("PreemptionPolicy",),
            types={"Value": _INTEGER, "Global-Default": "boolean"},
        ),
        _priorityclass_row,
    ),
    ("storage.k8s.io", "storageclasses"): Printer(
        _cols(
            "Name",
            "Provisioner",
            "ReclaimPolicy",
            "VolumeBindingMode",
            "AllowVolumeExpansion",
            "Age",
        ),
        _storageclass_row,
    ),
    ("coordination.k8s.io", "leases"): Printer(_cols("Name", "Holder", "Age"), _lease_row),
    ("policy", "poddisruptionbudgets"): Printer(
        _cols(
            "Name",
            "Min Available",
            "Max Unavailable",
            "Allowed Disruptions",
            "Age",
            types={"Allowed Disruptions": _INTEGER},
        ),
        _pdb_row,
    ),
}
