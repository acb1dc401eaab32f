"""Pod defaulting and PrepareForCreate, as the v1 defaulting functions apply them.

Cases from pkg/apis/core/v1/defaults_test.go (TestSetDefaultPodSpec*, TestSetDefaultContainer,
TestSetDefaultProbe, TestSetDefaultRequestsPod, TestSetDefaultHostPort*,
TestSetDefaultSecretVolumeSource, TestSetDefaultObjectFieldSelectorAPIVersion, ...),
pkg/registry/core/pod/strategy_test.go (TestSchedulingGatedCondition) and
pkg/apis/core/helper/qos/qos_test.go (TestComputePodQOS).
"""

from __future__ import annotations

from typing import Any

import pytest
from pod_builders import created, make_pod

from mlkube.engine.types import default_pod_template_spec, strategy_for
from mlkube.engine.types.pod import SCHEDULING_GATED_MESSAGE, pod_qos_class
from mlkube.engine.types.podspec_defaults import image_pull_policy_for

POD = strategy_for("v1", "Pod")


def defaulted(pod: dict[str, Any]) -> dict[str, Any]:
    POD.default(pod)
    return pod


def test_an_empty_pod_spec_gets_the_upstream_defaults() -> None:
    spec = defaulted(make_pod().container().build())["spec"]
    assert {k: v for k, v in spec.items() if k != "containers"} == {
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
        "schedulerName": "default-scheduler",
        "enableServiceLinks": True,
    }


def test_explicit_values_are_kept() -> None:
    spec = defaulted(
        make_pod()
        .container()
        .spec(restartPolicy="Never", dnsPolicy="Default", terminationGracePeriodSeconds=0)
        .spec(schedulerName="volcano", enableServiceLinks=False)
        .build()
    )["spec"]
    assert spec["restartPolicy"] == "Never"
    assert spec["dnsPolicy"] == "Default"
    assert spec["terminationGracePeriodSeconds"] == 0
    assert spec["schedulerName"] == "volcano"
    assert spec["enableServiceLinks"] is False


def test_a_container_gets_termination_message_defaults_and_empty_resources() -> None:
    container = defaulted(make_pod().container(image="nginx:1.25").build())["spec"]["containers"][0]
    assert container == {
        "name": "main",
        "image": "nginx:1.25",
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "resources": {},
    }


@pytest.mark.parametrize(
    ("image", "policy"),
    [
        pytest.param("nginx", "Always", id="an image without a tag is pulled always"),
        pytest.param("nginx:latest", "Always", id="the latest tag is pulled always"),
        pytest.param("nginx:1.25", "IfNotPresent", id="a pinned tag is pulled if not present"),
        pytest.param("registry:5000/nginx", "Always", id="a registry port is not a tag"),
        pytest.param(
            "registry:5000/nginx:v1", "IfNotPresent", id="a tag after a registry port counts"
        ),
        pytest.param(
            "nginx@sha256:" + "a" * 64, "IfNotPresent", id="a digest without a tag is not latest"
        ),
        pytest.param(
            "nginx:latest@sha256:" + "a" * 64, "Always", id="latest with a digest is still latest"
        ),
    ],
)
def test_image_pull_policy_follows_the_tag(image: str, policy: str) -> None:
    assert image_pull_policy_for(image) == policy


def test_container_ports_default_to_tcp() -> None:
    pod = defaulted(make_pod().container(ports=[{"containerPort": 8080}]).build())
    assert pod["spec"]["containers"][0]["ports"] == [{"containerPort": 8080, "protocol": "TCP"}]


def test_host_network_defaults_host_ports_to_container_ports() -> None:
    pod = defaulted(
        make_pod().container(ports=[{"containerPort": 8080}]).spec(hostNetwork=True).build()
    )
    assert pod["spec"]["containers"][0]["ports"][0]["hostPort"] == 8080


def test_requests_default_to_limits_for_missing_keys() -> None:
    pod = defaulted(
        make_pod()
        .container()
        .limits({"cpu": "2", "memory": "4Gi", "nvidia.com/gpu": "1"})
        .requests({"cpu": "1"})
        .build()
    )
    assert pod["spec"]["containers"][0]["resources"]["requests"] == {
        "cpu": "1",
        "memory": "4Gi",
        "nvidia.com/gpu": "1",
    }


def test_init_container_requests_default_to_limits_too() -> None:
    pod = make_pod().container().build()
    pod["spec"]["initContainers"] = [
        {"name": "i", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}
    ]
    assert defaulted(pod)["spec"]["initContainers"][0]["resources"]["requests"] == {"cpu": "1"}


def test_a_pod_template_does_not_get_pod_only_defaults() -> None:
    template: dict[str, Any] = {
        "spec": {
            "containers": [{"name": "c", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}]
        }
    }
    default_pod_template_spec(template)
    assert "enableServiceLinks" not in template["spec"]
    assert "requests" not in template["spec"]["containers"][0]["resources"]
    assert template["spec"]["restartPolicy"] == "Always"


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        pytest.param("0.5", "500m", id="a fraction of a cpu is printed in millis"),
        pytest.param("0.0001", "1m", id="less than a milli rounds up to one milli"),
        pytest.param("1Gi", "1Gi", id="a canonical binary quantity is kept"),
        pytest.param("1500m", "1500m", id="a canonical milli quantity is kept"),
    ],
)
def test_resource_quantities_are_rounded_up_to_milli(given: str, stored: str) -> None:
    pod = defaulted(make_pod().container().requests({"cpu": given}).build())
    assert pod["spec"]["containers"][0]["resources"]["requests"]["cpu"] == stored


def test_probes_get_their_defaults() -> None:
    probe = {"httpGet": {"port": 8080}}
    pod = defaulted(make_pod().container(livenessProbe=probe).build())
    assert pod["spec"]["containers"][0]["livenessProbe"] == {
        "httpGet": {"port": 8080, "path": "/", "scheme": "HTTP"},
        "timeoutSeconds": 1,
        "periodSeconds": 10,
        "successThreshold": 1,
        "failureThreshold": 3,
    }


def test_env_field_refs_default_to_api_version_v1() -> None:
    env = [
        {"name": "POD", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "CPU", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}},
    ]
    pod = defaulted(make_pod().container(env=env).build())
    env_out = pod["spec"]["containers"][0]["env"]
    assert env_out[0]["valueFrom"]["fieldRef"] == {"fieldPath": "metadata.name", "apiVersion": "v1"}
    assert env_out[1]["valueFrom"]["resourceFieldRef"] == {"resource": "limits.cpu", "divisor": "0"}


@pytest.mark.parametrize(
    ("volume", "expected"),
    [
        pytest.param(
            {"name": "v"},
            {"name": "v", "emptyDir": {}},
            id="a volume without a source is an emptyDir",
        ),
        pytest.param(
            {"name": "v", "secret": {"secretName": "s"}},
            {"name": "v", "secret": {"secretName": "s", "defaultMode": 420}},
            id="a secret volume gets mode 0644",
        ),
        pytest.param(
            {"name": "v", "configMap": {"name": "c"}},
            {"name": "v", "configMap": {"name": "c", "defaultMode": 420}},
            id="a config map volume gets mode 0644",
        ),
        pytest.param(
            {"name": "v", "hostPath": {"path": "/data"}},
            {"name": "v", "hostPath": {"path": "/data", "type": ""}},
            id="a host path gets the unset type",
        ),
        pytest.param(
            {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "t"}}]}},
            {
                "name": "v",
                "projected": {
                    "sources": [{"serviceAccountToken": {"path": "t", "expirationSeconds": 3600}}],
                    "defaultMode": 420,
                },
            },
            id="a projected token expires after an hour",
        ),
        pytest.param(
            {"name": "v", "persistentVolumeClaim": {"claimName": "data"}},
            {"name": "v", "persistentVolumeClaim": {"claimName": "data"}},
            id="a claim volume has no defaults",
        ),
    ],
)
def test_volume_defaults(volume: dict[str, Any], expected: dict[str, Any]) -> None:
    pod = defaulted(make_pod().container().spec(volumes=[volume]).build())
    assert pod["spec"]["volumes"] == [expected]


def test_create_resets_the_status_to_pending_with_the_qos_class() -> None:
    pod = make_pod().container().limits({"cpu": "1", "memory": "1Gi"}).build()
    pod["status"] = {"phase": "Running", "podIP": "10.0.0.1"}
    assert created(POD, pod)["status"] == {"phase": "Pending", "qosClass": "Guaranteed"}


def test_a_gated_pod_is_created_with_the_scheduling_gated_condition() -> None:
    pod = created(POD, make_pod().container().spec(schedulingGates=[{"name": "kueue"}]).build())
    assert pod["status"]["conditions"] == [
        {
            "type": "PodScheduled",
            "status": "False",
            "lastProbeTime": None,
            "lastTransitionTime": None,
            "reason": "SchedulingGated",
            "message": SCHEDULING_GATED_MESSAGE,
        }
    ]
    assert SCHEDULING_GATED_MESSAGE == "Scheduling is blocked due to non-empty scheduling gates"


@pytest.mark.parametrize(
    ("resources", "qos"),
    [
        pytest.param({}, "BestEffort", id="no requests or limits is best effort"),
        pytest.param({"requests": {"cpu": "0"}}, "BestEffort", id="zero requests do not count"),
        pytest.param(
            {"limits": {"cpu": "1", "memory": "1Gi"}},
            "Guaranteed",
            id="cpu and memory limits, requests defaulted from them, are guaranteed",
        ),
        pytest.param(
            {"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}},
            "Burstable",
            id="requests below limits are burstable",
        ),
        pytest.param({"limits": {"cpu": "1"}}, "Burstable", id="a cpu limit alone is burstable"),
        pytest.param(
            {"limits": {"nvidia.com/gpu": "1"}},
            "BestEffort",
            id="extended resources do not decide the class",
        ),
    ],
)
def test_qos_class(resources: dict[str, Any], qos: str) -> None:
    pod = defaulted(make_pod().container(resources=resources).build())
    assert pod_qos_class(pod) == qos


def test_an_init_container_without_limits_makes_the_pod_burstable() -> None:
    pod = make_pod().container().limits({"cpu": "1", "memory": "1Gi"}).build()
    pod["spec"]["initContainers"] = [
        {"name": "i", "image": "x:1", "resources": {"requests": {"cpu": "1"}}}
    ]
    assert pod_qos_class(defaulted(pod)) == "Burstable"
