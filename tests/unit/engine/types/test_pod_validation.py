"""Pod create validation: exact paths and messages, after defaulting, as the store runs it.

Cases from pkg/apis/core/validation/validation_test.go (TestValidateContainers,
TestValidateInitContainers, TestValidateResourceRequirements, TestValidateTolerations,
TestValidateAffinity, TestValidateVolumes, TestValidateVolumeMounts, TestValidateEnv,
TestValidatePorts, TestValidatePodSpec, TestValidateTopologySpreadConstraints) and the
Invalid example of ../shared/reference/api-machinery.md §4.3.
"""

from __future__ import annotations

from typing import Any

import pytest
from pod_builders import (
    DNS1123_LABEL_MSG,
    DNS1123_SUBDOMAIN_MSG,
    LABEL_VALUE_MSG,
    QUALIFIED_NAME_MSG,
    PodBuilder,
    create_errors,
    make_pod,
)

from mlkube.api.field import Path, aggregate_message, invalid_message
from mlkube.engine.types import strategy_for, validate_pod_template_spec
from mlkube.engine.types.pod import validate_binding

POD = strategy_for("v1", "Pod")


def errors_of(builder: PodBuilder) -> list[str]:
    return create_errors(POD, builder.build())


def test_a_valid_training_pod_has_no_errors() -> None:
    pod = (
        make_pod()
        .container(ports=[{"containerPort": 29500, "name": "dist"}])
        .limits({"cpu": "8", "memory": "32Gi", "nvidia.com/gpu": "2"})
        .volume("data", persistentVolumeClaim={"claimName": "imagenet"})
        .spec(
            nodeSelector={"nvidia.com/gpu.product": "A100"},
            tolerations=[{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}],
            restartPolicy="OnFailure",
        )
    )
    pod.obj["spec"]["containers"][0]["volumeMounts"] = [{"name": "data", "mountPath": "/data"}]
    assert errors_of(pod) == []


def test_the_invalid_example_of_the_api_reference_reads_word_for_word() -> None:
    errs = POD.validate(
        _defaulted(make_pod(name="x").container(image="").spec(restartPolicy="Sometimes").build())
    )
    assert invalid_message("Pod", "x", errs) == (
        'Pod "x" is invalid: [spec.containers[0].image: Required value, spec.restartPolicy: '
        'Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"]'
    )


def _defaulted(pod: dict[str, Any]) -> dict[str, Any]:
    POD.default(pod)
    POD.prepare_for_create(pod)
    return pod


CONTAINER_CASES = [
    pytest.param(make_pod(), ["spec.containers: Required value"], id="a pod needs a container"),
    pytest.param(
        make_pod().container(name="Main"),
        [f'spec.containers[0].name: Invalid value: "Main": {DNS1123_LABEL_MSG}'],
        id="container names are DNS labels",
    ),
    pytest.param(
        make_pod().container(name=""),
        ["spec.containers[0].name: Required value"],
        id="a container needs a name",
    ),
    pytest.param(
        make_pod().container().container(),
        ['spec.containers[1].name: Duplicate value: "main"'],
        id="container names are unique",
    ),
    pytest.param(
        make_pod().container(image=" pytorch:2.3"),
        [
            'spec.containers[0].image: Invalid value: " pytorch:2.3": must not have leading or '
            "trailing whitespace"
        ],
        id="an image may not be padded with spaces",
    ),
    pytest.param(
        make_pod().container(imagePullPolicy="Sometimes"),
        [
            'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: '
            '"Always", "IfNotPresent", "Never"'
        ],
        id="pull policies are enumerated",
    ),
    pytest.param(
        make_pod().container(terminationMessagePolicy="Log"),
        [
            'spec.containers[0].terminationMessagePolicy: Unsupported value: "Log": supported '
            "values: "
            '"File", "FallbackToLogsOnError"'
        ],
        id="termination message policies are enumerated",
    ),
    pytest.param(
        make_pod().container(restartPolicy="Always"),
        ["spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers"],
        id="only init containers have a restart policy",
    ),
]


@pytest.mark.parametrize(("builder", "expected"), CONTAINER_CASES)
def test_container_rules(builder: PodBuilder, expected: list[str]) -> None:
    assert errors_of(builder) == expected


RESOURCE_CASES = [
    pytest.param(
        make_pod().container().limits({"cpu": "1"}).requests({"cpu": "2"}),
        [
            'spec.containers[0].resources.requests: Invalid value: "2": must be less than or '
            "equal to cpu limit of 1"
        ],
        id="a request above its limit is refused with the upstream words",
    ),
    pytest.param(
        make_pod().container().limits({"nvidia.com/gpu": "2"}).requests({"nvidia.com/gpu": "1"}),
        [
            'spec.containers[0].resources.requests: Invalid value: "1": must be equal to '
            "nvidia.com/gpu limit of 2"
        ],
        id="an extended resource request must equal its limit",
    ),
    pytest.param(
        make_pod().container().requests({"nvidia.com/gpu": "1"}),
        [
            "spec.containers[0].resources.limits: Required value: Limit must be set for non "
            "overcommitable resources"
        ],
        id="an extended resource request needs a limit",
    ),
    pytest.param(
        make_pod().container().limits({"nvidia.com/gpu": "500m"}),
        [
            'spec.containers[0].resources.limits[nvidia.com/gpu]: Invalid value: "500m": must be '
            "an integer",
            'spec.containers[0].resources.requests[nvidia.com/gpu]: Invalid value: "500m": must '
            "be an integer",
        ],
        id="extended resources are whole numbers",
    ),
    pytest.param(
        make_pod().container().requests({"cpu": "-1"}),
        [
            'spec.containers[0].resources.requests[cpu]: Invalid value: "-1": must be greater '
            "than or equal to 0"
        ],
        id="quantities are not negative",
    ),
    pytest.param(
        make_pod().container().requests({"gpu": "1"}),
        [
            'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard '
            "resource type "
            "or fully qualified",
            'spec.containers[0].resources.requests[gpu]: Invalid value: "gpu": must be a standard '
            "resource for "
            "containers",
        ],
        id="an unqualified resource name must be standard",
    ),
    pytest.param(
        make_pod().container().requests({"pods": "1"}),
        [
            'spec.containers[0].resources.requests[pods]: Invalid value: "pods": must be a '
            "standard resource for containers"
        ],
        id="a quota resource is not a container resource",
    ),
    pytest.param(
        make_pod().container().limits({"hugepages-2Mi": "2Mi"}),
        ["spec.containers[0].resources: Forbidden: HugePages require cpu or memory"],
        id="huge pages need cpu or memory",
    ),
]


@pytest.mark.parametrize(("builder", "expected"), RESOURCE_CASES)
def test_resource_rules(builder: PodBuilder, expected: list[str]) -> None:
    assert errors_of(builder) == expected


SPEC_CASES = [
    pytest.param(
        make_pod().container().spec(restartPolicy="Sometimes"),
        [
            'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", '
            '"OnFailure", "Never"'
        ],
        id="restart policies are enumerated",
    ),
    pytest.param(
        make_pod().container().spec(dnsPolicy="Google"),
        [
            'spec.dnsPolicy: Unsupported value: "Google": supported values: '
            '"ClusterFirstWithHostNet", '
            '"ClusterFirst", "Default", "None"'
        ],
        id="dns policies are enumerated",
    ),
    pytest.param(
        make_pod().container().spec(dnsPolicy="None"),
        ["spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"],
        id="dns policy None needs a dns config",
    ),
    pytest.param(
        make_pod().container().spec(nodeSelector={"gpu": "-a100"}),
        [f'spec.nodeSelector: Invalid value: "-a100": {LABEL_VALUE_MSG}'],
        id="node selector values are label values",
    ),
    pytest.param(
        make_pod().container().spec(activeDeadlineSeconds=0),
        [
            "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, "
            "inclusive"
        ],
        id="an active deadline is at least one second",
    ),
    pytest.param(
        make_pod().container().spec(terminationGracePeriodSeconds=-1),
        [],
        id="a negative grace period is tolerated on create as upstream",
    ),
    pytest.param(
        make_pod().container().spec(hostname="Trainer"),
        [f'spec.hostname: Invalid value: "Trainer": {DNS1123_LABEL_MSG}'],
        id="a hostname is a DNS label",
    ),
    pytest.param(
        make_pod().container().spec(subdomain="a.b"),
        ['spec.subdomain: Invalid value: "a.b": must not contain dots'],
        id="a subdomain is a DNS label too",
    ),
    pytest.param(
        make_pod().container().spec(priorityClassName="High_Priority"),
        [f'spec.priorityClassName: Invalid value: "High_Priority": {DNS1123_SUBDOMAIN_MSG}'],
        id="a priority class name is a DNS subdomain",
    ),
    pytest.param(
        make_pod().container().spec(preemptionPolicy="Always"),
        [
            'spec.preemptionPolicy: Unsupported value: "Always": supported values: '
            '"PreemptLowerPriority", "Never"'
        ],
        id="preemption policies are enumerated",
    ),
    pytest.param(
        make_pod().container().spec(nodeName="node-1", schedulingGates=[{"name": "kueue"}]),
        ["spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared"],
        id="a gated pod cannot be bound on create",
    ),
    pytest.param(
        make_pod().container().spec(schedulingGates=[{"name": "a"}, {"name": "a"}]),
        ['spec.schedulingGates[1]: Duplicate value: "a"'],
        id="scheduling gates are unique",
    ),
    pytest.param(
        make_pod().container().spec(ephemeralContainers=[{"name": "dbg", "image": "busybox:1"}]),
        ["spec.ephemeralContainers: Forbidden: cannot be set on create"],
        id="ephemeral containers cannot be set on create",
    ),
    pytest.param(
        make_pod()
        .container(ports=[{"containerPort": 80, "hostPort": 8080}])
        .spec(hostNetwork=True),
        [
            "spec.containers[0].ports[0].hostPort: Invalid value: 8080: must match "
            "`containerPort` when `hostNetwork` is true"
        ],
        id="with host networking host ports equal container ports",
    ),
    pytest.param(
        make_pod()
        .meta(annotations={"controller.kubernetes.io/pod-deletion-cost": "high"})
        .container(),
        [
            "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "
            '"high": must be a 32bit integer'
        ],
        id="the deletion cost annotation is an int32",
    ),
]


@pytest.mark.parametrize(
    ("cost", "valid"),
    [
        pytest.param("+5", True, id="a signed deletion cost parses as strconv.ParseInt does"),
        pytest.param("05", True, id="a zero-padded deletion cost parses"),
        pytest.param("1_000", False, id="digit separators are not Go integers"),
        pytest.param("2147483648", False, id="a deletion cost beyond int32 is refused"),
    ],
)
def test_deletion_cost_is_a_go_int32(cost: str, valid: bool) -> None:
    pod = (
        make_pod()
        .meta(annotations={"controller.kubernetes.io/pod-deletion-cost": cost})
        .container()
    )
    assert (errors_of(pod) == []) is valid


@pytest.mark.parametrize(("builder", "expected"), SPEC_CASES)
def test_pod_spec_rules(builder: PodBuilder, expected: list[str]) -> None:
    assert errors_of(builder) == expected


TOLERATION_CASES = [
    pytest.param(
        {"key": "gpu", "operator": "Exists", "value": "a100"},
        [
            'spec.tolerations[0].operator: Invalid value: "a100": value must be empty when '
            "`operator` is 'Exists'"
        ],
        id="an Exists toleration has no value",
    ),
    pytest.param(
        {"operator": "Equal", "value": "x"},
        [
            'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when '
            "`key` is empty, "
            'which means "match all values and all keys"'
        ],
        id="an empty key needs Exists",
    ),
    pytest.param(
        {"key": "gpu", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 60},
        [
            'spec.tolerations[0].effect: Invalid value: "NoSchedule": effect must be '
            "'NoExecute' when "
            "`tolerationSeconds` is set"
        ],
        id="toleration seconds only with NoExecute",
    ),
    pytest.param(
        {"key": "gpu", "operator": "Exists", "effect": "NoRun"},
        [
            'spec.tolerations[0].effect: Unsupported value: "NoRun": supported values: '
            '"NoSchedule", '
            '"PreferNoSchedule", "NoExecute"'
        ],
        id="effects are enumerated",
    ),
    pytest.param(
        {"key": "gpu", "operator": "In"},
        [
            'spec.tolerations[0].operator: Unsupported value: "In": supported values: "Equal", '
            '"Exists"'
        ],
        id="operators are Equal or Exists",
    ),
    pytest.param(
        {"key": "gpu", "value": "a b"},
        [f'spec.tolerations[0].operator: Invalid value: "a b": {LABEL_VALUE_MSG}'],
        id="an Equal value is a label value reported on the operator",
    ),
    pytest.param(
        {
            "key": "nvidia.com/gpu",
            "operator": "Exists",
            "effect": "NoExecute",
            "tolerationSeconds": 300,
        },
        [],
        id="a NoExecute toleration with seconds is valid",
    ),
]


@pytest.mark.parametrize(("toleration", "expected"), TOLERATION_CASES)
def test_toleration_rules(toleration: dict[str, Any], expected: list[str]) -> None:
    assert errors_of(make_pod().container().spec(tolerations=[toleration])) == expected


def _node_affinity(*expressions: dict[str, Any]) -> dict[str, Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": list(expressions)}]
            }
        }
    }


ANTI = "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
TERM = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
AFFINITY_CASES = [
    pytest.param(
        _node_affinity({"key": "zone", "operator": "In"}),
        [
            f"{TERM}[0].matchExpressions[0].values: Required value: must be specified when "
            "`operator` is 'In' or 'NotIn'"
        ],
        id="In needs values",
    ),
    pytest.param(
        _node_affinity({"key": "zone", "operator": "Exists", "values": ["a"]}),
        [
            f"{TERM}[0].matchExpressions[0].values: Forbidden: may not be specified when "
            "`operator` is "
            "'Exists' or 'DoesNotExist'"
        ],
        id="Exists takes no values",
    ),
    pytest.param(
        _node_affinity({"key": "gpus", "operator": "Gt", "values": ["1", "2"]}),
        [
            f"{TERM}[0].matchExpressions[0].values: Required value: must be specified single "
            "value when "
            "`operator` is 'Lt' or 'Gt'"
        ],
        id="Gt takes one value",
    ),
    pytest.param(
        _node_affinity({"key": "zone", "operator": "Like", "values": ["a"]}),
        [
            f'{TERM}[0].matchExpressions[0].operator: Invalid value: "Like": not a valid selector '
            "operator"
        ],
        id="operators are checked",
    ),
    pytest.param(
        _node_affinity({"key": "bad key", "operator": "Exists"}),
        [f'{TERM}[0].matchExpressions[0].key: Invalid value: "bad key": {QUALIFIED_NAME_MSG}'],
        id="keys are label names",
    ),
    pytest.param(
        {
            "nodeAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}
            }
        },
        [f"{TERM}: Required value: must have at least one node selector term"],
        id="a required node selector has a term",
    ),
    pytest.param(
        {
            "nodeAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 101,
                        "preference": {"matchExpressions": [{"key": "z", "operator": "Exists"}]},
                    }
                ]
            }
        },
        [
            "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: "
            "Invalid value: 101: must be in the range 1-100"
        ],
        id="preference weights are 1 to 100",
    ),
    pytest.param(
        {
            "podAntiAffinity": {
                "requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {}}]
            }
        },
        [
            f"{ANTI}.topologyKey: Required value: can not be empty",
            f'{ANTI}.topologyKey: Invalid value: "": name part must be non-empty',
            f'{ANTI}.topologyKey: Invalid value: "": {QUALIFIED_NAME_MSG}',
        ],
        id="pod affinity terms need a topology key",
    ),
]


@pytest.mark.parametrize(("affinity", "expected"), AFFINITY_CASES)
def test_affinity_rules(affinity: dict[str, Any], expected: list[str]) -> None:
    assert errors_of(make_pod().container().spec(affinity=affinity)) == expected


def test_volumes_have_unique_dns_label_names_and_one_source() -> None:
    pod = (
        make_pod()
        .container()
        .spec(
            volumes=[
                {"name": "data", "emptyDir": {}},
                {"name": "data", "emptyDir": {}},
                {"name": "Cache", "emptyDir": {}},
                {"name": "both", "emptyDir": {}, "configMap": {"name": "c"}},
            ]
        )
    )
    assert errors_of(pod) == [
        'spec.volumes[1].name: Duplicate value: "data"',
        f'spec.volumes[2].name: Invalid value: "Cache": {DNS1123_LABEL_MSG}',
        "spec.volumes[3].configMap: Forbidden: may not specify more than 1 volume type",
    ]


def test_volume_sources_check_their_required_fields() -> None:
    pod = (
        make_pod()
        .container()
        .spec(
            volumes=[
                {"name": "a", "persistentVolumeClaim": {}},
                {"name": "b", "secret": {"defaultMode": 1000}},
            ]
        )
    )
    assert errors_of(pod) == [
        "spec.volumes[0].persistentVolumeClaim.claimName: Required value",
        "spec.volumes[1].secret.secretName: Required value",
        "spec.volumes[1].secret.defaultMode: Invalid value: 1000: must be a number between 0 and "
        "0777 (octal), "
        "both inclusive",
    ]


def test_volume_mounts_refer_to_volumes_and_have_unique_paths() -> None:
    pod = (
        make_pod()
        .container(
            volumeMounts=[
                {"name": "data", "mountPath": "/data"},
                {"name": "missing", "mountPath": "/data"},
                {"name": "data", "mountPath": ""},
            ]
        )
        .volume("data", emptyDir={})
    )
    assert errors_of(pod) == [
        'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
        'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/data": must be unique',
        "spec.containers[0].volumeMounts[2].mountPath: Required value",
    ]


ENV_PORT_CASES = [
    pytest.param(
        make_pod().container(env=[{"name": "A=B"}]),
        [
            'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable '
            "name must "
            "consist only of printable ASCII characters other than '='"
        ],
        id="env var names may not contain an equals sign",
    ),
    pytest.param(
        make_pod().container(env=[{"name": "1.my-var"}]),
        [],
        id="relaxed env var names are accepted as in v1.34+",
    ),
    pytest.param(
        make_pod().container(env=[{"name": "X", "valueFrom": {}}]),
        [
            'spec.containers[0].env[0].valueFrom: Invalid value: "": must specify one of: '
            "`fieldRef`, "
            "`resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
        ],
        id="valueFrom needs a source",
    ),
    pytest.param(
        make_pod().container(
            env=[{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "spec.foo"}}}]
        ),
        [
            "spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Unsupported value: "
            '"spec.foo": supported '
            'values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", '
            '"spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", '
            '"status.podIPs"'
        ],
        id="downward API field paths are enumerated",
    ),
    pytest.param(
        make_pod().container(ports=[{"containerPort": 0}]),
        ["spec.containers[0].ports[0].containerPort: Required value"],
        id="a port needs a container port",
    ),
    pytest.param(
        make_pod().container(ports=[{"containerPort": 70000}]),
        [
            "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 "
            "and 65535, inclusive"
        ],
        id="ports are in range",
    ),
    pytest.param(
        make_pod().container(ports=[{"containerPort": 80, "protocol": "HTTP"}]),
        [
            'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: '
            '"SCTP", "TCP", "UDP"'
        ],
        id="port protocols are enumerated",
    ),
    pytest.param(
        make_pod()
        .container(ports=[{"containerPort": 80, "hostPort": 80}])
        .container(name="side", ports=[{"containerPort": 81, "hostPort": 80}]),
        ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//80"'],
        id="host ports do not collide across containers",
    ),
]


@pytest.mark.parametrize(("builder", "expected"), ENV_PORT_CASES)
def test_env_and_port_rules(builder: PodBuilder, expected: list[str]) -> None:
    assert errors_of(builder) == expected


INIT_CASES = [
    pytest.param(
        {"name": "setup", "image": "busybox:1", "livenessProbe": {"exec": {"command": ["true"]}}},
        [
            "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers "
            "without restartPolicy=Always"
        ],
        id="a plain init container has no probes",
    ),
    pytest.param(
        {"name": "setup", "image": "busybox:1", "restartPolicy": "OnFailure"},
        [
            'spec.initContainers[0].restartPolicy: Unsupported value: "OnFailure": supported '
            'values: "Always"'
        ],
        id="an init container restart policy is only Always",
    ),
    pytest.param(
        {
            "name": "sidecar",
            "image": "envoy:1",
            "restartPolicy": "Always",
            "readinessProbe": {"tcpSocket": {"port": 80}},
        },
        [],
        id="a sidecar may have probes",
    ),
    pytest.param(
        {"name": "main", "image": "busybox:1"},
        ['spec.initContainers[0].name: Duplicate value: "main"'],
        id="init container names do not repeat regular ones",
    ),
]


@pytest.mark.parametrize(("init", "expected"), INIT_CASES)
def test_init_container_rules(init: dict[str, Any], expected: list[str]) -> None:
    pod = make_pod().container().build()
    pod["spec"]["initContainers"] = [init]
    assert create_errors(POD, pod) == expected


def test_probe_rules() -> None:
    probe = {"httpGet": {"port": 8080}, "successThreshold": 2}
    pod = make_pod().container(livenessProbe=probe, readinessProbe={})
    assert errors_of(pod) == [
        "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
        "spec.containers[0].readinessProbe: Required value: must specify a handler type",
    ]


def test_topology_spread_rules() -> None:
    constraint = {"maxSkew": 0, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}
    pod = (
        make_pod()
        .container()
        .spec(topologySpreadConstraints=[constraint, dict(constraint, maxSkew=1)])
    )
    assert errors_of(pod) == [
        "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
        "spec.topologySpreadConstraints[0].{topologyKey, whenUnsatisfiable}: Duplicate value: "
        '"{zone, DoNotSchedule}"',
    ]


def test_a_template_without_defaults_needs_a_grace_period_and_policies() -> None:
    template = {
        "metadata": {"labels": {"app": "x"}},
        "spec": {"containers": [{"name": "c", "image": "x:1"}]},
    }
    errs = validate_pod_template_spec(template, Path("spec", "template"))
    assert aggregate_message(errs) == (
        "[spec.template.spec.terminationGracePeriodSeconds: Required value, "
        "spec.template.spec.containers[0].terminationMessagePolicy: Required value, "
        "spec.template.spec.containers[0].imagePullPolicy: Required value, "
        "spec.template.spec.restartPolicy: Required value, spec.template.spec.dnsPolicy: Required "
        "value]"
    )


def test_a_template_reports_labels_at_the_template_path() -> None:
    template = {
        "metadata": {"labels": {"app": "-x"}},
        "spec": {"containers": [{"name": "c", "image": "x:1"}]},
    }
    errs = validate_pod_template_spec(template, Path("spec", "template"))
    assert errs[0].error() == f'spec.template.labels: Invalid value: "-x": {LABEL_VALUE_MSG}'


@pytest.mark.parametrize(
    ("binding", "expected"),
    [
        pytest.param(
            {"target": {"kind": "Node", "name": "n1"}}, [], id="a binding to a node is valid"
        ),
        pytest.param({"target": {"name": "n1"}}, [], id="the target kind may be empty"),
        pytest.param(
            {"target": {"kind": "Pod", "name": "n1"}},
            ['target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"'],
            id="a binding targets only nodes",
        ),
        pytest.param(
            {"target": {"kind": "Node"}},
            ["target.name: Required value"],
            id="a binding names the node",
        ),
    ],
)
def test_binding_validation(binding: dict[str, Any], expected: list[str]) -> None:
    assert [e.error() for e in validate_binding(binding)] == expected


def test_a_pod_name_that_is_not_a_dns_label_gets_a_warning() -> None:
    warnings = POD.warnings(make_pod(name="a.b").container().build())
    assert warnings == [
        "metadata.name: this is used in the Pod's hostname, which can result in surprising "
        "behavior; "
        "a DNS label is recommended: [must not contain dots]"
    ]


def test_pod_updates_carry_no_warnings() -> None:
    pod = make_pod(name="a.b").container().build()
    assert POD.warnings_on_update(pod, pod) == []
