"""The installed kubectl against a served cluster: each command's effect is asserted."""

from __future__ import annotations

import base64
import subprocess
from typing import Any

import pytest

from tests.integration.conftest import Kubectl, pod_manifest


def _node(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": {"node-role.kubernetes.io/worker": ""}},
        "status": {
            "capacity": {"cpu": "8", "memory": "32Gi", "pods": "110"},
            "allocatable": {"cpu": "8", "memory": "32Gi", "pods": "110"},
            "conditions": [{"type": "Ready", "status": "True"}],
        },
    }


def _deployment(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


def test_version_reports_the_server(kubectl: Kubectl) -> None:
    assert "Server Version: v1.37.0" in kubectl.run("version", check=False)


def test_api_resources_come_from_discovery(kubectl: Kubectl) -> None:
    out = kubectl.run("api-resources")
    rows = {line.split()[0]: line.split() for line in out.splitlines()[1:]}
    assert rows["pods"][1:3] == ["po", "v1"]
    assert rows["jobs"][1] == "batch/v1"


def test_apply_creates_then_reports_unchanged_then_configured(kubectl: Kubectl) -> None:
    manifest = pod_manifest("demo")
    assert kubectl.apply(manifest).strip() == "pod/demo created"
    assert kubectl.apply(manifest).strip() == "pod/demo unchanged"
    manifest["metadata"]["labels"]["tier"] = "web"
    assert kubectl.apply(manifest).strip() == "pod/demo configured"
    labels = kubectl.json("get", "pod", "demo")["metadata"]["labels"]
    assert labels == {"app": "demo", "tier": "web"}


def test_server_side_apply_records_kubectl_as_the_manager(kubectl: Kubectl) -> None:
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "ssa"}, "data": {"a": "1"}}
    assert kubectl.apply(cm, "--server-side").strip() == "configmap/ssa serverside-applied"
    got = kubectl.json("get", "cm", "ssa", "--show-managed-fields")
    assert [(m["manager"], m["operation"]) for m in got["metadata"]["managedFields"]] == [
        ("kubectl", "Apply")
    ]


def test_get_prints_kubectls_pod_columns_and_wide_adds_the_node_columns(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("web"))
    header, row = kubectl.run("get", "pods").splitlines()
    wide_header = kubectl.run("get", "pods", "-o", "wide").splitlines()[0]
    assert header.split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert row.split()[:4] == ["web", "0/1", "Pending", "0"]
    assert wide_header.split() == [
        "NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE", "NOMINATED", "NODE",
        "READINESS", "GATES",
    ]  # fmt: skip


def test_get_yaml_and_json_return_the_object(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("p"))
    as_yaml = kubectl.run("get", "pod", "p", "-o", "yaml")
    as_json = kubectl.json("get", "pod", "p")
    assert "kind: Pod" in as_yaml
    assert as_json["spec"]["containers"][0]["image"] == "busybox"
    assert kubectl.run("get", "pod", "p", "-o", "name").strip() == "pod/p"


def test_describe_shows_the_pod(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("p"))
    out = kubectl.run("describe", "pod", "p")
    assert f"Namespace:        {kubectl.namespace}" in out
    assert "Image:        busybox" in out


def test_create_then_delete_then_get_is_not_found(kubectl: Kubectl) -> None:
    manifest = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}}
    import yaml

    assert kubectl.run("create", "-f", "-", stdin=yaml.safe_dump(manifest)).strip() == (
        "configmap/c created"
    )
    assert kubectl.run("delete", "configmap", "c").strip() == 'configmap "c" deleted'
    out = kubectl.run("get", "configmap", "c", check=False)
    assert 'Error from server (NotFound): configmaps "c" not found' in out


def test_patch_of_every_type(kubectl: Kubectl) -> None:
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {}})
    kubectl.run("patch", "cm", "c", "-p", '{"data":{"smp":"1"}}')
    kubectl.run("patch", "cm", "c", "--type", "merge", "-p", '{"data":{"merge":"1"}}')
    kubectl.run("patch", "cm", "c", "--type", "json", "-p",
                '[{"op":"add","path":"/data/json","value":"1"}]')  # fmt: skip
    assert kubectl.json("get", "cm", "c")["data"] == {"smp": "1", "merge": "1", "json": "1"}
    failed = kubectl.run("patch", "cm", "c", "--type", "json", "-p",
                         '[{"op":"remove","path":"/data/nope"}]', check=False)  # fmt: skip
    assert "the server rejected our request due to an error in our request" in failed


def test_label_and_annotate(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("p"))
    kubectl.run("label", "pod", "p", "team=ml")
    kubectl.run("annotate", "pod", "p", "note=hello")
    meta = kubectl.json("get", "pod", "p")["metadata"]
    assert meta["labels"]["team"] == "ml"
    assert meta["annotations"]["note"] == "hello"
    selected = kubectl.run("get", "pods", "-l", "team=ml", "-o", "name")
    assert selected.split() == ["pod/p"]


def test_taint_and_cordon_a_node(kubectl: Kubectl) -> None:
    name = f"node-{kubectl.namespace}"
    kubectl.apply(_node(name))
    kubectl.run("taint", "node", name, "gpu=true:NoSchedule")
    kubectl.run("cordon", name)
    spec = kubectl.json("get", "node", name)["spec"]
    assert {"key": "gpu", "value": "true", "effect": "NoSchedule"} in spec["taints"]
    assert spec["unschedulable"] is True
    status = kubectl.run("get", "node", name).splitlines()[1].split()[1]
    assert status == "Ready,SchedulingDisabled"
    kubectl.run("uncordon", name)
    assert "unschedulable" not in kubectl.json("get", "node", name)["spec"]


def test_wait_for_a_condition(kubectl: Kubectl) -> None:
    name = f"wait-{kubectl.namespace}"
    kubectl.apply(_node(name))
    out = kubectl.run("wait", "--for=condition=Ready", f"node/{name}", "--timeout=20s")
    assert out.strip() == f"node/{name} condition met"


def test_scale_a_deployment(kubectl: Kubectl) -> None:
    kubectl.apply(_deployment("web", 1))
    assert kubectl.run("scale", "deployment", "web", "--replicas=4").strip() == (
        "deployment.apps/web scaled"
    )
    assert kubectl.json("get", "deployment", "web")["spec"]["replicas"] == 4


def test_get_watch_prints_objects_created_while_it_watches(kubectl: Kubectl) -> None:
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}})
    proc = subprocess.Popen(
        ["kubectl", f"--kubeconfig={kubectl.kubeconfig}", f"--cache-dir={kubectl.cache_dir}",
         f"--namespace={kubectl.namespace}", "get", "configmaps", "-w", "-o", "name",
         "--request-timeout=5s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    listed = [proc.stdout.readline().strip(), proc.stdout.readline().strip()]
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "second"}})
    rest, _ = proc.communicate(timeout=30)
    assert sorted(listed) == ["configmap/first", "configmap/kube-root-ca.crt"]
    assert "configmap/second" in rest.split()


def test_explain_reads_the_openapi_descriptions(kubectl: Kubectl) -> None:
    out = kubectl.run("explain", "pod.spec.containers.image")
    assert "FIELD: image <string>" in out
    assert "Container image name." in out
    fields = kubectl.run("explain", "job.spec")
    assert "backoffLimit\t<integer>" in fields


def test_logs_of_a_pod(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("p"))
    assert kubectl.run("logs", "p") == ""


def test_get_all_expands_the_all_category(kubectl: Kubectl) -> None:
    kubectl.apply(pod_manifest("p"))
    kubectl.apply(_deployment("d", 1))
    names = kubectl.run("get", "all", "-o", "name").split()
    assert "pod/p" in names
    assert "deployment.apps/d" in names


def test_deleting_a_namespace_removes_it_with_its_contents(kubectl: Kubectl) -> None:
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "inside"}})
    out = kubectl.run("delete", "namespace", kubectl.namespace, "--timeout=60s")
    assert out.strip() == f'namespace "{kubectl.namespace}" deleted'
    gone = kubectl.run("get", "namespace", kubectl.namespace, check=False)
    assert f'namespaces "{kubectl.namespace}" not found' in gone


def test_drain_evicts_the_pods_of_a_node(kubectl: Kubectl) -> None:
    name = f"drain-{kubectl.namespace}"
    kubectl.apply(_node(name))
    bound = pod_manifest("bound")
    bound["spec"]["nodeName"] = name
    bound["spec"]["tolerations"] = [{"operator": "Exists"}]
    kubectl.apply(bound)
    out = kubectl.run("drain", name, "--force", "--grace-period=0", "--timeout=30s")
    assert "pod/bound evicted" in out
    assert kubectl.run("get", "pods", "-o", "name") == ""
    assert kubectl.json("get", "node", name)["spec"]["unschedulable"] is True


def test_drain_waits_for_a_disruption_budget_and_gives_up_at_its_timeout(
    kubectl: Kubectl,
) -> None:
    name = f"guarded-{kubectl.namespace}"
    kubectl.apply(_node(name))
    guarded = pod_manifest("guarded", app="guarded")
    guarded["spec"]["nodeName"] = name
    kubectl.apply(guarded)
    kubectl.apply(
        {
            "apiVersion": "policy/v1",
            "kind": "PodDisruptionBudget",
            "metadata": {"name": "keep-one"},
            "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "guarded"}}},
        }
    )
    kubectl.run("wait", "--for=jsonpath={.status.currentHealthy}=1", "pdb/keep-one")
    out = kubectl.run("drain", name, "--force", "--timeout=2s", check=False)
    assert (
        'error when evicting pods/"guarded" -n "'
        f'{kubectl.namespace}" (will retry after 5s): Cannot evict pod as it would violate '
        "the pod's disruption budget."
    ) in out
    assert kubectl.run("get", "pods", "-o", "name").split() == ["pod/guarded"]


def test_get_watch_prints_table_rows_for_changes(kubectl: Kubectl) -> None:
    kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first"}})
    proc = subprocess.Popen(
        ["kubectl", f"--kubeconfig={kubectl.kubeconfig}", f"--cache-dir={kubectl.cache_dir}",
         f"--namespace={kubectl.namespace}", "get", "configmaps", "-w", "--request-timeout=5s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert proc.stdout is not None
    header = proc.stdout.readline().split()
    listed = [proc.stdout.readline().split()[0], proc.stdout.readline().split()[0]]
    kubectl.apply(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "second"},
            "data": {"a": "1"},
        }
    )
    rest, _ = proc.communicate(timeout=30)
    rows = [line.split() for line in rest.splitlines()]
    assert header == ["NAME", "DATA", "AGE"]
    assert sorted(listed) == ["first", "kube-root-ca.crt"]
    assert ["second", "1"] in [row[:2] for row in rows]


def test_create_generators_that_send_protobuf(kubectl: Kubectl) -> None:
    assert kubectl.run("create", "configmap", "settings", "--from-literal=mode=fast").strip() == (
        "configmap/settings created"
    )
    kubectl.run("create", "secret", "generic", "creds", "--from-literal=password=hunter2")
    kubectl.run("create", "serviceaccount", "bot")
    name = f"gen-{kubectl.namespace}"
    assert kubectl.run("create", "namespace", name).strip() == f"namespace/{name} created"
    assert kubectl.json("get", "cm", "settings")["data"] == {"mode": "fast"}
    secret = kubectl.json("get", "secret", "creds")
    assert base64.b64decode(secret["data"]["password"]) == b"hunter2"
    assert secret["type"] == "Opaque"
    assert kubectl.json("get", "sa", "bot")["metadata"]["name"] == "bot"
    assert kubectl.json("get", "namespace", name)["status"]["phase"] == "Active"


@pytest.mark.parametrize(
    ("args", "created", "check"),
    [
        pytest.param(
            ["deployment", "web", "--image=busybox:1.36", "--replicas=2", "--port=8080"],
            "deployment.apps/web",
            ("deployment", "web", "spec.replicas", 2),
            id="kubectl create deployment sends an apps/v1 Deployment",
        ),
        pytest.param(
            ["job", "pi", "--image=busybox:1.36", "--", "echo", "hi"],
            "job.batch/pi",
            ("job", "pi", "spec.template.spec.containers.0.command", ["echo", "hi"]),
            id="kubectl create job sends a batch/v1 Job",
        ),
        pytest.param(
            ["cronjob", "tick", "--image=busybox:1.36", "--schedule=*/5 * * * *", "--", "date"],
            "cronjob.batch/tick",
            ("cronjob", "tick", "spec.schedule", "*/5 * * * *"),
            id="kubectl create cronjob sends a batch/v1 CronJob",
        ),
        pytest.param(
            ["service", "clusterip", "web", "--tcp=80:8080"],
            "service/web",
            ("service", "web", "spec.ports.0.targetPort", 8080),
            id="kubectl create service clusterip sends a v1 Service",
        ),
        pytest.param(
            ["quota", "team", "--hard=pods=5,requests.cpu=2"],
            "resourcequota/team",
            ("quota", "team", "spec.hard", {"pods": "5", "requests.cpu": "2"}),
            id="kubectl create quota sends a v1 ResourceQuota",
        ),
        pytest.param(
            ["role", "reader", "--verb=get,list", "--resource=pods"],
            "role.rbac.authorization.k8s.io/reader",
            ("role", "reader", "rules.0.verbs", ["get", "list"]),
            id="kubectl create role sends an rbac/v1 Role",
        ),
        pytest.param(
            ["rolebinding", "read", "--role=reader", "--user=alice"],
            "rolebinding.rbac.authorization.k8s.io/read",
            ("rolebinding", "read", "subjects.0.name", "alice"),
            id="kubectl create rolebinding sends an rbac/v1 RoleBinding",
        ),
        pytest.param(
            ["poddisruptionbudget", "keep", "--selector=app=web", "--min-available=50%"],
            "poddisruptionbudget.policy/keep",
            ("pdb", "keep", "spec.minAvailable", "50%"),
            id="kubectl create poddisruptionbudget sends a policy/v1 PodDisruptionBudget",
        ),
    ],
)
def test_create_subcommands_sending_protobuf_create_the_object(
    kubectl: Kubectl, args: list[str], created: str, check: tuple[str, str, str, Any]
) -> None:
    assert kubectl.run("create", *args).strip() == f"{created} created"
    resource, name, path, expected = check
    value: Any = kubectl.json("get", resource, name)
    for part in path.split("."):
        value = value[int(part)] if part.isdigit() else value[part]
    assert value == expected


def test_create_priorityclass_sends_a_cluster_scoped_protobuf_body(kubectl: Kubectl) -> None:
    name = f"pc-{kubectl.namespace}"
    out = kubectl.run("create", "priorityclass", name, "--value=1000", "--description=urgent")
    assert out.strip() == f"priorityclass.scheduling.k8s.io/{name} created"
    created = kubectl.json("get", "priorityclass", name)
    assert (created["value"], created["description"]) == (1000, "urgent")
    kubectl.run("delete", "priorityclass", name)


def test_get_pages_with_chunk_size_and_still_prints_every_object(kubectl: Kubectl) -> None:
    for name in ("a", "b", "c"):
        kubectl.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}})
    table = kubectl.run("get", "configmaps", "--chunk-size=1").splitlines()
    names = kubectl.run("get", "configmaps", "--chunk-size=2", "-o", "name").split()
    assert [row.split()[0] for row in table] == ["NAME", "a", "b", "c", "kube-root-ca.crt"]
    assert names == [f"configmap/{n}" for n in ("a", "b", "c", "kube-root-ca.crt")]


def test_auth_can_i_and_whoami(kubectl: Kubectl) -> None:
    assert kubectl.run("auth", "can-i", "delete", "pods").strip() == "yes"
    assert "mlkube-admin" in kubectl.run("auth", "whoami")
