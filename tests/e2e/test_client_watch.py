"""KubeClient.watch against the real kube-apiserver: a watch without a resourceVersion is a
WatchList in v1.37 (``SetListOptionsDefaults``: sendInitialEvents=true), which the server
compresses one gzip member per flush (``perFlushGzipWriter``); the client reads on past
the ``k8s.io/initial-events-end`` bookmark to the live events."""

from __future__ import annotations

import ssl
import uuid
from collections.abc import Iterator

import httpx2 as httpx
import pytest

from mlkube.client import KubeClient
from mlkube.testing.controlplane import RealCluster

pytestmark = pytest.mark.e2e

INITIAL_END = "k8s.io/initial-events-end"


@pytest.fixture(scope="module")
def kube(real_cluster: RealCluster) -> Iterator[KubeClient]:
    with KubeClient.from_kubeconfig(real_cluster.kubeconfig) as client:
        yield client


@pytest.fixture
def namespace(kube: KubeClient) -> Iterator[str]:
    name = f"watch-{uuid.uuid4().hex[:6]}"
    kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    yield name
    kube.delete("namespaces", name)


def _config_map(name: str, namespace: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": namespace},
    }


def test_the_real_apiserver_compresses_a_watch_without_resource_version_per_flush(
    real_cluster: RealCluster, namespace: str
) -> None:
    # the premise of the client's fix: httpx's decoder reads only the first gzip member
    pki = real_cluster.pki
    path = f"{real_cluster.server}/api/v1/namespaces/{namespace}/configmaps"
    query = {"watch": "true", "allowWatchBookmarks": "true", "timeoutSeconds": "1"}
    tls = ssl.create_default_context(cafile=str(pki.ca_cert))
    tls.load_cert_chain(str(pki.admin_cert), str(pki.admin_key))
    with (
        httpx.Client(verify=tls, timeout=30.0) as http,
        http.stream("GET", path, params=query) as response,
    ):
        encoding = response.headers.get("Content-Encoding")
        first = next(response.iter_raw(), b"")
    assert (encoding, first[:2]) == ("gzip", b"\x1f\x8b")


def test_a_watch_without_resource_version_yields_the_events_after_the_initial_bookmark(
    kube: KubeClient, namespace: str
) -> None:
    kube.create(_config_map("before", namespace))
    seen: list[tuple[str, str | None]] = []
    for kind, obj in kube.watch("configmaps", namespace, timeout_seconds=30):
        meta = obj.get("metadata") or {}
        if kind == "BOOKMARK" and (meta.get("annotations") or {}).get(INITIAL_END) == "true":
            seen.append((kind, INITIAL_END))
            kube.create(_config_map("after", namespace))
            continue
        if kind == "BOOKMARK":
            continue
        seen.append((kind, meta.get("name")))
        if meta.get("name") == "after":
            break
    names = [entry for entry in seen if entry[1] != "kube-root-ca.crt"]
    assert names == [("ADDED", "before"), ("BOOKMARK", INITIAL_END), ("ADDED", "after")]
