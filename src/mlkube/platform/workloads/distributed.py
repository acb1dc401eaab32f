"""Distributed training (``nodes > 1``): an Indexed Job, a headless Service, torchrun's env.

Follows the pattern of upstream's "Job with pod-to-pod communication" (an Indexed Job whose
pods get hostnames ``<job>-<index>`` and a ``subdomain`` that a headless Service of that name
resolves, ``pkg/controller/job/indexed_job_utils.go``) and Kubeflow's PyTorchJob env:

- ``completions = parallelism = nodes``: every rank runs at once;
- ``MASTER_ADDR = <job>-0.<service>`` (rank 0's DNS name), ``MASTER_PORT``, ``WORLD_SIZE``
  (the number of nodes: torchrun's ``--nnodes``), ``NODE_RANK`` from the completion index
  annotation (``metadata.annotations['batch.kubernetes.io/job-completion-index']``) and
  ``NPROC_PER_NODE`` (default: the GPU count, or 1);
- the Service publishes not-ready addresses: ranks must resolve rank 0 before any is ready;
- a ``podFailurePolicy``. ``FailJob`` on exit codes 2, 126 and 127 (a usage error, a command
  that is not executable, a command not found): mistakes every retry would repeat, so the
  whole job fails at once instead of burning ``backoffLimit`` times N pods. Exit code 1 is
  deliberately retried: torchrun's elastic agent exits 1 whenever any worker fails, which
  includes the transient failures retries exist for (an NCCL timeout, a lost peer, a
  rendezvous that raced a slow node). ``Ignore`` on the ``DisruptionTarget`` condition:
  preemption, eviction and node drains are not the job's fault and do not count as retries.
  Upstream requires ``restartPolicy: Never`` with a podFailurePolicy (it is).
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.platform.workloads.labels import selector
from mlkube.platform.workloads.model import TrainingJob
from mlkube.platform.workloads.placement import Placement
from mlkube.platform.workloads.pod import container, dataset_mounts, job, meta, pod_template
from mlkube.platform.workloads.training import CONTAINER

__all__ = [
    "COMPLETION_INDEX_FIELD",
    "NON_RETRYABLE_EXIT_CODES",
    "PORT_NAME",
    "master_addr",
    "render_distributed",
]

#: The downward-API path of an Indexed Job pod's completion index.
COMPLETION_INDEX_FIELD: Final = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
#: Exit codes that fail the whole job at once (see the module docstring).
NON_RETRYABLE_EXIT_CODES: Final = (2, 126, 127)
PORT_NAME: Final = "rendezvous"


def master_addr(w: TrainingJob) -> str:
    """Rank 0's DNS name: pod hostname ``<job>-0`` under the headless Service."""
    return f"{w.name}-0.{w.name}"


def _env(w: TrainingJob) -> list[dict[str, Any]]:
    nproc = w.spec.nproc_per_node or w.spec.resources.gpu or 1
    return [
        {"name": "MASTER_ADDR", "value": master_addr(w)},
        {"name": "MASTER_PORT", "value": str(w.spec.port)},
        {"name": "WORLD_SIZE", "value": str(w.spec.nodes)},
        {"name": "NODE_RANK", "valueFrom": {"fieldRef": {"fieldPath": COMPLETION_INDEX_FIELD}}},
        {"name": "NPROC_PER_NODE", "value": str(nproc)},
    ]


def _service(w: TrainingJob, place: Placement) -> dict[str, Any]:
    port = w.spec.port
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": meta(w, place),
        "spec": {
            "clusterIP": "None",
            "selector": selector(w),
            "publishNotReadyAddresses": True,
            "ports": [{"name": PORT_NAME, "port": port, "targetPort": port, "protocol": "TCP"}],
        },
    }


def _pod_failure_policy() -> dict[str, Any]:
    return {
        "rules": [
            {
                "action": "FailJob",
                "onExitCodes": {
                    "containerName": CONTAINER,
                    "operator": "In",
                    "values": list(NON_RETRYABLE_EXIT_CODES),
                },
            },
            {
                "action": "Ignore",
                "onPodConditions": [{"type": "DisruptionTarget", "status": "True"}],
            },
        ]
    }


def render_distributed(w: TrainingJob, place: Placement) -> list[dict[str, Any]]:
    nodes = w.spec.nodes
    port = {"name": PORT_NAME, "containerPort": w.spec.port, "protocol": "TCP"}
    main, volumes = container(w, place, CONTAINER, dataset_mounts(w), env=_env(w), ports=[port])
    template = pod_template(w, place, [main], volumes, restart_policy="Never", subdomain=w.name)
    indexed = job(
        w,
        place,
        template,
        completionMode="Indexed",
        completions=nodes,
        parallelism=nodes,
        podFailurePolicy=_pod_failure_policy(),
    )
    return [_service(w, place), indexed]
