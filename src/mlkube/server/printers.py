"""The column sets and row cells of ``kubectl get``, one printer per resource.

Follows ``pkg/printers/internalversion/printers.go`` (``AddHandlers`` and each ``print*``
function) and ``apiserver/pkg/registry/rest/table.go`` (the default Name / Created At table
of a resource without a printer). Every printer renders the wide set: the server always
does, and kubectl hides the priority-1 columns unless ``-o wide``. AGE and the other
durations are ``duration.HumanDuration`` (``apimachinery/pkg/util/duration/duration.go``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from mlkube.api.labels import SelectorError, selector_from_label_selector
from mlkube.api.registry import ResourceType
from mlkube.api.timestamps import parse_time

__all__ = ["Column", "Printer", "human_duration", "printer_for"]

_NONE: Final = "<none>"
_UNKNOWN: Final = "<unknown>"
_UNSET: Final = "<unset>"

_DESCRIPTIONS: Final = {
    "Name": "Name must be unique within a namespace. Is required when creating resources, "
    "although some resources may allow a client to request the generation of an appropriate "
    "name automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
    "Age": "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.",
    "Created At": "CreationTimestamp is a timestamp representing the server time when this "
    "object was created. It is not guaranteed to be set in happens-before order across "
    "separate operations. Clients may not set this value. It is represented in RFC3339 form "
    "and is in UTC.",
}

Column = tuple[str, str, int]  # name, type, priority
RowFn = Callable[[Mapping[str, Any], datetime], list[Any]]
ConditionsFn = Callable[[Mapping[str, Any]], list[dict[str, Any]] | None]


class Printer:
    """One resource's columns, the function that renders a row's cells, and the one that
    gives a row its conditions (pods only)."""

    __slots__ = ("columns", "conditions", "row")

    def __init__(
        self, columns: Sequence[Column], row: RowFn, conditions: ConditionsFn | None = None
    ) -> None:
        self.columns = tuple(columns)
        self.row = row
        self.conditions = conditions

    def column_definitions(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "type": kind,
                "format": "name" if name == "Name" else "",
                "description": _DESCRIPTIONS.get(name, name),
                "priority": priority,
            }
            for name, kind, priority in self.columns
        ]


# -- durations ------------------------------------------------------------------------------


def human_duration(seconds: float) -> str:
    """``duration.HumanDuration``: every division truncates."""
    s = int(seconds)
    if seconds < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        rest = s % 60
        return f"{minutes}m{rest}s" if rest else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        rest = minutes % 60
        return f"{hours}h{rest}m" if rest else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 192:
        rest = hours % 24
        return f"{hours // 24}d{rest}h" if rest else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return f"{hours // 24 // 365}y{days}d" if days else f"{hours // 24 // 365}y"
    return f"{hours // 24 // 365}y"


def _since(value: Any, now: datetime) -> str:
    """``translateTimestampSince``: ``<unknown>`` for a zero time."""
    if not value:
        return _UNKNOWN
    try:
        return human_duration((now - parse_time(str(value))).total_seconds())
    except ValueError:
        return _UNKNOWN


def _between(start: Any, end: Any) -> str:
    return human_duration((parse_time(str(end)) - parse_time(str(start))).total_seconds())


# -- helpers --------------------------------------------------------------------------------


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    node: Any = obj
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _name(obj: Mapping[str, Any]) -> str:
    return str(_meta(obj).get("name", ""))


def _age(obj: Mapping[str, Any], now: datetime) -> str:
    return _since(_meta(obj).get("creationTimestamp"), now)


def _format_selector(selector: Mapping[str, Any] | None) -> str:
    """``metav1.FormatLabelSelector``."""
    try:
        text = str(selector_from_label_selector(selector))
    except SelectorError:
        return "<error>"
    return text or _NONE


def _format_labels(labels: Mapping[str, str] | None) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs, ``<none>`` when empty."""
    if not labels:
        return _NONE
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def _containers(template_spec: Mapping[str, Any] | None) -> tuple[str, str]:
    containers = (template_spec or {}).get("containers") or []
    names = ",".join(str(c.get("name", "")) for c in containers)
    images = ",".join(str(c.get("image", "")) for c in containers)
    return names, images


_ACCESS_MODES: Final = (
    ("ReadWriteOnce", "RWO"),
    ("ReadOnlyMany", "ROX"),
    ("ReadWriteMany", "RWX"),
    ("ReadWriteOncePod", "RWOP"),
)


def _access_modes(modes: Sequence[str] | None) -> str:
    present = set(modes or ())
    return ",".join(short for mode, short in _ACCESS_MODES if mode in present)


def _storage_class(obj: Mapping[str, Any]) -> str:
    annotations = _meta(obj).get("annotations") or {}
    beta = annotations.get("volume.beta.kubernetes.io/storage-class")
    if beta is not None:
        return str(beta)
    return str(_get(obj, "spec", "storageClassName") or "")


def _true_condition(obj: Mapping[str, Any], kind: str) -> bool:
    for c in _get(obj, "status", "conditions") or []:
        if c.get("type") == kind and c.get("status") == "True":
            return True
    return False


# -- pods (printPod) ------------------------------------------------------------------------


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


# -- the other printers ---------------------------------------------------------------------


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


def _default_row(obj: Mapping[str, Any], now: datetime) -> list[Any]:
    return [_name(obj), _meta(obj).get("creationTimestamp") or ""]


def _cols(
    *names: str, wide: Sequence[str] = (), types: Mapping[str, str] | None = None
) -> list[Column]:
    kinds = dict(types or {})
    return [(n, kinds.get(n, "string"), 0) for n in names] + [
        (n, kinds.get(n, "string"), 1) for n in wide
    ]


_WORKLOAD_WIDE: Final = ("Containers", "Images", "Selector")
_INTEGER: Final = "integer"

_PRINTERS: Final[dict[tuple[str, str], Printer]] = {
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
_PRINTERS[("events.k8s.io", "events")] = _PRINTERS[("", "events")]
_DEFAULT: Final = Printer([("Name", "string", 0), ("Created At", "date", 0)], _default_row)


def printer_for(rt: ResourceType) -> Printer:
    """The resource's printer, or the default Name / Created At table."""
    return _PRINTERS.get((rt.group, rt.plural), _DEFAULT)
