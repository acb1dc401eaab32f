"""The endpoints and EndpointSlice controllers, as ``pkg/controller/endpoint/
endpoints_controller_test.go`` (TestSyncEndpointsItems, ...NotReady, ...PreserveNoSelector,
TestSyncEndpointsHeadlessService, TestPodToEndpointAddressForService) and
``pkg/controller/endpointslice/reconciler_test.go`` specify them."""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.engine.cluster import Cluster
from mlkube.engine.controllers.endpoints import EndpointsController

from .builders import Obj, cluster, gone, make_node, make_pod, run_ready

WEB = {"app": "web"}


def make_service(name: str = "web", **spec: Any) -> Obj:
    body: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default", "labels": {"team": "ml"}},
        "spec": {
            "selector": dict(WEB),
            "ports": [{"name": "http", "port": 80, "targetPort": 8080}],
        },
    }
    body["spec"].update(spec)
    return Obj(body)


@pytest.fixture
def c() -> Cluster:
    cl = cluster(lambda cl: EndpointsController(cl.api))
    cl.create(make_node("n1").labels(**{"topology.kubernetes.io/zone": "z1"}).build())
    return cl


def serving_pod(
    c: Cluster, name: str, ip: str, *, ready: bool = True, **labels: str
) -> dict[str, Any]:
    pod = c.create(make_pod(name, **(labels or WEB)).build())
    live = run_ready(c, pod, ip=ip, ready=ready)
    c.run_until_idle()
    return live


def endpoints(c: Cluster, name: str = "web") -> dict[str, Any]:
    found: dict[str, Any] = c.get("endpoints", name)
    return found


def slices(c: Cluster, name: str = "web") -> list[dict[str, Any]]:
    return c.list("endpointslices", "default", label_selector=f"kubernetes.io/service-name={name}")


def address(pod: dict[str, Any], ip: str) -> dict[str, Any]:
    meta = pod["metadata"]
    return {
        "ip": ip,
        "nodeName": "n1",
        "targetRef": {
            "kind": "Pod",
            "namespace": "default",
            "name": meta["name"],
            "uid": meta["uid"],
        },
    }


def test_ready_pods_are_addresses_on_the_target_port(c: Cluster) -> None:
    # TestSyncEndpointsItems
    c.create(make_service().build())
    b = serving_pod(c, "b", "10.0.0.2")
    a = serving_pod(c, "a", "10.0.0.1")
    ep = endpoints(c)
    assert ep["metadata"]["labels"] == {"team": "ml"}
    assert ep["subsets"] == [
        {
            "addresses": [address(a, "10.0.0.1"), address(b, "10.0.0.2")],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    ]


def test_pods_that_are_not_ready_are_not_ready_addresses(c: Cluster) -> None:
    # TestSyncEndpointsItemsWithLabels / NotReady
    c.create(make_service().build())
    pod = serving_pod(c, "a", "10.0.0.1", ready=False)
    assert endpoints(c)["subsets"] == [
        {
            "notReadyAddresses": [address(pod, "10.0.0.1")],
            "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
        }
    ]


def test_publish_not_ready_addresses_lists_every_pod_as_ready(c: Cluster) -> None:
    c.create(make_service(publishNotReadyAddresses=True).build())
    pod = serving_pod(c, "a", "10.0.0.1", ready=False)
    assert endpoints(c)["subsets"][0]["addresses"] == [address(pod, "10.0.0.1")]
    # podToEndpoint: ready is forced, serving still tells the truth
    (eps,) = slices(c)
    assert eps["endpoints"][0]["conditions"] == {
        "ready": True,
        "serving": False,
        "terminating": False,
    }


def test_a_named_target_port_resolves_to_the_container_port(c: Cluster) -> None:
    # podutil.FindPort
    c.create(make_service(ports=[{"port": 80, "targetPort": "web"}]).build())
    body = make_pod("a", **WEB).build()
    body["spec"]["containers"][0]["ports"] = [{"name": "web", "containerPort": 9000}]
    run_ready(c, c.create(body), ip="10.0.0.1")
    c.run_until_idle()
    assert endpoints(c)["subsets"][0]["ports"] == [{"port": 9000, "protocol": "TCP"}]


def test_pods_without_an_ip_and_pods_being_deleted_are_left_out(c: Cluster) -> None:
    c.create(make_service().build())
    c.create(make_pod("pending", **WEB).build())
    serving_pod(c, "leaving", "10.0.0.9")
    c.delete("pods", "leaving")  # graceful: it stays, terminating
    c.run_until_idle()
    assert "subsets" not in endpoints(c)
    (eps,) = slices(c)
    assert [e["conditions"] for e in eps["endpoints"]] == [
        {"ready": False, "serving": True, "terminating": True}
    ]


def test_a_pod_whose_labels_stop_matching_leaves_the_endpoints(c: Cluster) -> None:
    c.create(make_service().build())
    pod = serving_pod(c, "a", "10.0.0.1")
    live = c.get("pods", pod["metadata"]["name"])
    live["metadata"]["labels"] = {"app": "other"}
    c.update(live)
    c.run_until_idle()
    assert "subsets" not in endpoints(c)


def test_a_service_without_a_selector_keeps_its_own_endpoints(c: Cluster) -> None:
    # TestSyncEndpointsItemsPreserveNoSelector
    svc = make_service().build()
    svc["spec"].pop("selector")
    c.create(svc)
    serving_pod(c, "a", "10.0.0.1")
    assert gone(lambda: endpoints(c))
    assert slices(c) == []


def test_a_headless_service_is_labelled_headless(c: Cluster) -> None:
    # TestSyncEndpointsHeadlessService
    c.create(make_service(clusterIP="None").build())
    serving_pod(c, "a", "10.0.0.1")
    assert endpoints(c)["metadata"]["labels"] == {
        "team": "ml",
        "service.kubernetes.io/headless": "",
    }


def test_the_endpoint_slice_is_owned_by_the_service_and_describes_each_pod(c: Cluster) -> None:
    # reconciler_test.go TestReconcile1Pod
    svc = c.create(make_service().build())
    pod = serving_pod(c, "a", "10.0.0.1")
    (eps,) = slices(c)
    assert eps["metadata"]["generateName"] == "web-"
    assert eps["metadata"]["labels"] == {
        "team": "ml",
        "kubernetes.io/service-name": "web",
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
    }
    assert eps["metadata"]["ownerReferences"] == [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "web",
            "uid": svc["metadata"]["uid"],
            "controller": True,
            "blockOwnerDeletion": True,
        }
    ]
    assert eps["addressType"] == "IPv4"
    assert eps["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert eps["endpoints"] == [
        {
            "addresses": ["10.0.0.1"],
            "conditions": {"ready": True, "serving": True, "terminating": False},
            "targetRef": {
                "kind": "Pod",
                "namespace": "default",
                "name": "a",
                "uid": pod["metadata"]["uid"],
            },
            "nodeName": "n1",
            "zone": "z1",
        }
    ]


def test_a_service_without_pods_has_one_empty_slice(c: Cluster) -> None:
    # reconciler: a placeholder slice keeps the Service visible to consumers
    c.create(make_service().build())
    c.run_until_idle()
    (eps,) = slices(c)
    assert eps["endpoints"] is None  # stored as kube-apiserver stores []: a nil slice, null


def test_deleting_the_service_deletes_its_endpoints(c: Cluster) -> None:
    # syncService on a deleted Service: the Endpoints carry no owner reference
    c.create(make_service().build())
    serving_pod(c, "a", "10.0.0.1")
    c.delete("services", "web")
    c.run_until_idle()
    assert gone(lambda: endpoints(c))
