"""The static checks: each rule, one behaviour per case, with the message a user reads.

Messages of Kubernetes' own checks are upstream's: names from
``apimachinery/pkg/util/validation/validation_test.go`` (TestIsDNS1123Label), taints from
``pkg/apis/core/validation/validation_test.go`` (TestValidateNodeTaints: duplicate key and
effect, unsupported effect), limit ranges from the same file's TestValidateLimitRange
("default request value ... is greater than max value ..."), priority classes from
``pkg/apis/scheduling/validation/validation_test.go`` (the reserved ``system-`` prefix, values
above HighestUserDefinablePriority).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from mlkube.platform.problems import ERROR, WARNING
from mlkube.platform.spec import load_file
from mlkube.platform.validate import RULES, validate
from tests.unit.platform.builders import PlatformBuilder, ml_platform

Edit = Callable[[PlatformBuilder], PlatformBuilder]


def test_the_example_spec_has_no_problem() -> None:
    assert validate(load_file("examples/platform.yaml")) == []


def test_the_builders_base_platform_has_no_problem() -> None:
    assert validate(ml_platform().build()) == []


def test_every_rule_has_a_unique_id() -> None:
    assert len(RULES) == len(set(RULES))


CASES = [
    pytest.param(
        lambda b: b.set("pools.1.capacity", {"cpu": "16"}),
        "capacity",
        "pools[1].capacity.memory: Required value; the embedded cluster creates 2 nodes with this "
        "capacity",
        id="nodes to create need a memory capacity",
    ),
    pytest.param(
        lambda b: b.set(
            "pools.0.capacity", {"cpu": "96", "memory": "1Ti", "nvidia.com/gpu": "8.5"}
        ),
        "capacity",
        'pools[0].capacity["nvidia.com/gpu"]: Invalid value: "8.5": must be an integer',
        id="an extended resource is whole (validateResourceQuantityValue)",
    ),
    pytest.param(
        lambda b: b.pool("General"),
        "names",
        'pools[2].name: Invalid value: "General": a lowercase RFC 1123 label must consist of lower '
        "case alphanumeric characters or '-', and must start and end with an alphanumeric "
        "character "
        "(e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
        id="a pool name that cannot name a node is Kubernetes' RFC 1123 message",
    ),
    pytest.param(
        lambda b: b.pool("general"),
        "names",
        'pools[2].name: Duplicate value: "general"',
        id="two pools with one name",
    ),
    pytest.param(
        lambda b: b.team("kube-system"),
        "namespaces",
        'teams[1].name: namespace "kube-system" is reserved; give the team a namespace of its own',
        id="a team cannot take a system namespace",
    ),
    pytest.param(
        lambda b: b.team("nlp", namespace="vision"),
        "namespaces",
        'teams[1].namespace: namespace "vision" is already team "vision"\'s',
        id="two teams cannot share a namespace",
    ),
    pytest.param(
        lambda b: b.set("teams.0.members", [{"group": "a", "user": "b"}]),
        "members",
        "teams[0].members[0]: a member is one subject, got: group, user; "
        "set exactly one of group, user or serviceAccount",
        id="a member that is both a group and a user",
    ),
    pytest.param(
        lambda b: b.set("pools.1.labels", {"mlkube.io/pool": "x"}),
        "labels",
        'pools[1].labels["mlkube.io/pool"]: is set by mlkube to the pool\'s name; remove it',
        id="the pool label is mlkube's to set",
    ),
    pytest.param(
        lambda b: b.set(
            "pools.0.taints",
            [{"key": "a", "effect": "NoSchedule"}, {"key": "a", "effect": "NoSchedule"}],
        ),
        "taints",
        'pools[0].taints[1].effect: Duplicate value: "NoSchedule": '
        "taints must be unique by key and effect pair",
        id="two taints with one key and effect (TestValidateNodeTaints)",
    ),
    pytest.param(
        lambda b: b.set("pools.1.taints", [{"key": "spot", "effect": "NoExec"}]),
        "taints",
        'pools[1].taints[0].effect: Unsupported value: "NoExec": supported values: "NoSchedule", '
        '"PreferNoSchedule", "NoExecute"',
        id="a taint effect Kubernetes does not know",
    ),
    pytest.param(
        lambda b: b.set("profiles", {"preprocessing": {"pools": ["general"]}}),
        "untolerated-taint",
        "pools[0].taints[0]: no profile tolerates taint nvidia.com/gpu=present:NoSchedule, so no "
        'workload can run on pool "gpu-a100"; add "gpu-a100" to the pools of a profile',
        id="a taint no profile tolerates strands its pool",
    ),
    pytest.param(
        lambda b: b.profile("inference", "gpu-h100"),
        "profile-pool",
        'profiles.inference.pools[0]: Not found: "gpu-h100"; pools are: gpu-a100, general',
        id="a profile pointing at a missing pool",
    ),
    pytest.param(
        lambda b: b.profile("inference", "general", priority="urgent"),
        "profile-priority",
        'profiles.inference.priority: Not found: "urgent"; priorities are: production, research',
        id="a profile at a priority that does not exist",
    ),
    pytest.param(
        lambda b: b.profile("finetune", "gpu-a100"),
        "gpu-deadline",
        "profiles.finetune.deadline: Required value: profile runs on GPU pools (gpu-a100); set "
        "deadline (e.g. 24h) so a runaway job stops burning GPUs",
        id="a GPU profile without a deadline",
    ),
    pytest.param(
        lambda b: b.set("datasets.0.access", "ReadWriteOnce"),
        "rwo-shared",
        "datasets[0].access: ReadWriteOnce is mounted by one node only, "
        'but profile "preprocessing" '
        "runs up to 4 pods across nodes; use ReadWriteMany or ReadOnlyMany",
        id="a ReadWriteOnce dataset shared by a multi-pod profile",
    ),
    pytest.param(
        lambda b: b.dataset(
            "coco",
            teams=["vision"],
            local={"path": "/data"},
            storageClass="x",
            csi={"driver": "d", "volumeHandle": "h"},
        ),
        "dataset-source",
        "datasets[1]: has csi and local; keep one source",
        id="a dataset with two sources",
    ),
    pytest.param(
        lambda b: b.dataset("coco", teams=["audio"]),
        "dataset-team",
        'datasets[1].teams[0]: Not found: "audio"; teams are: vision',
        id="a dataset for a team that does not exist",
    ),
    pytest.param(
        lambda b: b.set("teams.0.quota", {"requests.nvidia.com/gpu": "17"}),
        "quota-exceeds-pools",
        'teams[0].quota["requests.nvidia.com/gpu"]: 17 is more than all pools together (16); '
        "lower it, or add nodes with nvidia.com/gpu",
        id="a team quota larger than all pools together",
    ),
    pytest.param(
        lambda b: b.set("teams.0.quota", {"nvidia.com/gpu": "8"}),
        "quota-resources",
        'teams[0].quota["nvidia.com/gpu"]: is never counted: quota counts extended resources only '
        "as requests; use requests.nvidia.com/gpu",
        id="a GPU quota without the requests. prefix is never enforced",
    ),
    pytest.param(
        lambda b: b.set("teams.0.quota", {"gpus": "8"}),
        "quota-resources",
        'teams[0].quota.gpus: Invalid value: "gpus": must be a standard resource for quota',
        id="a quota name Kubernetes refuses (validateResourceQuotaResourceName)",
    ),
    pytest.param(
        lambda b: b.set("teams.0.quota", {"requests.storage": "1Ti"}),
        "quota-storage",
        'teams[0].quota["requests.storage"]: the team\'s dataset claims need 2Ti, more than 1Ti; '
        "raise it, or the claims are refused",
        id="dataset claims over the team's storage quota",
    ),
    pytest.param(
        lambda b: b.set("teams.0.defaults", {"cpu": "200", "memory": "4Gi"}),
        "limits",
        'teams[0].defaults.cpu: Invalid value: "200": default request value 200 is greater than '
        "max value 96",
        id="a default request above max (TestValidateLimitRange)",
    ),
    pytest.param(
        lambda b: b.set("teams.0.defaultLimits", {"cpu": "500m"}),
        "limits",
        'teams[0].defaults.cpu: Invalid value: "1": default request value 1 is greater than '
        "default "
        "limit value 500m",
        id="a default request above the default limit (TestValidateLimitRange)",
    ),
    pytest.param(
        lambda b: b.priority("system-critical", 10),
        "names",
        'priorities[2].name: Invalid value: "system-critical": priority class names with '
        "'system-' prefix are reserved",
        id="the system- prefix is reserved for priority classes",
    ),
    pytest.param(
        lambda b: b.priority("top", 2_000_000_000),
        "priority-value",
        "priorities[2].value: Invalid value: 2000000000: must be no more than 1000000000",
        id="a priority above what users may define",
    ),
    pytest.param(
        lambda b: b.priority("batch", 10, default=True),
        "priority-default",
        'priorities[2].default: priority "research" is already the default; keep one default',
        id="two default priorities",
    ),
]


@pytest.mark.parametrize(("edit", "rule", "message"), CASES)
def test_a_mistake_is_one_error_naming_its_path_and_fix(
    edit: Edit, rule: str, message: str
) -> None:
    problems = validate(edit(ml_platform()).build())
    assert [(p.rule, p.severity, str(p)) for p in problems] == [
        (rule.split(":")[0], ERROR, message)
    ]


WARNINGS = [
    pytest.param(
        lambda b: b.set("teams.0.defaults", {"memory": "4Gi"}).set("teams.0.max", {}),
        "quota-needs-defaults",
        'teams[0].quota["requests.cpu"]: pods that set no cpu request are refused (must specify '
        "requests.cpu); set defaults.cpu",
        id="a cpu quota with no cpu default refuses pods that state none",
    ),
    pytest.param(
        lambda b: b.pool("spare", nodes=0),
        "pool-empty",
        'pools[2]: pool "spare" selects no node on a real cluster and creates none on the embedded '
        "one; set selector (real clusters) or nodes (embedded)",
        id="a pool with neither a selector nor nodes",
    ),
    pytest.param(
        lambda b: b.set("pools.0.taints", []),
        "gpu-untainted",
        'pools[0].taints: pool "gpu-a100" has GPUs but no taint, so any pod may take its nodes; '
        "add a taint such as nvidia.com/gpu=present:NoSchedule",
        id="a GPU pool without a taint lets general work take the GPUs",
    ),
    pytest.param(
        lambda b: b.set("teams.0.max", {"cpu": "128"}),
        "limits",
        "teams[0].max.cpu: 128 is more than any node offers (96); a container that big never fits; "
        "lower it",
        id="a max no node can hold",
    ),
]


@pytest.mark.parametrize(("edit", "rule", "message"), WARNINGS)
def test_a_doubtful_choice_is_a_warning(edit: Edit, rule: str, message: str) -> None:
    problems = validate(edit(ml_platform()).build())
    assert [(p.rule, p.severity, str(p)) for p in problems] == [(rule, WARNING, message)]


def test_max_without_a_cpu_default_warns_that_the_max_becomes_the_default() -> None:
    spec = ml_platform().set("teams.0.defaults", {}).set("teams.0.quota", {}).build()
    assert [str(p) for p in validate(spec)] == [
        "teams[0].max.cpu: with no default, every container that sets no cpu limit gets 96 "
        "(Kubernetes defaults the limit to max); set defaults.cpu",
        "teams[0].max.memory: with no default, every container that sets no memory limit gets 1Ti "
        "(Kubernetes defaults the limit to max); set defaults.memory",
    ]


def test_a_quota_on_pools_of_unknown_size_is_not_compared() -> None:
    spec = (
        ml_platform()
        .pool("spot", nodes=0, selector={"node.kubernetes.io/instance-type": "g5"})
        .set("teams.0.quota", {"requests.nvidia.com/gpu": "1000"})
        .build()
    )
    assert [p.rule for p in validate(spec)] == []
