"""The printers of the workload groups, ``batch`` and ``apps``: jobs, cronjobs,
deployments, replicasets and statefulsets (``printJob``, ``printDeployment``, ... in
``pkg/printers/internalversion/printers.go``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.server.printers._base import (
    _INTEGER,
    _NONE,
    _WORKLOAD_WIDE,
    Printer,
    _age,
    _between,
    _cols,
    _containers,
    _format_selector,
    _get,
    _meta,
    _name,
    _since,
    _true_condition,
)

__all__ = ["PRINTERS"]


def _job_row(job: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = job.get("spec") or {}
    st = job.get("status") or {}
    if _true_condition(job, "Complete"):
        state = "Complete"
    elif _true_condition(job, "Failed"):
        state = "Failed"
    elif _meta(job).get("deletionTimestamp"):
        state = "Terminating"
    elif _true_condition(job, "Suspended"):
        state = "Suspended"
    elif _true_condition(job, "FailureTarget"):
        state = "FailureTarget"
    elif _true_condition(job, "SuccessCriteriaMet"):
        state = "SuccessCriteriaMet"
    else:
        state = "Running"
    succeeded = int(st.get("succeeded") or 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif int(spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    duration = ""
    if st.get("startTime"):
        if st.get("completionTime"):
            duration = _between(st["startTime"], st["completionTime"])
        else:
            duration = _since(st["startTime"], now)
    names, images = _containers(_get(spec, "template", "spec"))
    return [
        _name(job),
        state,
        completions,
        duration,
        _age(job, now),
        names,
        images,
        _format_selector(spec.get("selector")),
    ]


def _cronjob_row(cj: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = cj.get("spec") or {}
    st = cj.get("status") or {}
    last = st.get("lastScheduleTime")
    job_spec = _get(spec, "jobTemplate", "spec") or {}
    names, images = _containers(_get(job_spec, "template", "spec"))
    return [
        _name(cj),
        spec.get("schedule", ""),
        spec.get("timeZone") or _NONE,
        bool(spec.get("suspend")),
        len(st.get("active") or []),
        _since(last, now) if last else _NONE,
        _age(cj, now),
        names,
        images,
        _format_selector(job_spec.get("selector")),
    ]


def _deployment_row(d: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = d.get("spec") or {}
    st = d.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    try:
        selector = str(selector_from_label_selector(spec.get("selector")))
    except SelectorError:
        selector = "<error>"
    return [
        _name(d),
        f"{int(st.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
        int(st.get("updatedReplicas") or 0),
        int(st.get("availableReplicas") or 0),
        _age(d, now),
        names,
        images,
        selector,
    ]


def _replicaset_row(rs: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = rs.get("spec") or {}
    st = rs.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [
        _name(rs),
        int(spec.get("replicas") or 0),
        int(st.get("replicas") or 0),
        int(st.get("readyReplicas") or 0),
        _age(rs, now),
        names,
        images,
        _format_selector(spec.get("selector")),
    ]


def _statefulset_row(ss: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = ss.get("spec") or {}
    st = ss.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [
        _name(ss),
        f"{int(st.get('readyReplicas') or 0)}/{int(spec.get('replicas') or 0)}",
        _age(ss, now),
        names,
        images,
    ]


PRINTERS: Final[dict[tuple[str, str], Printer]] = {
    ("batch", "jobs"): Printer(
        _cols("Name", "Status", "Completions", "Duration", "Age", wide=_WORKLOAD_WIDE), _job_row
    ),
    ("batch", "cronjobs"): Printer(
        _cols(
            "Name",
            "Schedule",
            "Timezone",
            "Suspend",
            "Active",
            "Last Schedule",
            "Age",
            wide=_WORKLOAD_WIDE,
            types={"Suspend": "boolean", "Active": _INTEGER},
        ),
        _cronjob_row,
    ),
    ("apps", "deployments"): Printer(
        _cols("Name", "Ready", "Up-to-date", "Available", "Age", wide=_WORKLOAD_WIDE),
        _deployment_row,
    ),
    ("apps", "replicasets"): Printer(
        _cols(
            "Name",
            "Desired",
            "Current",
            "Ready",
            "Age",
            wide=_WORKLOAD_WIDE,
            types={"Desired": _INTEGER, "Current": _INTEGER, "Ready": _INTEGER},
        ),
        _replicaset_row,
    ),
    ("apps", "statefulsets"): Printer(
        _cols("Name", "Ready", "Age", wide=("Containers", "Images")), _statefulset_row
    ),
}
