"""The shapes a kubelet writes into ``pod.status``: conditions, container states, messages.

Pure functions from the pod (and what its containers did) to status fields, so the
simulated and the process runtime report pods in exactly the kubelet's words. Follows
``pkg/kubelet/status/generate.go`` (the Ready / ContainersReady / Initialized /
PodReadyToStartContainers conditions and their reasons), ``pkg/kubelet/kubelet_pods.go``
(generateAPIPodStatus: condition order, PodScheduled kept last, ``observedGeneration``),
``pkg/kubelet/status/status_manager.go`` (mergePodStatus: conditions the kubelet does not
own are kept; a condition's ``lastTransitionTime`` moves only when its status changes) and
``pkg/kubelet/kuberuntime/kuberuntime_manager.go`` (the CrashLoopBackOff message).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import Any, Final

from mlkube.api.timestamps import format_duration

__all__ = [
    "CONTAINERS_NOT_READY",
    "CRASH_LOOP_BACK_OFF",
    "DEADLINE_EXCEEDED",
    "DEADLINE_MESSAGE",
    "KUBELET_CONDITIONS",
    "POD_COMPLETED",
    "POD_FAILED",
    "backoff_message",
    "conditions",
    "container_id",
    "image_id",
    "image_ref",
    "running",
    "terminated",
    "unready_message",
    "waiting_backoff",
]

CONTAINERS_NOT_READY: Final = "ContainersNotReady"
POD_COMPLETED: Final = "PodCompleted"
POD_FAILED: Final = "PodFailed"
CRASH_LOOP_BACK_OFF: Final = "CrashLoopBackOff"
#: ``pkg/kubelet/active_deadline.go``.
DEADLINE_EXCEEDED: Final = "DeadlineExceeded"
DEADLINE_MESSAGE: Final = "Pod was active on the node longer than the specified deadline"
#: ``kubetypes.PodConditionsByKubelet``, in the order generateAPIPodStatus writes them.
KUBELET_CONDITIONS: Final = (
    "PodReadyToStartContainers",
    "Initialized",
    "Ready",
    "ContainersReady",
    "PodScheduled",
)
_REGISTRY: Final = "docker.io"


def unready_message(names: Sequence[str]) -> str:
    """``containers with unready status: [a b]`` (Go's ``%s`` of a string slice)."""
    return f"containers with unready status: [{' '.join(names)}]"


def backoff_message(seconds: float, container: str, pod: Mapping[str, Any]) -> str:
    """``back-off 20s restarting failed container=main pod=p_ns(uid)`` (doBackOff)."""
    meta = pod.get("metadata") or {}
    ref = f"{meta.get('name', '')}_{meta.get('namespace', '')}({meta.get('uid', '')})"
    delay = format_duration(timedelta(seconds=seconds))
    return f"back-off {delay} restarting failed container={container} pod={ref}"


def image_ref(image: str) -> str:
    """The fully qualified reference containerd reports: ``busybox:1.36`` is
    ``docker.io/library/busybox:1.36``; a tag defaults to ``latest``."""
    name, digest = [*image.split("@", 1), ""][:2]
    last = name.rsplit("/", 1)[-1]
    if ":" not in last and not digest:
        name += ":latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        name = f"{_REGISTRY}/library/{name}"
    elif not ("." in first or ":" in first or first == "localhost"):
        name = f"{_REGISTRY}/{name}"
    return f"{name}@{digest}" if digest else name


def image_id(image: str) -> str:
    """A stable ``repo@sha256:...`` for an image that was never pulled."""
    ref = image_ref(image)
    repo = ref.split("@", 1)[0]
    last = repo.rsplit("/", 1)[-1]
    if ":" in last:
        repo = repo[: len(repo) - len(last)] + last.split(":", 1)[0]
    return f"{repo}@sha256:{hashlib.sha256(ref.encode()).hexdigest()}"


def container_id(pod_uid: str, name: str, restart: int) -> str:
    """``containerd://<64 hex>``, one per run of a container."""
    digest = hashlib.sha256(f"{pod_uid}/{name}/{restart}".encode()).hexdigest()
    return f"containerd://{digest}"


def _base(container: Mapping[str, Any], pod_uid: str, restarts: int) -> dict[str, Any]:
    image = str(container.get("image") or "")
    return {
        "name": container.get("name", ""),
        "image": image_ref(image),
        "imageID": image_id(image),
        "containerID": container_id(pod_uid, str(container.get("name", "")), restarts),
        "restartCount": restarts,
    }


def running(
    container: Mapping[str, Any],
    pod_uid: str,
    *,
    started_at: str,
    restarts: int = 0,
    last: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A running, ready, started container."""
    return {
        **_base(container, pod_uid, restarts),
        "state": {"running": {"startedAt": started_at}},
        "lastState": dict(last or {}),
        "ready": True,
        "started": True,
    }


def terminated(
    container: Mapping[str, Any],
    pod_uid: str,
    *,
    exit_code: int,
    started_at: str,
    finished_at: str,
    restarts: int = 0,
    last: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An exited container: reason ``Completed`` for exit code 0, else ``Error``."""
    base = _base(container, pod_uid, restarts)
    return {
        **base,
        "state": {
            "terminated": {
                "exitCode": exit_code,
                "reason": "Completed" if exit_code == 0 else "Error",
                "startedAt": started_at,
                "finishedAt": finished_at,
                "containerID": base["containerID"],
            }
        },
        "lastState": dict(last or {}),
        "ready": False,
        "started": False,
    }


def waiting_backoff(
    container: Mapping[str, Any],
    pod: Mapping[str, Any],
    *,
    seconds: float,
    restarts: int,
    last: Mapping[str, Any],
) -> dict[str, Any]:
    """A crashed container waiting out its back-off; its last run is in ``lastState``."""
    uid = str((pod.get("metadata") or {}).get("uid", ""))
    base = _base(container, uid, restarts)
    return {
        **base,
        "state": {
            "waiting": {
                "reason": CRASH_LOOP_BACK_OFF,
                "message": backoff_message(seconds, str(container.get("name", "")), pod),
            }
        },
        "lastState": dict(last),
        "ready": False,
        "started": False,
    }


def _condition(
    kind: str,
    status: str,
    old: Mapping[str, Any] | None,
    now: str,
    generation: int | None,
    reason: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    cond: dict[str, Any] = {"type": kind, "status": status, "lastProbeTime": None}
    keep = old is not None and old.get("status") == status and old.get("lastTransitionTime")
    cond["lastTransitionTime"] = old["lastTransitionTime"] if keep and old else now
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    if generation is not None:
        cond["observedGeneration"] = generation
    return cond


def conditions(
    pod: Mapping[str, Any],
    statuses: Sequence[Mapping[str, Any]],
    phase: str,
    now: str,
) -> list[dict[str, Any]]:
    """The pod's conditions after the kubelet's update, in the kubelet's order.

    Conditions the kubelet does not own (DisruptionTarget, custom ones) come first, as
    mergePodStatus keeps them; PodScheduled keeps its time. A terminal pod's sandbox is
    gone, so PodReadyToStartContainers turns False.
    """
    old = {c.get("type"): c for c in (pod.get("status") or {}).get("conditions") or []}
    generation = (pod.get("metadata") or {}).get("generation")
    kept = [dict(c) for k, c in old.items() if k not in KUBELET_CONDITIONS]
    terminal = phase in ("Succeeded", "Failed")
    names = [str(c.get("name", "")) for c in (pod.get("spec") or {}).get("containers") or []]
    ready_by_name = {s.get("name"): bool(s.get("ready")) for s in statuses}
    unready = [n for n in names if not ready_by_name.get(n, False)]
    if terminal:
        why = POD_COMPLETED if phase == "Succeeded" else POD_FAILED
        ready: tuple[str, str | None, str | None] = ("False", why, None)
    elif unready:
        ready = ("False", CONTAINERS_NOT_READY, unready_message(unready))
    else:
        ready = ("True", None, None)
    initialized_reason = POD_COMPLETED if phase == "Succeeded" else None
    out = [
        _condition(
            "PodReadyToStartContainers",
            "False" if terminal else "True",
            old.get("PodReadyToStartContainers"),
            now,
            generation,
        ),
        _condition(
            "Initialized", "True", old.get("Initialized"), now, generation, initialized_reason
        ),
        _condition("Ready", ready[0], old.get("Ready"), now, generation, ready[1], ready[2]),
        _condition(
            "ContainersReady", ready[0], old.get("ContainersReady"), now, generation, *ready[1:]
        ),
    ]
    scheduled = old.get("PodScheduled")
    out.append(
        dict(scheduled)
        if scheduled is not None
        else _condition("PodScheduled", "True", None, now, None)
    )
    return kept + out
