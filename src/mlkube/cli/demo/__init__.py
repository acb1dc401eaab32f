"""``make demo``: a real tiny ML pipeline on the embedded cluster, with the brief's Job
features shown on a simulated GPU pool alongside.

The demo starts the embedded ``local`` cluster behind its Kubernetes API (in a home of its
own, :mod:`~mlkube.cli.demo.home`), applies ``examples/demo-platform.yaml`` and then works
only through the SDK, as a user of ``mlkube train|sweep|preprocess|serve`` would:

- on the process-runtime pool, really running numpy on this machine
  (:mod:`~mlkube.cli.demo.pipeline`): preprocessing writes a dataset to a ReadWriteMany
  volume, a sweep of 8 trials (2 at a time) trains on it and prints metrics, ``results``
  picks the best, a final training run with the best parameters saves the model, and an
  inference service loads it and answers a prediction over HTTP;
- on the simulated GPU pool (:mod:`~mlkube.cli.demo.gpu`): placement by the training
  profile, a quota refusal with admission's own message, a deadline kill and TTL cleanup.

It ends with a summary of what ran where and leaves the cluster running for kubectl.
"""

from __future__ import annotations

import argparse
import socket
import time
from pathlib import Path
from typing import TYPE_CHECKING

from mlkube.cli.demo.home import CHECKOUT, default_home, fresh_cluster

if TYPE_CHECKING:
    from rich.console import Console

    from mlkube.sdk import Client

__all__ = ["PLATFORM", "main", "run"]

PLATFORM = CHECKOUT / "examples" / "demo-platform.yaml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _nodes_ready(client: Client, count: int) -> bool:
    nodes = client.kube.list("nodes")
    ready = [
        n
        for n in nodes
        if any(
            c.get("type") == "Ready" and c.get("status") == "True"
            for c in (n.get("status") or {}).get("conditions") or []
        )
    ]
    return len(ready) >= count


def run(console: Console, home: Path) -> int:
    """The demo, step by step (see the module docstring)."""
    import mlkube
    from mlkube.cli.demo import gpu, pipeline
    from mlkube.cli.demo.show import Where, nodes_table, step, summary_table
    from mlkube.platform.apply import apply
    from mlkube.platform.spec import load_file
    from mlkube.platform.target import KubeTarget
    from mlkube.sdk import local

    begin = time.monotonic()
    if not pipeline.PIPELINE.is_dir():
        raise RuntimeError(
            f"the demo runs from a checkout of mlkube: {pipeline.PIPELINE} is missing "
            "(make demo installs the checkout in editable mode)"
        )
    # 0. A cluster of the demo's own, fresh on every run.
    started, was_reset = fresh_cluster(home)
    console.print(
        f"MLKUBE_HOME={home} [dim](the demo's own; ~/.mlkube is not touched)[/dim]",
        highlight=False,
    )
    console.print(
        f"embedded cluster local {'reset and ' if was_reset else ''}started at "
        f"{started.info['url']}",
        highlight=False,
    )
    client = mlkube.connect(team=pipeline.TEAM)

    # 1. The platform, as built-in objects.
    step(console, 1, f"the platform ({PLATFORM.relative_to(CHECKOUT)})")
    spec = load_file(PLATFORM)
    outcome = apply(spec, KubeTarget(client.kube), embedded=True)
    expected = sum(p.nodes for p in spec.pools)
    deadline = time.monotonic() + 60
    while not _nodes_ready(client, expected) and time.monotonic() < deadline:
        time.sleep(0.1)
    nodes = client.kube.list("nodes")
    where = Where(nodes)
    console.print(
        f"{len(outcome.written)} objects written by server-side apply: "
        f"{len(spec.pools)} pools, {len(spec.teams)} teams with quotas and limit ranges, "
        f"{len(spec.datasets)} ReadWriteMany datasets, {len(spec.priorities)} priorities"
    )
    console.print(nodes_table(nodes, where))

    # 2. and 3. The GPU side show starts: placement, then a refusal by quota.
    step(console, 2, "training jobs placed on the simulated GPU pool")
    show = gpu.start(client, console, where)
    step(console, 3, "a job beyond team vision's GPU quota")
    gpu.refuse(client, console, show)

    # 4.-8. The real pipeline on the process pool.
    step(console, 4, "preprocess: a synthetic dataset into the ReadWriteMany volume")
    ran = [pipeline.preprocess(client, console, where)]
    step(console, 5, "sweep: 8 trials of a numpy model, 2 at a time")
    swept, results = pipeline.sweep(client, console, where)
    ran.append(swept)
    step(console, 6, "results: the best trial")
    best = pipeline.best_of(results)
    console.print(
        f"best: trial {best.index} with {best.params}: {pipeline.METRIC} "
        f"{best.metrics[pipeline.METRIC]:.4f}, accuracy {best.metrics.get('accuracy', 0):.3f}",
        highlight=False,
    )
    step(console, 7, "final training with the best parameters")
    ran.append(pipeline.final_training(client, console, where, best))
    step(console, 8, "inference: a service answers a prediction over HTTP")
    served, _ = pipeline.inference(client, console, where, _free_port())
    ran.append(served)

    # 9. The GPU side show ends: deadline and TTL.
    step(console, 9, "on the GPU pool meanwhile: a deadline kill and TTL cleanup")
    ran.extend(gpu.finish(console, show, where))

    # 10. What ran where, and how to look around.
    step(console, 10, f"summary ({time.monotonic() - begin:.0f} s)")
    console.print(summary_table(ran))
    kubeconfig = local.kubeconfig_path()
    console.rule("[bold]look around[/bold] (the cluster keeps running)", align="left")
    console.print(
        f"  export KUBECONFIG={kubeconfig}\n"
        "  kubectl get jobs -A\n"
        "  kubectl get pods -n vision -o wide\n"
        f"  MLKUBE_HOME={home} mlkube jobs -A\n"
        f"  MLKUBE_HOME={home} mlkube results sweep -n vision\n"
        f"  MLKUBE_HOME={home} mlkube cluster down      # stop it (make demo resets it)",
        highlight=False,
    )
    client.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m mlkube.cli.demo [--home DIR]``; 0 when every step worked."""
    from rich.console import Console

    from mlkube.client import ApiError, ConnectionFailed
    from mlkube.platform.problems import SpecError
    from mlkube.sdk import MlkubeError
    from mlkube.sdk.local import LocalClusterError, kubeconfig_path

    parser = argparse.ArgumentParser(prog="make demo", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--home",
        type=Path,
        default=default_home(),
        help="the demo's MLKUBE_HOME (default: .demo/ in the checkout)",
    )
    args = parser.parse_args(argv)
    console = Console()
    try:
        return run(console, args.home.resolve())
    except (
        MlkubeError,
        SpecError,
        ApiError,
        ConnectionFailed,
        LocalClusterError,
        TimeoutError,
        RuntimeError,
    ) as err:
        console.print(f"[bold red]the demo stopped:[/bold red] {err}", highlight=False)
        console.print(
            f"the cluster's log: {args.home.resolve() / 'clusters' / 'local' / 'server.log'}; "
            f"kubeconfig: {kubeconfig_path()}",
            highlight=False,
        )
        return 1
