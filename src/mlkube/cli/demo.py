"""``make demo``: the platform of ``examples/platform.yaml`` on an embedded cluster, and the
brief's Job features at work, in a few seconds of virtual time.

Everything runs through the embedded cluster's API exactly as it would on Kubernetes: the
platform is applied as built-in objects (pools as nodes with labels and taints, team
namespaces with ResourceQuota and LimitRange, PriorityClasses, dataset volumes), then
training Jobs are placed by the scheduler on the GPU pool, run by simulated kubelets,
refused by quota, killed at their deadline and cleaned up by their TTL. The workloads CLI
(``mlkube train`` and friends) is not built yet; the Jobs here are plain manifests with the
training profile's placement.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

__all__ = ["main"]

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def _job(
    name: str, namespace: str, profile: Any, *, gpus: int, run_for: str, **spec: Any
) -> dict[str, Any]:
    """A training Job with the profile's placement, deadline, retries, TTL and priority."""
    resources = {"nvidia.com/gpu": str(gpus), "cpu": "8", "memory": "64Gi"}
    template_spec: dict[str, Any] = {
        "restartPolicy": "Never",
        "priorityClassName": profile.priority_class,
        "tolerations": profile.tolerations,
        "affinity": profile.affinity,
        "containers": [
            {
                "name": "train",
                "image": "pytorch/pytorch:2.4.0",
                "command": ["torchrun", "train.py"],
                "resources": {"requests": resources, "limits": resources},
            }
        ],
    }
    job_spec: dict[str, Any] = {
        "backoffLimit": profile.backoff_limit,
        "activeDeadlineSeconds": profile.active_deadline_seconds,
        "ttlSecondsAfterFinished": profile.ttl_seconds_after_finished,
        "template": {
            "metadata": {
                "labels": {"mlkube.io/workload": name},
                "annotations": {"sim.mlkube.io/run-for": run_for},
            },
            "spec": template_spec,
        },
    }
    job_spec.update(spec)
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": {"mlkube.io/team": namespace}},
        "spec": {k: v for k, v in job_spec.items() if v is not None},
    }


def _condition(job: dict[str, Any]) -> str:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return f"{c['type']} ({c.get('reason', '')})"
    return "Running" if (job.get("status") or {}).get("active") else "Pending"


def main() -> int:
    from rich.console import Console
    from rich.table import Table

    from mlkube.engine.clock import FakeClock
    from mlkube.engine.cluster import Cluster
    from mlkube.engine.errors import NotFound
    from mlkube.platform import load_file
    from mlkube.platform.apply import apply
    from mlkube.platform.profiles import resolve
    from mlkube.platform.target import EmbeddedTarget

    console = Console()
    clock = FakeClock()
    cluster = Cluster(clock=clock, seed=7)
    spec = load_file(EXAMPLES / "platform.yaml")

    # 1. The platform, as built-in objects.
    outcome = apply(spec, EmbeddedTarget(cluster), embedded=True)
    cluster.advance(15)
    console.rule("[bold]1. platform applied[/bold] (examples/platform.yaml)")
    console.print(f"{len(outcome.plan.of('create'))} objects created through server-side apply")
    nodes = Table("node", "pool", "gpus", "taints")
    for node in cluster.list("nodes"):
        labels = node["metadata"].get("labels") or {}
        taints = ", ".join(f"{t['key']}:{t['effect']}" for t in node["spec"].get("taints") or [])
        gpus = (node.get("status") or {}).get("allocatable", {}).get("nvidia.com/gpu", "-")
        nodes.add_row(node["metadata"]["name"], labels.get("mlkube.io/pool", ""), gpus, taints)
    console.print(nodes)

    team = next(t for t in spec.teams if t.name == "vision")
    ns = team.namespace_name
    training = resolve(spec, "training")

    # 2. Training Jobs: placed on the GPU pool by the training profile.
    console.rule("[bold]2. training jobs on the GPU pool[/bold]")
    cluster.create(_job("resnet", ns, training, gpus=8, run_for="20m"))
    cluster.create(_job("vit", ns, training, gpus=8, run_for="30m"))
    cluster.advance(5)
    placed = Table("pod", "node", "phase")
    for pod in cluster.list("pods", ns):
        placed.add_row(
            pod["metadata"]["name"],
            pod["spec"].get("nodeName", "-"),
            pod["status"].get("phase", ""),
        )
    console.print(placed)

    # 3. Quota: the team's 16 GPUs are in use; a third 8-GPU job is refused pod by pod.
    console.rule("[bold]3. a job beyond the team's GPU quota[/bold]")
    cluster.create(_job("bert", ns, training, gpus=8, run_for="10m"))
    cluster.advance(5)
    refusals = [
        e["message"]
        for e in cluster.list("events", ns)
        if e.get("reason") == "FailedCreate" and e["involvedObject"]["name"] == "bert"
    ]
    console.print(refusals[0] if refusals else "(no refusal recorded)")

    # 4. A deadline: a job that would run 48h is failed at its 2h activeDeadlineSeconds.
    console.rule("[bold]4. deadlines, completion and TTL cleanup (virtual time)[/bold]")
    cluster.advance(40 * 60)  # resnet and vit complete; bert gets their GPUs and finishes
    runaway = _job("runaway", ns, training, gpus=4, run_for="48h", activeDeadlineSeconds=7200)
    cluster.create(runaway)
    cluster.advance(2 * 3600 + 30 * 60)
    jobs = Table("job", "state", "after ttlSecondsAfterFinished (1h)")
    for name in ("resnet", "vit", "bert", "runaway"):
        try:
            job = cluster.get("jobs", name, ns)
            jobs.add_row(name, _condition(job), "kept (finished less than 1h ago)")
        except NotFound:
            jobs.add_row(name, "finished", "deleted by ttlSecondsAfterFinished")
    console.print(jobs)
    deadline = [
        e["message"] for e in cluster.list("events", ns) if e.get("reason") == "DeadlineExceeded"
    ]
    if deadline:
        console.print(f"runaway: {deadline[0]}")

    console.rule("[bold]look around[/bold]")
    console.print(
        "The same cluster behind a Kubernetes API: `mlkube cluster up`, then\n"
        "  mlkube platform apply -f examples/platform.yaml --kubeconfig ~/.mlkube/kubeconfig\n"
        "  kubectl --kubeconfig ~/.mlkube/kubeconfig get nodes,quota,limitranges -A"
    )
    cluster.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
