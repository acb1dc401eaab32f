"""Effective pod requests and limits, the scheduler's non-zero requests and QoS, as v1.37 has them.

Cases come from staging/src/k8s.io/component-helpers/resource/helpers_test.go
(TestPodRequestsAndLimits, TestPodRequestsAndLimitsWithoutOverhead, TestPodResourceRequests,
TestPodResourceLimits), pkg/scheduler/framework/plugins/noderesources/fit_test.go
(k8s-semantics.md §10.3), pkg/scheduler/framework/types_test.go (non-zero requests),
pkg/apis/core/v1/helper/qos/qos_test.go and pkg/apis/core/v1/helper/helpers_test.go,
each named at its table.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from mlkube.api.quantity import Quantity, parse_quantity
from mlkube.api.resources import (
    DEFAULT_MEMORY_REQUEST,
    DEFAULT_MILLI_CPU_REQUEST,
    compute_qos_class,
    container_limits,
    container_requests,
    is_extended_resource_name,
    is_hugepage_resource_name,
    is_native_resource,
    is_pod_level_resources_set,
    non_zero_pod_requests,
    pod_limits,
    pod_requests,
    qos_class,
)

Resources = dict[str, str]


def container(
    name: str = "main",
    requests: Resources | None = None,
    limits: Resources | None = None,
    *,
    sidecar: bool = False,
) -> dict[str, Any]:
    made: dict[str, Any] = {"name": name, "image": "busybox"}
    resources: dict[str, Any] = {}
    if requests is not None:
        resources["requests"] = dict(requests)
    if limits is not None:
        resources["limits"] = dict(limits)
    if resources:
        made["resources"] = resources
    if sidecar:
        made["restartPolicy"] = "Always"
    return made


def sidecar(
    name: str, requests: Resources | None = None, limits: Resources | None = None
) -> dict[str, Any]:
    return container(name, requests, limits, sidecar=True)


def pod(
    *containers: dict[str, Any],
    init: list[dict[str, Any]] | None = None,
    overhead: Resources | None = None,
    pod_level: dict[str, Resources] | None = None,
    status_qos: str | None = None,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"containers": list(containers) or [container()]}
    if init is not None:
        spec["initContainers"] = init
    if overhead is not None:
        spec["overhead"] = dict(overhead)
    if pod_level is not None:
        spec["resources"] = pod_level
    made: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "p"},
        "spec": spec,
    }
    if status_qos is not None:
        made["status"] = {"qosClass": status_qos}
    return made


def quantities(resources: Resources) -> dict[str, Quantity]:
    return {name: parse_quantity(value) for name, value in resources.items()}


def cpu(value: str) -> Resources:
    return {"cpu": value}


# helpers_test.go TestPodRequestsAndLimits.
@pytest.mark.parametrize(
    ("the_pod", "requests", "limits"),
    [
        pytest.param(
            pod(container(limits=cpu("9"))), {}, {"cpu": "9"}, id="a limit alone is no request"
        ),
        pytest.param(
            pod(container(), overhead={"cpu": "5", "memory": "5"}),
            {"cpu": "5", "memory": "5"},
            {},
            id="the overhead alone is requested but never becomes a limit",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1", "memory": "10"}),
                overhead={"cpu": "5", "memory": "5"},
            ),
            {"cpu": "6", "memory": "15"},
            {},
            id="the overhead adds to the requests",
        ),
        pytest.param(
            pod(
                container(
                    requests={"cpu": "1", "memory": "10"}, limits={"cpu": "2", "memory": "12"}
                ),
                overhead={"cpu": "5", "memory": "5"},
            ),
            {"cpu": "6", "memory": "15"},
            {"cpu": "7", "memory": "17"},
            id="the overhead adds to requests and to set limits",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1", "memory": "10"}, limits={"cpu": "2"}),
                overhead={"cpu": "5", "memory": "5"},
            ),
            {"cpu": "6", "memory": "15"},
            {"cpu": "7"},
            id="the overhead adds only to limits that are set",
        ),
    ],
)
def test_pod_requests_and_limits_with_overhead(
    the_pod: dict[str, Any], requests: Resources, limits: Resources
) -> None:
    assert pod_requests(the_pod) == quantities(requests)
    assert pod_limits(the_pod) == quantities(limits)


# helpers_test.go TestPodRequestsAndLimitsWithoutOverhead.
@pytest.mark.parametrize(
    ("the_pod", "requests", "limits"),
    [
        pytest.param(
            pod(
                container("a", {"cpu": "1", "memory": "5"}, {"cpu": "2", "memory": "10"}),
                container("b", {"cpu": "4", "memory": "12"}, {"cpu": "8", "memory": "24"}),
            ),
            {"cpu": "5", "memory": "17"},
            {"cpu": "10", "memory": "34"},
            id="two containers add up",
        ),
        pytest.param(
            pod(
                container("a", {"cpu": "1", "memory": "5"}, {"cpu": "2", "memory": "10"}),
                container("b", {"cpu": "4", "memory": "12"}, {"cpu": "8", "memory": "24"}),
                overhead={"cpu": "3", "memory": "8"},
            ),
            {"cpu": "5", "memory": "17"},
            {"cpu": "10", "memory": "34"},
            id="excluding the overhead leaves the container sum",
        ),
        pytest.param(
            pod(
                container("a", {"cpu": "1", "memory": "5"}, {"cpu": "2", "memory": "10"}),
                container("b", {"cpu": "4", "memory": "12"}, {"cpu": "8", "memory": "24"}),
                init=[
                    container("small", {"cpu": "1", "memory": "5"}, {"cpu": "1", "memory": "5"}),
                    container(
                        "big", {"cpu": "40", "memory": "120"}, {"cpu": "80", "memory": "240"}
                    ),
                ],
                overhead={"cpu": "3", "memory": "8"},
            ),
            {"cpu": "40", "memory": "120"},
            {"cpu": "80", "memory": "240"},
            id="a massive init container sets the pod's needs",
        ),
    ],
)
def test_pod_requests_and_limits_without_overhead(
    the_pod: dict[str, Any], requests: Resources, limits: Resources
) -> None:
    assert pod_requests(the_pod, exclude_overhead=True) == quantities(requests)
    assert pod_limits(the_pod, exclude_overhead=True) == quantities(limits)


# helpers_test.go TestPodResourceRequests / TestPodResourceLimits: init containers and sidecars.
_INIT_CASES = [
    pytest.param(
        [container("i", cpu("4"))],
        [container("c", cpu("1"))],
        "4",
        id="a larger init container wins",
    ),
    pytest.param(
        [container("i", cpu("2"))],
        [container("a", cpu("2")), container("b", cpu("3"))],
        "5",
        id="larger app containers win",
    ),
    pytest.param(
        [sidecar("s", cpu("1"))],
        [container("c", cpu("1"))],
        "2",
        id="a sidecar runs beside the app containers",
    ),
    pytest.param(
        [
            container("init-1", cpu("5")),
            sidecar("s1", cpu("1")),
            sidecar("s2", cpu("2")),
            sidecar("s3", cpu("3")),
        ],
        [container("c", cpu("1"))],
        "7",
        id="several sidecars add up with the app containers",
    ),
    pytest.param(
        [
            container("init-1", cpu("5")),
            sidecar("s1", cpu("1")),
            sidecar("s2", cpu("2")),
            container("init-2", cpu("5")),
            sidecar("s3", cpu("3")),
        ],
        [container("c", cpu("1"))],
        "8",
        id="an init container needs the sidecars started before it but not after",
    ),
    pytest.param(
        [sidecar("s", cpu("10")), container("init-1", cpu("200"))],
        [container("c", cpu("100"))],
        "210",
        id="an init container after a sidecar needs both",
    ),
]


@pytest.mark.parametrize(("init", "containers", "expected"), _INIT_CASES)
def test_init_containers_and_sidecars_in_requests(
    init: list[dict[str, Any]], containers: list[dict[str, Any]], expected: str
) -> None:
    assert pod_requests(pod(*containers, init=init)) == {"cpu": parse_quantity(expected)}


def _as_limits(containers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    moved = copy.deepcopy(containers)
    for c in moved:
        c["resources"] = {"limits": c["resources"]["requests"]}
    return moved


@pytest.mark.parametrize(("init", "containers", "expected"), _INIT_CASES)
def test_init_containers_and_sidecars_in_limits(
    init: list[dict[str, Any]], containers: list[dict[str, Any]], expected: str
) -> None:
    the_pod = pod(*_as_limits(containers), init=_as_limits(init))
    assert pod_limits(the_pod) == {"cpu": parse_quantity(expected)}


@pytest.mark.parametrize(
    ("the_pod", "limits"),
    [
        pytest.param(pod(container()), {}, id="unlimited containers give the pod no limits"),
        pytest.param(
            pod(container("a", limits={"cpu": "2", "memory": "2Gi"}), container("b")),
            {"cpu": "2", "memory": "2Gi"},
            id="one limited and one unlimited container give the limited one's limits",
        ),
        pytest.param(
            pod(
                container("c", limits={"cpu": "1", "memory": "1Gi"}),
                init=[container("i1", limits={"cpu": "2", "memory": "2Gi"}), container("i2")],
            ),
            {"cpu": "2", "memory": "2Gi"},
            id="an unlimited init container does not lift the limit",
        ),
        pytest.param(
            pod(container(limits=cpu("5")), overhead={"cpu": "1", "memory": "1Gi"}),
            {"cpu": "6"},
            id="the overhead is added only to non-zero limits",
        ),
    ],
)
def test_pod_limits(the_pod: dict[str, Any], limits: Resources) -> None:
    assert pod_limits(the_pod) == quantities(limits)


# fit_test.go cases 12-14, 19-20 (k8s-semantics.md §10.3), read as effective requests.
@pytest.mark.parametrize(
    ("the_pod", "requests"),
    [
        pytest.param(
            pod(
                container(requests={"cpu": "1m", "memory": "1"}),
                init=[container("i", {"cpu": "3m", "memory": "1"})],
            ),
            {"cpu": "3m", "memory": "1"},
            id="an init container's 3m cpu beats the app container's 1m",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1m", "memory": "1"}),
                init=[
                    container("i1", {"cpu": "1m", "memory": "3"}),
                    container("i2", {"cpu": "1m", "memory": "2"}),
                ],
            ),
            {"cpu": "1m", "memory": "3"},
            id="the largest init container counts, not their sum",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1m", "memory": "1"}),
                overhead={"cpu": "1m", "memory": "15"},
            ),
            {"cpu": "2m", "memory": "16"},
            id="the RuntimeClass overhead adds to the requests",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1m", "memory": "1"}),
                pod_level={"requests": {"cpu": "7m", "memory": "2"}},
            ),
            {"cpu": "7m", "memory": "2"},
            id="pod-level requests replace the container sum",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1m", "nvidia.com/gpu": "1"}),
                pod_level={"requests": {"cpu": "7m", "nvidia.com/gpu": "4"}},
            ),
            {"cpu": "7m", "nvidia.com/gpu": "1"},
            id="pod-level requests replace only cpu, memory and hugepages",
        ),
        pytest.param(
            pod(
                container(requests={"cpu": "1m"}),
                pod_level={"requests": {"cpu": "7m"}},
                overhead={"cpu": "1m"},
            ),
            {"cpu": "8m"},
            id="the overhead adds to pod-level requests too",
        ),
        pytest.param(
            pod(container(requests={"cpu": "1m"}), pod_level={"requests": {"nvidia.com/gpu": "4"}}),
            {"cpu": "1m"},
            id="pod-level requests naming no supported resource are ignored",
        ),
        pytest.param(
            pod(container(requests={"cpu": 2, "memory": "1Gi"})),
            {"cpu": "2", "memory": "1Gi"},
            id="a JSON number is read as a quantity",
        ),
    ],
)
def test_effective_requests(the_pod: dict[str, Any], requests: Resources) -> None:
    assert pod_requests(the_pod) == quantities(requests)


def test_the_pod_level_resources_gate_can_be_turned_off() -> None:
    the_pod = pod(container(requests=cpu("1m")), pod_level={"requests": cpu("7m")})
    assert pod_requests(the_pod, skip_pod_level_resources=True) == quantities(cpu("1m"))


def test_pod_level_limits_replace_container_limits() -> None:
    the_pod = pod(
        container(limits={"cpu": "1", "memory": "1Gi"}),
        pod_level={"requests": cpu("2"), "limits": {"cpu": "4"}},
    )
    assert is_pod_level_resources_set(the_pod)
    assert pod_limits(the_pod) == quantities({"cpu": "4", "memory": "1Gi"})


def test_non_missing_requests_fill_in_only_unnamed_resources() -> None:
    the_pod = pod(container("a", {"cpu": "0"}), container("b", {"memory": "1Gi"}))
    filled = pod_requests(
        the_pod, non_missing_container_requests=quantities({"cpu": "100m", "memory": "200Mi"})
    )
    assert filled == quantities({"cpu": "100m", "memory": "1224Mi"})


# framework types_test.go (calculateResource / NonZeroRequested).
@pytest.mark.parametrize(
    ("the_pod", "milli_cpu", "memory"),
    [
        pytest.param(
            pod(container()),
            DEFAULT_MILLI_CPU_REQUEST,
            DEFAULT_MEMORY_REQUEST,
            id="a container requesting nothing counts as 100m and 200Mi when scoring",
        ),
        pytest.param(
            pod(container("a"), container("b", {"cpu": "500m"})),
            600,
            2 * DEFAULT_MEMORY_REQUEST,
            id="each container without a request gets the defaults",
        ),
        pytest.param(
            pod(container(requests={"cpu": "0", "memory": "0"})),
            0,
            0,
            id="an explicit zero request stays zero",
        ),
        pytest.param(
            pod(container(), pod_level={"requests": {"cpu": "2"}}),
            2000,
            DEFAULT_MEMORY_REQUEST,
            id="with pod-level requests only the resource missing at both levels is defaulted",
        ),
    ],
)
def test_non_zero_requests(the_pod: dict[str, Any], milli_cpu: int, memory: int) -> None:
    requests = non_zero_pod_requests(the_pod)
    assert requests["cpu"].milli_value() == milli_cpu
    assert requests["memory"].value() == memory


def test_the_default_non_zero_requests_are_the_schedulers() -> None:
    assert DEFAULT_MILLI_CPU_REQUEST == 100
    assert DEFAULT_MEMORY_REQUEST == 200 * 1024 * 1024


def test_container_requests_and_limits_are_read_as_quantities() -> None:
    c = container(requests={"cpu": "250m"}, limits={"cpu": "1", "nvidia.com/gpu": "1"})
    assert container_requests(c) == quantities({"cpu": "250m"})
    assert container_limits(c) == quantities({"cpu": "1", "nvidia.com/gpu": "1"})
    assert container_requests(container()) == {}


def test_computing_requests_never_mutates_the_pod() -> None:
    the_pod = pod(
        container(requests={"cpu": "1"}, limits={"cpu": "2"}),
        init=[sidecar("s", {"cpu": "1"}, {"cpu": "1"})],
        overhead={"cpu": "1"},
        pod_level={"requests": {"memory": "1Gi"}},
    )
    before = copy.deepcopy(the_pod)
    pod_requests(the_pod)
    pod_limits(the_pod)
    non_zero_pod_requests(the_pod)
    compute_qos_class(the_pod)
    assert the_pod == before


# qos_test.go TestComputePodQOS.
_GUARANTEED = {"cpu": "100m", "memory": "100Mi"}


@pytest.mark.parametrize(
    ("the_pod", "expected"),
    [
        pytest.param(
            pod(container("a"), container("b")),
            "BestEffort",
            id="no requests or limits is BestEffort",
        ),
        pytest.param(
            pod(container(requests={"nvidia.com/gpu": "1"}, limits={"nvidia.com/gpu": "1"})),
            "BestEffort",
            id="only cpu and memory decide QoS, so a GPU alone is BestEffort",
        ),
        pytest.param(
            pod(container("a", _GUARANTEED, _GUARANTEED), container("b", _GUARANTEED, _GUARANTEED)),
            "Guaranteed",
            id="cpu and memory requests equal to limits everywhere is Guaranteed",
        ),
        pytest.param(
            pod(
                container(
                    requests={**_GUARANTEED, "nvidia.com/gpu": "2"},
                    limits={**_GUARANTEED, "nvidia.com/gpu": "2"},
                )
            ),
            "Guaranteed",
            id="an extended resource does not spoil Guaranteed",
        ),
        pytest.param(
            pod(container("a", _GUARANTEED, _GUARANTEED), container("b")),
            "Burstable",
            id="one Guaranteed and one BestEffort container is Burstable",
        ),
        pytest.param(
            pod(container(requests={"cpu": "100m"})),
            "Burstable",
            id="requests without limits are Burstable",
        ),
        pytest.param(
            pod(container(requests=_GUARANTEED, limits={"cpu": "100m"})),
            "Burstable",
            id="a missing memory limit is Burstable",
        ),
        pytest.param(
            pod(
                container(
                    requests={"cpu": "100m", "memory": "100Mi"},
                    limits={"cpu": "200m", "memory": "100Mi"},
                )
            ),
            "Burstable",
            id="a limit above the request is Burstable",
        ),
        pytest.param(
            pod(container("a", _GUARANTEED, _GUARANTEED), init=[container("i")]),
            "Burstable",
            id="a BestEffort init container makes a Guaranteed pod Burstable",
        ),
        pytest.param(
            pod(
                container("a", _GUARANTEED, _GUARANTEED),
                init=[container("i", _GUARANTEED, _GUARANTEED)],
            ),
            "Guaranteed",
            id="Guaranteed init containers keep the pod Guaranteed",
        ),
        pytest.param(
            pod(container(), pod_level={"requests": _GUARANTEED, "limits": _GUARANTEED}),
            "Guaranteed",
            id="pod-level requests equal to limits are Guaranteed whatever the containers say",
        ),
        pytest.param(
            pod(container("a", _GUARANTEED, _GUARANTEED), pod_level={"requests": _GUARANTEED}),
            "Burstable",
            id="pod-level requests without limits are Burstable",
        ),
    ],
)
def test_compute_qos_class(the_pod: dict[str, Any], expected: str) -> None:
    assert compute_qos_class(the_pod) == expected


def test_qos_class_honours_the_recorded_status() -> None:
    assert qos_class(pod(container(), status_qos="Guaranteed")) == "Guaranteed"
    assert qos_class(pod(container())) == "BestEffort"


def test_qos_ignores_pod_level_resources_with_the_gate_off() -> None:
    the_pod = pod(container(), pod_level={"requests": _GUARANTEED, "limits": _GUARANTEED})
    assert compute_qos_class(the_pod, enable_pod_level_resources=False) == "BestEffort"


# pkg/apis/core/v1/helper/helpers_test.go (IsExtendedResourceName, IsNativeResource, hugepages).
@pytest.mark.parametrize(
    ("name", "extended", "native", "hugepage"),
    [
        pytest.param(
            "nvidia.com/gpu", True, False, False, id="nvidia.com/gpu is an extended resource"
        ),
        pytest.param(
            "example.com/dongle", True, False, False, id="a domain-prefixed name is extended"
        ),
        pytest.param("cpu", False, True, False, id="cpu is native"),
        pytest.param(
            "kubernetes.io/something", False, True, False, id="kubernetes.io names are native"
        ),
        pytest.param(
            "foo.kubernetes.io/bar", False, True, False, id="subdomains of kubernetes.io are native"
        ),
        pytest.param(
            "hugepages-2Mi", False, True, True, id="hugepages-2Mi is a native hugepage resource"
        ),
        pytest.param(
            "requests.example.com/x", False, False, False, id="a requests. prefix is never extended"
        ),
        pytest.param(
            "example.com/in valid",
            False,
            False,
            False,
            id="a name that is not qualified is not extended",
        ),
    ],
)
def test_resource_names(name: str, extended: bool, native: bool, hugepage: bool) -> None:
    assert is_extended_resource_name(name) is extended
    assert is_native_resource(name) is native
    assert is_hugepage_resource_name(name) is hugepage
