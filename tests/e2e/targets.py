"""The real control plane and the served embedded cluster, side by side, for tests that
compare what both answer on the wire (kubectl, WebSocket, raw HTTP)."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from mlkube.client import KubeClient
from mlkube.testing.controlplane import RealCluster
from tests.integration.conftest import TOKEN, Served

__all__ = ["Target", "both_clusters"]


@dataclass
class Target:
    """One cluster as kubectl, KubeClient and a WebSocket client reach it."""

    name: str
    kubeconfig: Path
    server: str
    tls: ssl.SSLContext
    headers: dict[str, str]

    def client(self) -> KubeClient:
        return KubeClient.from_kubeconfig(self.kubeconfig)


@contextmanager
def both_clusters(real_cluster: RealCluster, state_dir: Path) -> Iterator[list[Target]]:
    """``[real, embedded]``: the started real cluster, and ``python -m mlkube.server`` (TLS
    and a bearer token, as ``mlkube cluster up`` runs it) in ``state_dir`` until the end."""
    served = Served(state_dir)
    served.start()
    pki = real_cluster.pki
    real_tls = ssl.create_default_context(cafile=str(pki.ca_cert))
    real_tls.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
    embedded_tls = served.ssl_context()
    assert embedded_tls is not None, "the served cluster runs with TLS"
    try:
        yield [
            Target("real", real_cluster.kubeconfig, real_cluster.server, real_tls, {}),
            Target(
                "embedded",
                served.kubeconfig,
                served.url,
                embedded_tls,
                {"Authorization": f"Bearer {TOKEN}"},
            ),
        ]
    finally:
        served.stop()
