"""The printers of the core group (``v1``): pods, nodes, namespaces, services, config and
storage objects, quotas and events (``printPod``, ``printNode``, ... in
``pkg/printers/internalversion/printers.go``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from mlkube.api.timestamps import parse_time
from mlkube.server.printers._base import (
    _INTEGER,
    _NONE,
    _UNKNOWN,
    _UNSET,
    Printer,
    _access_modes,
    _age,
    _cols,
    _format_labels,
    _get,
    _meta,
    _name,
    _since,
    _storage_class,
    _true_condition,
    human_duration,
)

__all__ = ["PRINTERS"]


def _pod_row(pod: Mapping[str, Any], now: datetime) -> list[Any]:
    spec: Mapping[str, Any] = pod.get("spec") or {}
    status: Mapping[str, Any] = pod.get("status") or {}
    meta = _meta(pod)
    restarts = 0
    sidecar_restarts = 0
    total = len(spec.get("containers") or [])
    ready = 0
    last_restart: datetime | None = None
    sidecar_last: datetime | None = None
    reason = status.get("reason") or status.get("phase") or ""
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"
    init_specs = spec.get("initContainers") or []
    restartable = {c.get("name") for c in init_specs if c.get("restartPolicy") == "Always"}
    total += len(restartable)

    def finished(state: Mapping[str, Any]) -> datetime | None:
        at = _get(state, "lastState", "terminated", "finishedAt")
        return parse_time(str(at)) if at else None

    initializing = False
    for i, cs in enumerate(status.get("initContainerStatuses") or []):
        count = int(cs.get("restartCount") or 0)
        restarts += count
        done = finished(cs)
        if done is not None and (last_restart is None or done > last_restart):
            last_restart = done
        is_sidecar = cs.get("name") in restartable
        if is_sidecar:
            sidecar_restarts += count
            if done is not None and (sidecar_last is None or done > sidecar_last):
                sidecar_last = done
        state = cs.get("state") or {}
        terminated = state.get("terminated")
        waiting = state.get("waiting")
        if terminated is not None and terminated.get("exitCode") == 0:
            continue
        if is_sidecar and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated is not None:
            if terminated.get("reason"):
                reason = "Init:" + str(terminated["reason"])
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode', 0)}"
        elif (
            waiting is not None
            and waiting.get("reason")
            and waiting["reason"] != ("PodInitializing")
        ):
            reason = "Init:" + str(waiting["reason"])
        else:
            reason = f"Init:{i}/{len(init_specs)}"
        initializing = True
        break
    if not initializing or _true_condition(pod, "Initialized"):
        restarts = sidecar_restarts
        last_restart = sidecar_last
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += int(cs.get("restartCount") or 0)
            done = finished(cs)
            if done is not None and (last_restart is None or done > last_restart):
                last_restart = done
            state = cs.get("state") or {}
            waiting, terminated = state.get("waiting"), state.get("terminated")
            if waiting is not None and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated is not None and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated is not None:
                if terminated.get("signal"):
                    reason = f"Signal:{terminated['signal']}"
                else:
                    reason = f"ExitCode:{terminated.get('exitCode', 0)}"
            elif cs.get("ready") and state.get("running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _true_condition(pod, "Ready") else "NotReady"
    if meta.get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif status.get("phase") not in ("Succeeded", "Failed"):
            reason = "Terminating"
    restarts_cell = str(restarts)
    if restarts and last_restart is not None:
        restarts_cell = f"{restarts} ({human_duration((now - last_restart).total_seconds())} ago)"
    ips = status.get("podIPs") or []
    ip = ips[0].get("ip") if ips else status.get("podIP")
    gates = spec.get("readinessGates") or []
    gates_cell = _NONE
    if gates:
        true_types = {
            c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"
        }
        passed = sum(1 for g in gates if g.get("conditionType") in true_types)
        gates_cell = f"{passed}/{len(gates)}"
    return [
        _name(pod),
        f"{ready}/{total}",
        reason,
        restarts_cell,
        _age(pod, now),
        ip or _NONE,
        spec.get("nodeName") or _NONE,
        status.get("nominatedNodeName") or _NONE,
        gates_cell,
    ]


def _pod_conditions(pod: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    phase = _get(pod, "status", "phase")
    if phase == "Succeeded":
        message = "The pod has completed successfully."
    elif phase == "Failed":
        message = "The pod failed."
    else:
        return None
    return [{"type": "Completed", "status": "True", "reason": phase, "message": message}]


def _node_row(node: Mapping[str, Any], now: datetime) -> list[Any]:
    status = "Unknown"
    for c in _get(node, "status", "conditions") or []:
        if c.get("type") == "Ready":
            status = "Ready" if c.get("status") == "True" else "NotReady"
    if _get(node, "spec", "unschedulable"):
        status += ",SchedulingDisabled"
    roles: set[str] = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/") and key[len("node-role.kubernetes.io/") :]:
            roles.add(key[len("node-role.kubernetes.io/") :])
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    info = _get(node, "status", "nodeInfo") or {}

    def address(kind: str) -> str:
        for a in _get(node, "status", "addresses") or []:
            if a.get("type") == kind:
                return str(a.get("address", ""))
        return _NONE

    return [
        _name(node),
        status,
        ",".join(sorted(roles)) or _NONE,
        _age(node, now),
        info.get("kubeletVersion", ""),
        address("InternalIP"),
        address("ExternalIP"),
        info.get("osImage") or _UNKNOWN,
        info.get("kernelVersion") or _UNKNOWN,
        info.get("containerRuntimeVersion") or _UNKNOWN,
    ]


def _namespace_row(ns: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_name(ns), _get(ns, "status", "phase") or "", _age(ns, now)]


def _service_row(svc: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = svc.get("spec") or {}
    kind = spec.get("type") or "ClusterIP"
    ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    cluster_ip = ips[0] if ips else _NONE
    external = list(spec.get("externalIPs") or [])
    if kind in ("ClusterIP", "NodePort"):
        external_cell = ",".join(external) or _NONE
    elif kind == "LoadBalancer":
        ingress = [
            i.get("ip") or i.get("hostname") or ""
            for i in _get(svc, "status", "loadBalancer", "ingress") or []
        ]
        external_cell = ",".join([*ingress, *external]) or "<pending>"
    elif kind == "ExternalName":
        external_cell = str(spec.get("externalName") or "")
    else:
        external_cell = _UNKNOWN
    ports = []
    for p in spec.get("ports") or []:
        protocol = p.get("protocol") or "TCP"
        if p.get("nodePort"):
            ports.append(f"{p.get('port')}:{p['nodePort']}/{protocol}")
        else:
            ports.append(f"{p.get('port')}/{protocol}")
    return [
        _name(svc),
        kind,
        cluster_ip,
        external_cell,
        ",".join(ports) or _NONE,
        _age(svc, now),
        _format_labels(spec.get("selector")),
    ]


def _configmap_row(cm: Mapping[str, Any], now: datetime) -> list[Any]:
    size = len(cm.get("data") or {}) + len(cm.get("binaryData") or {})
    return [_name(cm), size, _age(cm, now)]


def _secret_row(secret: Mapping[str, Any], now: datetime) -> list[Any]:
    size = len(secret.get("data") or {}) + len(secret.get("stringData") or {})
    return [_name(secret), secret.get("type") or "", size, _age(secret, now)]


def _serviceaccount_row(sa: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_name(sa), len(sa.get("secrets") or []), _age(sa, now)]


def _pv_row(pv: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = pv.get("spec") or {}
    claim_ref = spec.get("claimRef") or {}
    claim = f"{claim_ref.get('namespace', '')}/{claim_ref.get('name', '')}" if claim_ref else ""
    status = _get(pv, "status", "phase") or ""
    if _meta(pv).get("deletionTimestamp"):
        status = "Terminating"
    return [
        _name(pv),
        str(_get(spec, "capacity", "storage") or ""),
        _access_modes(spec.get("accessModes")),
        spec.get("persistentVolumeReclaimPolicy") or "",
        status,
        claim,
        _storage_class(pv),
        spec.get("volumeAttributesClassName") or _UNSET,
        _get(pv, "status", "reason") or "",
        _age(pv, now),
        spec.get("volumeMode") or _UNSET,
    ]


def _pvc_row(pvc: Mapping[str, Any], now: datetime) -> list[Any]:
    spec = pvc.get("spec") or {}
    st = pvc.get("status") or {}
    phase = st.get("phase") or ""
    if _meta(pvc).get("deletionTimestamp"):
        phase = "Terminating"
    capacity = modes = ""
    if spec.get("volumeName"):
        capacity = str(_get(st, "capacity", "storage") or "")
        modes = _access_modes(st.get("accessModes"))
    return [
        _name(pvc),
        phase,
        spec.get("volumeName") or "",
        capacity,
        modes,
        _storage_class(pvc),
        spec.get("volumeAttributesClassName") or _UNSET,
        _age(pvc, now),
        spec.get("volumeMode") or _UNSET,
    ]


def _quota_row(quota: Mapping[str, Any], now: datetime) -> list[Any]:
    hard = _get(quota, "status", "hard") or _get(quota, "spec", "hard") or {}
    used = _get(quota, "status", "used") or {}
    requests: list[str] = []
    limits: list[str] = []
    for name in sorted(hard):
        entry = f"{name}: {used.get(name, '0')}/{hard[name]}"
        (limits if name.startswith("limits.") else requests).append(entry)
    return [_name(quota), ", ".join(requests), ", ".join(limits), _age(quota, now)]


def _event_row(ev: Mapping[str, Any], now: datetime) -> list[Any]:
    first = ev.get("firstTimestamp") or ev.get("eventTime")
    first_seen = _since(first, now)
    last = ev.get("lastTimestamp")
    last_seen = _since(last, now) if last else first_seen
    series = ev.get("series") or {}
    if series.get("lastObservedTime"):
        last_seen = _since(series["lastObservedTime"], now)
    involved = ev.get("involvedObject") or ev.get("regarding") or {}
    kind = str(involved.get("kind", "")).lower()
    obj = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = ev.get("source") or {}
    component = source.get("component") or ev.get("reportingController") or ""
    host = source.get("host") or ev.get("reportingInstance") or ""
    count = int(series.get("count") or ev.get("count") or 0) or 1
    return [
        last_seen,
        ev.get("type") or "",
        ev.get("reason") or "",
        obj,
        involved.get("fieldPath") or "",
        f"{component}, {host}" if host else component,
        str(ev.get("message") or ev.get("note") or "").strip(),
        first_seen,
        count,
        _name(ev),
    ]


PRINTERS: Final[dict[tuple[str, str], Printer]] = {
    ("", "pods"): Printer(
        _cols(
            "Name",
            "Ready",
            "Status",
            "Restarts",
            "Age",
            wide=("IP", "Node", "Nominated Node", "Readiness Gates"),
        ),
        _pod_row,
        _pod_conditions,
    ),
    ("", "nodes"): Printer(
        _cols(
            "Name",
            "Status",
            "Roles",
            "Age",
            "Version",
            wide=("Internal-IP", "External-IP", "OS-Image", "Kernel-Version", "Container-Runtime"),
        ),
        _node_row,
    ),
    ("", "namespaces"): Printer(_cols("Name", "Status", "Age"), _namespace_row),
    ("", "services"): Printer(
        _cols("Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", wide=("Selector",)),
        _service_row,
    ),
    ("", "configmaps"): Printer(
        _cols("Name", "Data", "Age", types={"Data": _INTEGER}), _configmap_row
    ),
    ("", "secrets"): Printer(
        _cols("Name", "Type", "Data", "Age", types={"Data": _INTEGER}), _secret_row
    ),
    ("", "serviceaccounts"): Printer(
        _cols("Name", "Secrets", "Age", types={"Secrets": _INTEGER}), _serviceaccount_row
    ),
    ("", "persistentvolumes"): Printer(
        _cols(
            "Name",
            "Capacity",
            "Access Modes",
            "Reclaim Policy",
            "Status",
            "Claim",
            "StorageClass",
            "VolumeAttributesClass",
            "Reason",
            "Age",
            wide=("VolumeMode",),
        ),
        _pv_row,
    ),
    ("", "persistentvolumeclaims"): Printer(
        _cols(
            "Name",
            "Status",
            "Volume",
            "Capacity",
            "Access Modes",
            "StorageClass",
            "VolumeAttributesClass",
            "Age",
            wide=("VolumeMode",),
        ),
        _pvc_row,
    ),
    ("", "resourcequotas"): Printer(_cols("Name", "Request", "Limit", "Age"), _quota_row),
    ("", "events"): Printer(
        [
            ("Last Seen", "string", 0),
            ("Type", "string", 0),
            ("Reason", "string", 0),
            ("Object", "string", 0),
            ("Subobject", "string", 1),
            ("Source", "string", 1),
            ("Message", "string", 0),
            ("First Seen", "string", 1),
            ("Count", "string", 1),
            ("Name", "string", 1),
        ],
        _event_row,
    ),
}
