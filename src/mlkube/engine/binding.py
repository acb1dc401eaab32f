"""POST ``pods/binding``: assign a pod to a node, as the scheduler does.

``pod/storage.go`` BindingREST: refused for a pod being deleted or already assigned;
otherwise ``spec.nodeName`` is set, the binding's annotations are copied to the pod and the
``PodScheduled`` condition becomes True (an Unschedulable one's reason and message go), in
one store update (retried on a conflict). It is not an update of the pod: no admission, no
validation of the pod, no managedFields entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlkube.api.field import FieldError
from mlkube.api.registry import lookup
from mlkube.api.timestamps import format_time
from mlkube.engine.errors import Conflict, Invalid

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["bind"]


def bind(
    server: APIServer, namespace: str, name: str, binding: Mapping[str, Any]
) -> dict[str, Any]:
    """POST pods/binding: assign a pod to a node (``pod/storage.go`` BindingREST)."""
    pods = lookup("pods")
    target = (binding.get("target") or {}).get("name", "")
    if not target:
        raise Invalid("Binding", name, [_required_target()])
    for _ in range(5):
        pod = server.store.get(pods, namespace, name)
        resource = "pods/binding"
        if pod["metadata"].get("deletionTimestamp"):
            raise Conflict(
                resource, name, f"pod {name} is being deleted, cannot be assigned to a host"
            )
        assigned = pod.get("spec", {}).get("nodeName")
        if assigned:
            raise Conflict(resource, name, f'pod {name} is already assigned to node "{assigned}"')
        pod["spec"]["nodeName"] = target
        annotations = (binding.get("metadata") or {}).get("annotations") or {}
        if annotations:
            pod["metadata"].setdefault("annotations", {}).update(annotations)
        _set_condition(pod, "PodScheduled", "True", format_time(server.clock.now()))
        try:
            return server.store.update(pods, pod)
        except Conflict:
            continue
    raise Conflict("pods/binding", name)


def _required_target() -> FieldError:
    from mlkube.api.field import Path, required

    return required(Path("target", "name"), "")


def _set_condition(obj: dict[str, Any], kind: str, status: str, now: str) -> None:
    """``podutil.UpdatePodCondition`` (``pkg/api/pod/util.go``): the condition is replaced
    by one of only type and status (reason, message and observedGeneration go), keeping its
    lastTransitionTime while the status stays the same."""
    conditions: list[dict[str, Any]] = obj.setdefault("status", {}).setdefault("conditions", [])
    for i, c in enumerate(conditions):
        if c.get("type") == kind:
            same = c.get("status") == status
            since = c.get("lastTransitionTime") if same else now
            conditions[i] = {
                "type": kind,
                "status": status,
                "lastProbeTime": None,
                "lastTransitionTime": since,
            }
            return
    conditions.append(
        {"type": kind, "status": status, "lastProbeTime": None, "lastTransitionTime": now}
    )
