"""The registry of served types matches what kube-apiserver v1.37 reports in discovery.

Facts come from the discovery fixtures and storage.go files summarised in
../shared/reference/api-machinery.md §1.4-1.6, and are cross-checked against lightkube's
generated models (built from the upstream OpenAPI), an independent source.
"""

from __future__ import annotations

import importlib

import pytest

from mlkube.api import registry
from mlkube.api.registry import (
    ALL,
    COLLECTION_VERBS,
    UnknownResource,
    by_kind,
    by_resource,
    lookup,
    storage_version_hash,
)

# (qualified name, storageVersionHash) from api-machinery.md §1.5 (recomputed upstream).
DISCOVERY_HASHES = [
    ("pods", "xPOwRZ+Yhw8="),
    ("nodes", "XwShjMxG9Fs="),
    ("namespaces", "Q3oi5N2YM8M="),
    ("services", "0/CO1lhkEBI="),
    ("configmaps", "qFsyl6wFWjQ="),
    ("secrets", "S6u1pOWzb84="),
    ("serviceaccounts", "pbx9ZvyFpBE="),
    ("persistentvolumes", "HN/zwEC+JgM="),
    ("persistentvolumeclaims", "QWTyNDq0dC4="),
    ("resourcequotas", "8uhSgffRX6w="),
    ("limitranges", "EBKMFVe6cwo="),
    ("events", "r2yiGXH7wu8="),
    ("events.events.k8s.io", "r2yiGXH7wu8="),
    ("jobs.batch", "mudhfqk/qZY="),
    ("cronjobs.batch", "sd5LIXh4Fjs="),
    ("deployments.apps", "8aSe+NMegvE="),
    ("replicasets.apps", "P1RzHs8/mWQ="),
    ("statefulsets.apps", "H+vl74LkKdo="),
    ("priorityclasses.scheduling.k8s.io", "1QwjyaZjj3Y="),
    ("storageclasses.storage.k8s.io", "K+m6uJwbjGY="),
    ("leases.coordination.k8s.io", "gqkMMb/YqFM="),
    ("poddisruptionbudgets.policy", "EVWiDmWqyJw="),
]


@pytest.mark.parametrize(("qualified", "expected"), DISCOVERY_HASHES)
def test_storage_version_hash_matches_discovery(qualified: str, expected: str) -> None:
    assert lookup(qualified).storage_version_hash == expected


def test_storage_version_hash_of_the_core_group_uses_an_empty_group() -> None:
    assert storage_version_hash("", "v1", "Pod") == "xPOwRZ+Yhw8="
    assert storage_version_hash("apps", "v1", "Deployment") == "8aSe+NMegvE="


@pytest.mark.parametrize(
    ("name", "qualified"),
    [
        pytest.param("po", "pods", id="a short name resolves (po)"),
        pytest.param("pod", "pods", id="a singular name resolves"),
        pytest.param("Pod", "pods", id="a kind resolves case-insensitively"),
        pytest.param("jobs", "jobs.batch", id="jobs have no short name but resolve by plural"),
        pytest.param("jobs.batch", "jobs.batch", id="a group-qualified name resolves"),
        pytest.param("deploy.v1.apps", "deployments.apps", id="a version-qualified name resolves"),
        pytest.param("quota", "resourcequotas", id="quota is the short name of resourcequotas"),
        pytest.param("limits", "limitranges", id="limits is the short name of limitranges"),
        pytest.param("pc", "priorityclasses.scheduling.k8s.io", id="pc names priorityclasses"),
        pytest.param("events", "events", id="the core group wins an ambiguous name (events)"),
        pytest.param("ev.events.k8s.io", "events.events.k8s.io", id="a group picks events.k8s.io"),
        pytest.param("sts", "statefulsets.apps", id="sts names statefulsets"),
        pytest.param("pdb", "poddisruptionbudgets.policy", id="pdb names poddisruptionbudgets"),
    ],
)
def test_lookup_resolves_names_as_kubectl_does(name: str, qualified: str) -> None:
    assert lookup(name).qualified == qualified


def test_an_unknown_name_gets_kubectls_message() -> None:
    with pytest.raises(UnknownResource, match='the server doesn\'t have a resource type "gadgets"'):
        lookup("gadgets")


def test_category_all_is_exactly_the_upstream_set_among_served_types() -> None:
    upstream_all = {"pods", "services", "deployments", "replicasets", "statefulsets", "jobs"}
    upstream_all |= {"cronjobs"}
    served_all = {t.plural for t in ALL if "all" in t.categories}
    assert served_all == upstream_all


def test_namespaces_have_no_deletecollection_and_everything_else_listable_does() -> None:
    assert "deletecollection" not in lookup("namespaces").verbs
    assert lookup("pods").verbs == COLLECTION_VERBS
    assert lookup("bindings").verbs == ("create",)


def test_subresources_in_another_group_name_their_group_and_version() -> None:
    eviction = lookup("pods").subresources["eviction"]
    assert (eviction.group, eviction.version, eviction.kind) == ("policy", "v1", "Eviction")
    scale = lookup("deployments").subresources["scale"]
    assert (scale.group, scale.version, scale.kind) == ("autoscaling", "v1", "Scale")


def test_status_subresources_have_get_patch_update() -> None:
    for t in ALL:
        if t.has_status:
            assert t.subresources["status"].verbs == ("get", "patch", "update")


def test_by_kind_and_by_resource_agree() -> None:
    for t in ALL:
        assert by_resource(t.group, t.version, t.plural) is t
        if (t.api_version, t.kind) != ("v1", "Binding"):
            assert by_kind(t.api_version, t.kind).plural == t.plural


def test_paths_follow_the_rest_layout() -> None:
    assert lookup("pods").path("ml", "p") == "/api/v1/namespaces/ml/pods/p"
    assert lookup("nodes").path(None, "n1") == "/api/v1/nodes/n1"
    assert lookup("jobs").path("ml") == "/apis/batch/v1/namespaces/ml/jobs"


def test_groups_list_core_first() -> None:
    names = [g for g, _ in registry.groups()]
    assert names[0] == ""
    assert len(names) == len(set(names))


_LIGHTKUBE_MODULE = {
    "": "core_v1",
    "batch": "batch_v1",
    "apps": "apps_v1",
    "events.k8s.io": "events_v1",
    "storage.k8s.io": "storage_v1",
    "scheduling.k8s.io": "scheduling_v1",
    "coordination.k8s.io": "coordination_v1",
    "policy": "policy_v1",
    "rbac.authorization.k8s.io": "rbac_authorization_v1",
    "discovery.k8s.io": "discovery_v1",
}


@pytest.mark.parametrize("rt", [t for t in ALL if t.kind != "Binding"], ids=lambda t: t.qualified)
def test_plural_scope_and_verbs_agree_with_the_upstream_openapi(rt: registry.ResourceType) -> None:
    module = importlib.import_module(f"lightkube.resources.{_LIGHTKUBE_MODULE[rt.group]}")
    info = getattr(module, rt.kind)._api_info
    assert info.plural == rt.plural
    assert ("global_list" in info.verbs) == rt.namespaced
    wire = {"post": "create", "put": "update"}
    upstream = {wire.get(v, v) for v in info.verbs if not v.startswith("global_")}
    assert upstream == set(rt.verbs)
