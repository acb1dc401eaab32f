"""A served embedded cluster (HTTP, RealClock) with a platform applied, for the SDK and CLI.

:func:`served` starts :class:`mlkube.server.serve.ServerThread` with a state directory (the
process runtime keeps pod logs there), writes a kubeconfig with one context ``served`` and
applies a platform spec through the same client path as ``mlkube platform apply``.
``PROCESS_PLATFORM`` runs pods as real local processes (logs, metrics); ``examples/platform.yaml``
has the GPU pool (simulated pods, ``sim.mlkube.io/run-for``) and the quotas.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from mlkube.client import KubeClient
from mlkube.platform.apply import apply
from mlkube.platform.spec import loads
from mlkube.platform.target import KubeTarget
from mlkube.server.serve import ServerThread

TOKEN = "sdk-test-token"
CONTEXT = "served"
EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "platform.yaml"
PYTHON = sys.executable

#: Two process-runtime nodes for every profile, one team with a CPU quota.
PROCESS_PLATFORM = """
apiVersion: mlkube.io/v1alpha1
kind: Platform
metadata: {name: proc}
pools:
  - name: cpu
    nodes: 2
    capacity: {cpu: "8", memory: 16Gi}
    runtime: process
teams:
  - name: vision
    quota: {requests.cpu: "8"}
    defaults: {cpu: 100m, memory: 64Mi}
priorities:
  - {name: research, value: 1000, default: true}
profiles:
  training: {pools: [cpu], retries: 0, parallelism: 2}
  inference: {pools: [cpu]}
  preprocessing: {pools: [cpu]}
"""


@dataclass(frozen=True)
class Served:
    server: ServerThread
    kubeconfig: Path

    @property
    def flags(self) -> list[str]:
        """The CLI flags that target this cluster."""
        return ["--kubeconfig", str(self.kubeconfig), "--context", CONTEXT]


def write_kubeconfig(path: Path, url: str) -> None:
    path.write_text(
        yaml.safe_dump(
            {
                "apiVersion": "v1",
                "kind": "Config",
                "clusters": [{"name": CONTEXT, "cluster": {"server": url}}],
                "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": "u"}}],
                "users": [{"name": "u", "user": {"token": TOKEN}}],
                "current-context": CONTEXT,
            }
        ),
        encoding="utf-8",
    )


@contextmanager
def served(tmp: Path, platform_yaml: str) -> Iterator[Served]:
    with ServerThread(token=TOKEN, state_dir=tmp / "state") as server:
        kubeconfig = tmp / "kubeconfig"
        write_kubeconfig(kubeconfig, server.url)
        with KubeClient.from_kubeconfig(kubeconfig) as client:
            apply(loads(platform_yaml), KubeTarget(client))
        yield Served(server, kubeconfig)


def trial_command(losses: list[float]) -> list[str]:
    """A trial that prints ``loss = losses[index]`` by the metrics protocol."""
    code = (
        "import json, os; "
        f"losses = {losses!r}; "
        "i = int(os.environ['MLKUBE_TRIAL_INDEX']); "
        "print('mlkube-metric: ' + json.dumps({'loss': losses[i], 'index': i}))"
    )
    return [PYTHON, "-c", code]
