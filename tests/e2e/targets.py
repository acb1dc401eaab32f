"""The real control plane and the served embedded cluster, side by side, for tests that
compare what both answer on the wire (kubectl, WebSocket, raw HTTP)."""

from __future__ import annotations

import ssl
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import RealCluster
from tests.integration.conftest import TOKEN, Served

__all__ = ["Target", "both_clusters", "eventually"]

T = TypeVar("T")


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


def eventually(probe: Callable[[], T | None], what: str, timeout: float = 60.0) -> T:
    """``probe()``'s first value that is not None, polled for up to ``timeout`` seconds;
    the test fails naming ``what`` when it never comes."""
    deadline = time.monotonic() + timeout
    while (value := probe()) is None:
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.25)
    return value
