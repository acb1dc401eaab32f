"""An InferenceService: a Deployment, a Service in front of it, and a PodDisruptionBudget.

The Deployment (``apps/v1``) runs ``replicas`` pods with ``restartPolicy: Always``, the
serving port as a named ``containerPort`` and an HTTP readiness probe (``path``, by default
on the serving port), so the ClusterIP Service sends traffic only to ready pods. With more
than one replica a ``policy/v1`` PodDisruptionBudget keeps ``minAvailable`` (default
replicas - 1) serving through node drains; it is rendered whenever ``minAvailable`` is given.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.platform.workloads.labels import selector
from mlkube.platform.workloads.model import InferenceService
from mlkube.platform.workloads.placement import Placement
from mlkube.platform.workloads.pod import (
    container,
    dataset_mounts,
    meta,
    pod_template,
    primary_meta,
)

__all__ = ["CONTAINER", "PORT_NAME", "render_inference"]

CONTAINER: Final = "serve"
PORT_NAME: Final = "http"


def _service(w: InferenceService, place: Placement) -> dict[str, Any]:
    port = w.spec.port
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(w, place),
        "spec": {
            "type": "ClusterIP",
            "selector": selector(w),
            "ports": [
                {"name": PORT_NAME, "port": port, "targetPort": PORT_NAME, "protocol": "TCP"}
            ],
        },
    }


def _budget(w: InferenceService, place: Placement) -> dict[str, Any] | None:
    min_available = w.spec.min_available
    if min_available is None:
        if w.spec.replicas <= 1:
            return None
        min_available = w.spec.replicas - 1
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": meta(w, place),
        "spec": {"minAvailable": min_available, "selector": {"matchLabels": selector(w)}},
    }


def render_inference(w: InferenceService, place: Placement) -> list[dict[str, Any]]:
    spec = w.spec
    probe = {
        "httpGet": {"path": spec.readiness.path, "port": spec.readiness.port or spec.port},
        "periodSeconds": 5,
    }
    main, volumes = container(
        w,
        place,
        CONTAINER,
        dataset_mounts(w),
        ports=[{"name": PORT_NAME, "containerPort": spec.port, "protocol": "TCP"}],
        readinessProbe=probe,
    )
    template = pod_template(w, place, [main], volumes, restart_policy="Always")
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": primary_meta(w, place),
        "spec": {
            "replicas": spec.replicas,
            "selector": {"matchLabels": selector(w)},
            "template": template,
        },
    }
    budget = _budget(w, place)
    return [_service(w, place), deployment, *([budget] if budget else [])]
