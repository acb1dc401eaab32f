"""Bad input is refused before anything is created, with the field and what would be accepted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from mlkube.platform import Platform
from mlkube.platform.problems import SpecError
from mlkube.platform.workloads import Workload, render
from tests.unit.platform.workloads.builders import inference, preprocessing, sweep, training


def _error(make: Callable[[], Workload], platform: Platform | None) -> str:
    with pytest.raises(SpecError) as caught:
        render(make(), platform)
    return str(caught.value)


PLATFORM_ERRORS: list[Any] = [
    pytest.param(
        lambda: training(gpu=16),
        "spec.resources.gpu: 16 GPUs per node but the largest pool of profile training (gpu-a100) "
        "has 8; use nodes: 2 with gpu: 8",
        id="more GPUs than any node of the profile has: split it over nodes",
    ),
    pytest.param(
        lambda: training(nodes=2, gpu=16),
        "spec.resources.gpu: 16 GPUs per node but the largest pool of profile training (gpu-a100) "
        "has 8; use nodes: 4 with gpu: 8",
        id="a distributed job too big per node: the same GPUs over more nodes",
    ),
    pytest.param(
        lambda: inference(gpu=1),
        "spec.resources.gpu: 1 GPU asked for but the pools of profile inference (general) have "
        "none; remove gpu, or use a profile with GPUs (spec.profile: training)",
        id="GPUs on a profile whose pools have none",
    ),
    pytest.param(
        lambda: training(memory="2Ti"),
        "spec.resources.memory: 2Ti per pod but the largest pool of profile training (gpu-a100) "
        "has 1152Gi; ask for at most 1152Gi",
        id="more memory than any node of the profile has",
    ),
    pytest.param(
        lambda: training(team="robotics"),
        'metadata.team: unknown team "robotics"; teams: vision, nlp (--team)',
        id="an unknown team lists the teams",
    ),
    pytest.param(
        lambda: training(team=None),
        "metadata.team: Required value: the platform runs workloads per team; "
        "teams: vision, nlp (--team)",
        id="no team on a platform lists the teams",
    ),
    pytest.param(
        lambda: training(datasets=["coco"]),
        'spec.datasets[0].name: unknown dataset "coco"; '
        "datasets of team vision: imagenet, features",
        id="an unknown dataset lists the team's datasets",
    ),
    pytest.param(
        lambda: training(datasets=["common-crawl"]),
        'spec.datasets[0].name: dataset "common-crawl" is not shared with team vision; '
        "datasets of team vision: imagenet, features",
        id="another team's dataset",
    ),
    pytest.param(
        lambda: training(datasets=[{"name": "imagenet", "read_only": False}]),
        'spec.datasets[0].readOnly: dataset "imagenet" is ReadOnlyMany and cannot be mounted '
        "read-write; remove readOnly: false, or make the dataset ReadWriteMany in the platform",
        id="a read-only dataset mounted read-write",
    ),
    pytest.param(
        lambda: training(priority="urgent"),
        'spec.priority: unknown priority class "urgent"; priorities: production, research',
        id="an unknown priority lists the priorities",
    ),
    pytest.param(
        lambda: training(profile="finetune"),
        'spec.profile: unknown profile "finetune"; profiles: training, inference, preprocessing',
        id="an unknown profile lists the profiles",
    ),
    pytest.param(
        lambda: training(gpu=2, gpu_type="h100"),
        'spec.resources.gpuType: no pool of profile training has accelerator "h100"; '
        "accelerators: a100",
        id="an accelerator no pool has lists the accelerators",
    ),
    pytest.param(
        lambda: preprocessing(output="imagenet"),
        'spec.output.name: dataset "imagenet" is ReadOnlyMany; a preprocessing job writes a '
        "ReadWriteMany dataset; ReadWriteMany datasets of team vision: features",
        id="preprocessing into a dataset that is not ReadWriteMany",
    ),
]


@pytest.mark.parametrize(("make", "message"), PLATFORM_ERRORS)
def test_what_the_platform_cannot_run_is_refused_naming_the_field_and_the_fix(
    make: Callable[[], Workload], message: str, platform: Platform
) -> None:
    assert _error(make, platform) == message


INPUT_ERRORS: list[Any] = [
    pytest.param(
        lambda: training(command=[]),
        "spec.command: Required value; give the command to run "
        "(on the command line: after --, e.g. -- python train.py)",
        id="no command",
    ),
    pytest.param(
        lambda: training("Bad_Name"),
        'metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 label must consist of',
        id="a name that is not a DNS label",
    ),
    pytest.param(
        lambda: training("9lives", nodes=2),
        'metadata.name: Invalid value: "9lives": a DNS-1035 label must consist of',
        id="a distributed job's name must also name a Service",
    ),
    pytest.param(
        lambda: training("a" * 62, nodes=2),
        f'metadata.name: Invalid value: "{"a" * 62}": will not able to create pod with invalid '
        f"DNS label: {'a' * 62}-1; use a name of at most 61 characters",
        id="a distributed job's name too long for its pods' hostnames",
    ),
    pytest.param(
        lambda: sweep(params={}),
        "spec.params: Required value: a sweep needs at least one parameter; "
        "e.g. params: {lr: [0.1, 0.01]} (on the command line --param lr=0.1,0.01)",
        id="a sweep without parameters",
    ),
    pytest.param(
        lambda: sweep(params={"lr": []}),
        "spec.params.lr: has no values; list at least one value",
        id="a parameter without values",
    ),
    pytest.param(
        lambda: sweep(params={"lr": [0.1, 0.1]}),
        "spec.params.lr: lists a value twice; remove the duplicate",
        id="a parameter listing a value twice",
    ),
    pytest.param(
        lambda: sweep(params={"lr": "uniform(1,0)"}, random=2),
        'spec.params.lr: "uniform(1,0)": the low end must be below the high end; '
        "use uniform(a,b), loguniform(a,b) or int(a,b), or a list of values",
        id="an empty range",
    ),
    pytest.param(
        lambda: sweep(params={"lr": "loguniform(0,1)"}, random=2),
        'spec.params.lr: "loguniform(0,1)": loguniform needs a low end above 0; ',
        id="a log-uniform range from zero",
    ),
    pytest.param(
        lambda: sweep(params={"lr": "normal(0,1)"}, random=2),
        'spec.params.lr: "normal(0,1)" is not a range; ',
        id="an unknown distribution",
    ),
    pytest.param(
        lambda: sweep(params={"lr": "loguniform(1e-4,1e-1)"}),
        'spec.params.lr: the range "loguniform(1e-4,1e-1)" has no grid of values; '
        "sample it with random: N (--random N), or list the values",
        id="a range in a grid search",
    ),
    pytest.param(
        lambda: sweep(random=10),
        "spec.random: 10 trials but the grid has only 4 combinations; "
        "use random: 4 or fewer, or drop random to run the whole grid",
        id="more random trials than the grid has",
    ),
    pytest.param(
        lambda: sweep(nodes=2),
        "spec.nodes: a sweep runs each trial on one node; "
        "remove nodes, or run a distributed TrainingJob",
        id="a sweep over several nodes",
    ),
    pytest.param(
        lambda: sweep(retries=2),
        "spec.retries: a sweep retries each trial on its own; use trialRetries instead",
        id="retries on a sweep",
    ),
    pytest.param(
        lambda: sweep(max_failed=9),
        "spec.maxFailed: 9 is more than the 4 trials; use at most 4",
        id="more failures allowed than trials",
    ),
    pytest.param(
        lambda: sweep(params=["lr"]),
        '--param: "lr" is not NAME=VALUE,VALUE,...; '
        "e.g. --param lr=0.1,0.01 or --param lr=loguniform(1e-4,1e-1)",
        id="a --param without values",
    ),
    pytest.param(
        lambda: training(deadline="soon"),
        'spec.deadline: "soon" is not a valid duration; use 30m, 24h',
        id="a deadline that is not a duration",
    ),
    pytest.param(
        lambda: training(nodes=2, env={"MASTER_ADDR": "x"}),
        "spec.env.MASTER_ADDR: is set by mlkube for this workload; remove it",
        id="env that mlkube sets for torchrun",
    ),
    pytest.param(
        lambda: training(gpu_type="a100"),
        "spec.resources.gpuType: is set but no GPU is asked for; add gpu: N (--gpus N)",
        id="a GPU type without GPUs",
    ),
    pytest.param(
        lambda: training(datasets=["imagenet", "imagenet:/other"]),
        'spec.datasets[1].name: dataset "imagenet" is mounted twice; mount it once',
        id="a dataset mounted twice",
    ),
    pytest.param(
        lambda: inference(min_available="half"),
        'spec.minAvailable: Invalid value: "half": a valid percent string must be',
        id="a disruption budget that is neither a number nor a percentage",
    ),
    pytest.param(
        lambda: training(gpus=2),
        "spec.gpus: unknown field; known fields: image, command, args, env, resources,",
        id="an unknown field lists the known ones",
    ),
]


@pytest.mark.parametrize(("make", "message"), INPUT_ERRORS)
def test_a_mistake_in_the_workload_is_refused_naming_the_field_and_the_fix(
    make: Callable[[], Workload], message: str
) -> None:
    with pytest.raises(SpecError) as caught:
        make()
    assert str(caught.value).startswith(message)


def test_a_sweep_whose_parameters_do_not_fit_in_a_config_map_is_refused(platform: Platform) -> None:
    def huge() -> Workload:
        return sweep(params={"lr": list(range(30_000)), "l2": [0, 1]})

    assert _error(huge, platform) == (
        "spec.params: the parameters of 60000 trials take 1886670 bytes; "
        "a ConfigMap holds at most 1048576; sample fewer trials with random: N"
    )


def test_every_problem_is_reported_at_once(platform: Platform) -> None:
    message = _error(lambda: training(priority="urgent", datasets=["coco"], memory="2Ti"), platform)
    assert [line.split(":")[0] for line in message.splitlines()] == [
        "spec.priority",
        "spec.datasets[0].name",
        "spec.resources.memory",
    ]


def test_an_unknown_team_is_refused_without_a_platform_only_when_it_is_no_namespace_name() -> None:
    assert render(training(team="robotics"), None)[0]["metadata"]["namespace"] == "robotics"
    with pytest.raises(SpecError, match=r"^metadata\.team: Invalid value"):
        training(team="Robotics")
