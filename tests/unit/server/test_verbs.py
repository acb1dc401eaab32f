"""Every verb of the store over REST: status codes and bodies as kube-apiserver answers them."""

from __future__ import annotations

import time
from typing import Any

import pytest

from mlkube.server.serve import ServerThread
from tests.unit.server.conftest import Http, configmap, pod

CM = "/api/v1/namespaces/default/configmaps"
PODS = "/api/v1/namespaces/default/pods"


def test_create_answers_201_with_the_stored_object(api: Http) -> None:
    reply = api.post(CM, configmap("a", k="v"))
    body = reply.json()
    assert reply.status == 201
    assert body["kind"] == "ConfigMap"
    assert body["metadata"]["namespace"] == "default"
    assert body["metadata"]["resourceVersion"]
    assert body["data"] == {"k": "v"}


def test_get_returns_the_object_with_kind_and_api_version(api: Http) -> None:
    api.post(CM, configmap("a", k="v"))
    body = api.get(f"{CM}/a").json()
    assert (body["apiVersion"], body["kind"], body["metadata"]["name"]) == ("v1", "ConfigMap", "a")


def test_a_list_has_items_without_kind_and_the_snapshot_resource_version(api: Http) -> None:
    api.post(CM, configmap("a"))
    body = api.get(CM + "?labelSelector=nothing%3Dhere").json()
    assert body["kind"] == "ConfigMapList"
    assert body["items"] == []
    assert body["metadata"]["resourceVersion"].isdigit()
    listed = api.get(CM).json()["items"]
    assert all("kind" not in item and "apiVersion" not in item for item in listed)


def test_a_list_filters_by_label_and_field_selectors(api: Http) -> None:
    api.post(PODS, pod("a", app="web"))
    api.post(PODS, pod("b", app="db"))
    by_label = api.get(f"{PODS}?labelSelector=app%3Dweb").json()["items"]
    by_field = api.get(f"{PODS}?fieldSelector=metadata.name%3Db").json()["items"]
    by_phase = api.get(f"{PODS}?fieldSelector=status.phase%3DPending").json()["items"]
    assert [p["metadata"]["name"] for p in by_label] == ["a"]
    assert [p["metadata"]["name"] for p in by_field] == ["b"]
    assert [p["metadata"]["name"] for p in by_phase] == ["a", "b"]


def test_limit_and_continue_page_through_one_snapshot(api: Http) -> None:
    for name in ("a", "b", "c"):
        api.post(CM, configmap(name))
    first = api.get(f"{CM}?limit=2").json()
    rest = api.get(f"{CM}?limit=2&continue={first['metadata']['continue']}").json()
    names = [i["metadata"]["name"] for i in first["items"] + rest["items"]]
    assert "kube-root-ca.crt" in names
    assert sorted(names) == ["a", "b", "c", "kube-root-ca.crt"]
    assert first["metadata"]["remainingItemCount"] == 2
    assert rest["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]
    assert "continue" not in rest["metadata"]


def test_a_list_across_namespaces_uses_the_cluster_path(api: Http) -> None:
    api.post(CM, configmap("a"))
    body = api.get("/api/v1/configmaps").json()
    namespaces = {i["metadata"]["namespace"] for i in body["items"]}
    assert {"default", "kube-system"} <= namespaces


def test_update_answers_200_and_a_stale_resource_version_is_409(api: Http) -> None:
    created = api.post(CM, configmap("a", k="v")).json()
    changed = dict(created, data={"k": "w"})
    reply = api("PUT", f"{CM}/a", changed)
    assert (reply.status, reply.json()["data"]) == (200, {"k": "w"})
    stale = api("PUT", f"{CM}/a", dict(created, data={"k": "x"}))
    assert (stale.status, stale.json()["reason"]) == (409, "Conflict")


@pytest.mark.parametrize(
    ("content_type", "patch", "expected"),
    [
        pytest.param(
            "application/merge-patch+json",
            {"data": {"b": "2", "a": None}},
            {"b": "2"},
            id="a merge patch merges maps and deletes null keys",
        ),
        pytest.param(
            "application/strategic-merge-patch+json",
            {"data": {"b": "2"}},
            {"a": "1", "b": "2"},
            id="a strategic merge patch merges maps",
        ),
        pytest.param(
            "application/json-patch+json",
            [{"op": "replace", "path": "/data/a", "value": "9"}],
            {"a": "9"},
            id="a JSON patch applies its operations",
        ),
    ],
)
def test_patches_of_each_type_apply_to_the_stored_object(
    api: Http, content_type: str, patch: Any, expected: dict[str, str]
) -> None:
    api.post(CM, configmap("a", a="1"))
    reply = api("PATCH", f"{CM}/a", patch, content_type=content_type)
    assert (reply.status, reply.json()["data"]) == (200, expected)


def test_a_json_patch_that_fails_to_apply_is_422_with_the_fixed_message(api: Http) -> None:
    api.post(CM, configmap("a", a="1"))
    reply = api(
        "PATCH",
        f"{CM}/a",
        [{"op": "remove", "path": "/data/zz"}],
        content_type="application/json-patch+json",
    )
    assert reply.status == 422
    assert reply.json()["message"] == (
        "the server rejected our request due to an error in our request"
    )


def test_an_unknown_patch_content_type_is_415(api: Http) -> None:
    api.post(CM, configmap("a"))
    reply = api("PATCH", f"{CM}/a", {"data": {}}, content_type="application/json")
    assert reply.status == 415
    assert reply.json()["reason"] == "UnsupportedMediaType"


def test_apply_creates_with_201_then_updates_with_200(api: Http) -> None:
    body = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  a: '1'\n"
    url = f"{CM}/applied?fieldManager=tester"
    created = api("PATCH", url, body, content_type="application/apply-patch+yaml")
    again = api(
        "PATCH", url, body.replace(b"'1'", b"'2'"), content_type="application/apply-patch+yaml"
    )
    assert created.status == 201
    assert (again.status, again.json()["data"]) == (200, {"a": "2"})
    managers = [m["manager"] for m in again.json()["metadata"]["managedFields"]]
    assert managers == ["tester"]


def test_apply_without_a_field_manager_is_422(api: Http) -> None:
    reply = api(
        "PATCH",
        f"{CM}/x",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",
        content_type="application/apply-patch+yaml",
    )
    assert reply.status == 422
    assert reply.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
        "is required for apply patch"
    )


def test_force_on_a_non_apply_patch_is_422(api: Http) -> None:
    api.post(CM, configmap("a"))
    reply = api(
        "PATCH", f"{CM}/a?force=true", {"data": {}}, content_type="application/merge-patch+json"
    )
    assert reply.status == 422
    assert reply.json()["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: '
        "may not be specified for non-apply patch"
    )


def test_dry_run_all_answers_but_stores_nothing(api: Http) -> None:
    reply = api.post(f"{CM}?dryRun=All", configmap("ghost"))
    assert reply.status == 201
    assert api.get(f"{CM}/ghost").status == 404


def test_deleting_a_configmap_answers_a_success_status(api: Http) -> None:
    uid = api.post(CM, configmap("a")).json()["metadata"]["uid"]
    reply = api("DELETE", f"{CM}/a", {"propagationPolicy": "Background"})
    assert reply.status == 200
    assert reply.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": "a", "kind": "configmaps", "uid": uid},
    }
    assert api.get(f"{CM}/a").status == 404


def test_deleting_an_unscheduled_pod_answers_the_final_object(api: Http) -> None:
    api.post(PODS, pod("p"))
    reply = api("DELETE", f"{PODS}/p")
    assert (reply.status, reply.json()["kind"]) == (200, "Pod")
    assert api.get(f"{PODS}/p").status == 404


def test_a_delete_precondition_that_does_not_match_is_409(api: Http) -> None:
    api.post(CM, configmap("a"))
    reply = api("DELETE", f"{CM}/a", {"preconditions": {"uid": "not-it"}})
    assert reply.status == 409
    assert "the UID in the precondition (not-it) does not match" in reply.json()["message"]


def test_delete_options_may_come_as_query_parameters(api: Http) -> None:
    api.post(CM, configmap("a"))
    reply = api("DELETE", f"{CM}/a?dryRun=All")
    assert reply.status == 200
    assert api.get(f"{CM}/a").status == 200


def test_deleting_a_job_without_a_policy_warns_that_pods_are_kept(api: Http) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "train"},
        "spec": {
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "main", "image": "busybox"}],
                }
            }
        },
    }
    jobs = "/apis/batch/v1/namespaces/default/jobs"
    assert api.post(jobs, job).status == 201
    reply = api("DELETE", f"{jobs}/train")
    assert reply.headers["Warning"].startswith(
        '299 - "child pods are preserved by default when jobs are deleted'
    )


def test_delete_collection_answers_the_list_of_deleted_objects(api: Http) -> None:
    api.post(CM, dict(configmap("a"), metadata={"name": "a", "labels": {"x": "1"}}))
    api.post(CM, dict(configmap("b"), metadata={"name": "b", "labels": {"x": "1"}}))
    reply = api("DELETE", f"{CM}?labelSelector=x%3D1")
    body = reply.json()
    assert body["kind"] == "ConfigMapList"
    assert sorted(i["metadata"]["name"] for i in body["items"]) == ["a", "b"]
    assert api.get(f"{CM}?labelSelector=x%3D1").json()["items"] == []


def test_the_status_subresource_reads_and_writes_only_status(api: Http) -> None:
    created = api.post(PODS, pod("p")).json()
    status = api.get(f"{PODS}/p/status").json()
    assert status["metadata"]["uid"] == created["metadata"]["uid"]
    reply = api(
        "PATCH",
        f"{PODS}/p/status",
        {"status": {"phase": "Running"}, "spec": {"nodeName": "elsewhere"}},
        content_type="application/merge-patch+json",
    )
    body = reply.json()
    assert body["status"]["phase"] == "Running"
    assert "nodeName" not in body["spec"]


def _deployment(replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_the_scale_subresource_reads_and_sets_replicas(api: Http) -> None:
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    api.post(deployments, _deployment(2))
    scale = api.get(f"{deployments}/web/scale").json()
    assert (scale["kind"], scale["apiVersion"], scale["spec"]) == (
        "Scale",
        "autoscaling/v1",
        {"replicas": 2},
    )
    assert scale["status"]["selector"] == "app=web"
    patched = api(
        "PATCH",
        f"{deployments}/web/scale",
        {"spec": {"replicas": 5}},
        content_type="application/merge-patch+json",
    )
    assert patched.json()["spec"] == {"replicas": 5}
    assert api.get(f"{deployments}/web").json()["spec"]["replicas"] == 5


def test_a_negative_scale_is_refused_as_an_invalid_scale(api: Http) -> None:
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    api.post(deployments, _deployment(2))
    body = {"apiVersion": "autoscaling/v1", "kind": "Scale", "metadata": {"name": "web"}}
    reply = api("PUT", f"{deployments}/web/scale", {**body, "spec": {"replicas": -1}})
    assert (reply.status, reply.json()["message"]) == (
        422,
        'Scale.autoscaling "web" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0",
    )


def test_a_stale_scale_update_is_a_conflict(api: Http) -> None:
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    api.post(deployments, _deployment(2))
    scale = api.get(f"{deployments}/web/scale").json()
    scale["spec"]["replicas"] = 3
    assert api("PUT", f"{deployments}/web/scale", scale).status == 200
    assert api("PUT", f"{deployments}/web/scale", scale).status == 409


def test_a_json_patch_on_the_scale_sets_replicas(api: Http) -> None:
    deployments = "/apis/apps/v1/namespaces/default/deployments"
    api.post(deployments, _deployment(2))
    patched = api(
        "PATCH",
        f"{deployments}/web/scale",
        [{"op": "replace", "path": "/spec/replicas", "value": 0}],
        content_type="application/json-patch+json",
    )
    assert (patched.status, patched.json()["spec"]) == (200, {})  # replicas: omitempty
    assert api.get(f"{deployments}/web").json()["spec"]["replicas"] == 0


@pytest.mark.parametrize(
    ("options", "message"),
    [
        pytest.param(
            {"gracePeriodSeconds": "x"},
            "json: cannot unmarshal string into Go struct field DeleteOptions.gracePeriodSeconds "
            "of type int64",
            id="a grace period as text is refused",
        ),
        pytest.param(
            {"dryRun": "All"},
            "json: cannot unmarshal string into Go struct field DeleteOptions.dryRun of type "
            "[]string",
            id="a dry run as a string, not a list, is refused rather than deleting",
        ),
    ],
)
def test_delete_options_of_the_wrong_type_are_400_and_delete_nothing(
    api: Http, options: dict[str, Any], message: str
) -> None:
    api.post(CM, configmap("keep"))
    reply = api("DELETE", f"{CM}/keep", options)
    assert (reply.status, reply.json()["message"]) == (400, message)
    assert api.get(f"{CM}/keep").status == 200


def test_binding_assigns_a_pod_to_a_node(api: Http) -> None:
    api.post(PODS, pod("p"))
    reply = api.post(
        f"{PODS}/p/binding",
        {
            "apiVersion": "v1",
            "kind": "Binding",
            "metadata": {"name": "p"},
            "target": {"kind": "Node", "name": "n1"},
        },
    )
    assert reply.status == 201
    assert reply.json()["status"] == "Success"
    assert api.get(f"{PODS}/p").json()["spec"]["nodeName"] == "n1"


def test_eviction_deletes_the_pod(api: Http) -> None:
    api.post(PODS, pod("p"))
    reply = api.post(
        f"{PODS}/p/eviction",
        {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}},
    )
    assert reply.status == 201
    assert api.get(f"{PODS}/p").status == 404


def _until(check: Any, what: str) -> None:
    """Poll the served cluster (its controllers run on a real clock) until ``check()``."""
    for _ in range(300):
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"never: {what}")


def test_an_eviction_a_budget_forbids_is_429_with_the_budget_cause(api: Http) -> None:
    assert (
        api.post(
            "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}}
        ).status
        == 201
    )
    running = pod("p", app="web")
    running["spec"]["nodeName"] = "n1"
    api.post(PODS, running)
    pdb = {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {"name": "web"},
        "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}},
    }
    budgets = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"
    assert api.post(budgets, pdb).status == 201
    _until(
        lambda: (api.get(f"{budgets}/web").json().get("status") or {}).get("currentHealthy") == 1,
        "the budget counts the running pod",
    )
    reply = api.post(
        f"{PODS}/p/eviction",
        {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}},
    )
    assert reply.status == 429
    status = reply.json()
    assert (status["reason"], status["message"]) == (
        "TooManyRequests",
        "Cannot evict pod as it would violate the pod's disruption budget.",
    )
    assert [c["reason"] for c in status["details"]["causes"]] == ["DisruptionBudget"]
    assert api.get(f"{PODS}/p").status == 200


def test_a_dry_run_eviction_keeps_the_pod(api: Http) -> None:
    api.post(PODS, pod("p"))
    reply = api.post(
        f"{PODS}/p/eviction?dryRun=All",
        {"apiVersion": "policy/v1", "kind": "Eviction", "metadata": {"name": "p"}},
    )
    assert (reply.status, reply.json()["status"]) == (201, "Success")
    assert api.get(f"{PODS}/p").status == 200


def test_the_log_of_a_multi_container_pod_needs_a_container_name(api: Http) -> None:
    two = pod("p")
    two["spec"]["containers"].append({"name": "side", "image": "busybox"})
    api.post(PODS, two)
    reply = api.get(f"{PODS}/p/log")
    assert reply.status == 400
    assert reply.json()["message"] == (
        "a container name must be specified for pod p, choose one of: [main side]"
    )
    assert api.get(f"{PODS}/p/log?container=main").status == 200


def test_namespaced_objects_are_not_found_through_the_cluster_path(api: Http) -> None:
    assert api.get("/api/v1/pods/p").status == 404


def test_a_write_lets_the_controllers_run(served: ServerThread, api: Http) -> None:
    quota = {
        "apiVersion": "v1",
        "kind": "ResourceQuota",
        "metadata": {"name": "q"},
        "spec": {"hard": {"pods": "10"}},
    }
    api.post("/api/v1/namespaces/default/resourcequotas", quota)
    api.post(PODS, pod("p"))
    # the quota controller records usage; one write triggers a step, so wait for a watch
    # event rather than for time to pass
    reply = api.get(
        "/api/v1/namespaces/default/resourcequotas?watch=1&fieldSelector=metadata.name%3Dq"
        "&timeoutSeconds=5"
    )
    used = [e["object"].get("status", {}).get("used", {}) for e in reply.lines()]
    assert any(u.get("pods") == "1" for u in used)


def test_the_bindings_collection_binds_the_pod_named_in_the_body(api: Http) -> None:
    api.post(PODS, pod("p"))
    reply = api.post(
        "/api/v1/namespaces/default/bindings",
        {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
         "target": {"kind": "Node", "name": "n2"}},
    )  # fmt: skip
    assert reply.status == 201
    assert api.get(f"{PODS}/p").json()["spec"]["nodeName"] == "n2"


def test_the_log_of_a_process_pod_is_what_its_process_printed(api: Http) -> None:
    import sys
    import time

    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "laptop", "annotations": {"sim.mlkube.io/runtime": "process"}},
    }
    assert api.post("/api/v1/nodes", node).status == 201
    body = pod("hello")
    body["spec"]["restartPolicy"] = "Never"
    body["spec"]["containers"][0]["command"] = [
        sys.executable,
        "-c",
        "print('epoch 1 loss 0.9'); print('epoch 2 loss 0.4')",
    ]
    assert api.post(PODS, body).status == 201
    deadline = time.monotonic() + 30
    while api.get(f"{PODS}/hello").json().get("status", {}).get("phase") != "Succeeded":
        assert time.monotonic() < deadline, "the process pod did not finish within 30 s"
        time.sleep(0.1)
    assert api.get(f"{PODS}/hello/log").body == b"epoch 1 loss 0.9\nepoch 2 loss 0.4\n"
    assert api.get(f"{PODS}/hello/log?tailLines=1").body == b"epoch 2 loss 0.4\n"


def test_a_followed_log_streams_until_the_process_exits(api: Http) -> None:
    import sys

    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "laptop", "annotations": {"sim.mlkube.io/runtime": "process"}},
    }
    assert api.post("/api/v1/nodes", node).status == 201
    body = pod("slow")
    body["spec"]["restartPolicy"] = "Never"
    body["spec"]["containers"][0]["command"] = [
        sys.executable,
        "-u",
        "-c",
        "import time; print('epoch 1'); time.sleep(1.5); print('epoch 2')",
    ]
    assert api.post(PODS, body).status == 201
    deadline = time.monotonic() + 30
    while api.get(f"{PODS}/slow").json().get("status", {}).get("phase") != "Running":
        assert time.monotonic() < deadline, "the process pod did not start within 30 s"
        time.sleep(0.05)

    followed = api.get(f"{PODS}/slow/log?follow=true")

    assert followed.body == b"epoch 1\nepoch 2\n"
    assert api.get(f"{PODS}/slow").json()["status"]["phase"] == "Succeeded"
