"""Discovery as kube-apiserver serves it: legacy shapes, aggregated v2 by Accept, /version."""

from __future__ import annotations

import hashlib

import pytest

from tests.unit.server.conftest import Http

AGGREGATED_ACCEPT = (
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
)
AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"


def test_version_reports_the_kubernetes_version_it_follows(api: Http) -> None:
    body = api.get("/version").json()
    assert (body["major"], body["minor"], body["gitVersion"]) == ("1", "37", "v1.37.0")


def test_version_and_health_need_no_token(api: Http) -> None:
    assert api.get("/version", token="").status == 200
    for path in ("/healthz", "/readyz", "/livez"):
        reply = api.get(path, token="")
        assert (reply.status, reply.body) == (200, b"ok")


def test_api_without_aggregated_accept_is_api_versions_without_api_version(api: Http) -> None:
    reply = api.get("/api", headers={"Accept": "application/json"})
    body = reply.json()
    assert reply.headers["Content-Type"] == "application/json"
    assert body["kind"] == "APIVersions"
    assert body["versions"] == ["v1"]
    assert "apiVersion" not in body


def test_apis_lists_named_groups_but_never_the_core_group(api: Http) -> None:
    body = api.get("/apis").json()
    names = [g["name"] for g in body["groups"]]
    assert body["kind"] == "APIGroupList"
    assert "" not in names
    assert {"apps", "batch", "policy"} <= set(names)
    batch = next(g for g in body["groups"] if g["name"] == "batch")
    assert batch["preferredVersion"] == {"groupVersion": "batch/v1", "version": "v1"}


def test_core_resource_list_has_no_api_version_and_sorts_subresources_after_parents(
    api: Http,
) -> None:
    body = api.get("/api/v1").json()
    names = [r["name"] for r in body["resources"]]
    assert "apiVersion" not in body
    assert body["groupVersion"] == "v1"
    assert names == sorted(names)
    pods = next(r for r in body["resources"] if r["name"] == "pods")
    assert pods["shortNames"] == ["po"]
    assert pods["categories"] == ["all"]
    assert pods["storageVersionHash"] == "xPOwRZ+Yhw8="
    eviction = next(r for r in body["resources"] if r["name"] == "pods/eviction")
    assert eviction == {
        "name": "pods/eviction",
        "singularName": "",
        "namespaced": True,
        "group": "policy",
        "version": "v1",
        "kind": "Eviction",
        "verbs": ["create"],
    }


def test_named_group_resource_list_carries_api_version(api: Http) -> None:
    body = api.get("/apis/batch/v1").json()
    jobs = next(r for r in body["resources"] if r["name"] == "jobs")
    assert body["apiVersion"] == "v1"
    assert jobs["storageVersionHash"] == "mudhfqk/qZY="
    assert "shortNames" not in jobs


def test_aggregated_discovery_is_served_when_asked_for_with_its_content_type(
    api: Http,
) -> None:
    reply = api.get("/apis", headers={"Accept": AGGREGATED_ACCEPT})
    body = reply.json()
    assert reply.headers["Content-Type"] == AGGREGATED_TYPE
    assert reply.headers["ETag"] == f'"{hashlib.sha512(reply.body).hexdigest()}"'
    assert body["kind"] == "APIGroupDiscoveryList"
    apps = next(i for i in body["items"] if i["metadata"]["name"] == "apps")
    deployments = next(
        r for r in apps["versions"][0]["resources"] if r["resource"] == "deployments"
    )
    assert deployments["scope"] == "Namespaced"
    assert [s["subresource"] for s in deployments["subresources"]] == ["scale", "status"]
    assert deployments["subresources"][0]["responseKind"] == {
        "group": "autoscaling",
        "version": "v1",
        "kind": "Scale",
    }


def test_aggregated_core_discovery_holds_one_unnamed_group(api: Http) -> None:
    body = api.get("/api", headers={"Accept": AGGREGATED_ACCEPT}).json()
    assert [i["metadata"]["name"] for i in body["items"]] == [""]


def test_a_matching_if_none_match_gets_304(api: Http) -> None:
    first = api.get("/api", headers={"Accept": AGGREGATED_ACCEPT})
    again = api.get(
        "/api", headers={"Accept": AGGREGATED_ACCEPT, "If-None-Match": first.headers["ETag"]}
    )
    assert (again.status, again.body) == (304, b"")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/api/", id="a trailing slash on /api is accepted"),
        pytest.param("/apis/", id="a trailing slash on /apis is accepted"),
        pytest.param("/version/", id="a trailing slash on /version is accepted"),
        pytest.param("/api/v1/namespaces/", id="a trailing slash on a collection is accepted"),
    ],
)
def test_trailing_slashes_are_accepted(api: Http, path: str) -> None:
    assert api.get(path).status == 200


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/apis/nosuchgroup/v1/things", id="an unknown group"),
        pytest.param("/api/v1/nosuchresource", id="an unknown resource"),
        pytest.param("/nowhere", id="an unknown root path"),
        pytest.param("/api/v1/nodes/n1/nosuchsub", id="an unknown subresource"),
    ],
)
def test_unknown_paths_are_404_with_a_status_body(api: Http, path: str) -> None:
    reply = api.get(path)
    assert reply.status == 404
    assert reply.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": "the server could not find the requested resource",
        "reason": "NotFound",
        "details": {},
        "code": 404,
    }
