"""Workloads from YAML (``mlkube submit -f``) and from command-line fields (``mlkube train``)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mlkube.platform import Platform
from mlkube.platform.problems import SpecError
from mlkube.platform.workloads import (
    DatasetMount,
    InferenceService,
    Resources,
    Sweep,
    TrainingJob,
    build,
    load_file,
    loads,
    render,
    to_builtins,
)
from tests.unit.platform.workloads.conftest import EXAMPLES

ISSUE_EXAMPLE = """
apiVersion: mlkube.io/v1alpha1
kind: TrainingJob
metadata: {name: resnet, team: vision}
spec:
  image: pytorch/pytorch:2.4.0
  command: [torchrun, train.py]
  nodes: 2                                   # distributed when > 1
  resources: {gpu: 8, gpuType: a100, cpu: "32", memory: 256Gi}
  datasets: [{name: imagenet, mountPath: /data}]
  deadline: 12h
  retries: 3
"""


def _error(text: str) -> str:
    with pytest.raises(SpecError) as caught:
        loads(text)
    return str(caught.value)


def test_the_issue_s_example_loads_as_a_distributed_training_job() -> None:
    [w] = loads(ISSUE_EXAMPLE)
    assert isinstance(w, TrainingJob)
    assert (w.name, w.team, w.spec.nodes, w.spec.retries) == ("resnet", "vision", 2, 3)
    assert w.spec.resources == Resources(gpu=8, gpu_type="a100", cpu="32", memory="256Gi")
    assert w.spec.datasets == [DatasetMount(name="imagenet", mount_path="/data")]


def test_a_file_may_hold_several_workloads_and_their_problems_name_the_document() -> None:
    two = ISSUE_EXAMPLE + "---\n" + ISSUE_EXAMPLE.replace("resnet,", "vit,")
    assert [w.name for w in loads(two)] == ["resnet", "vit"]
    broken = two.replace("retries: 3", "retries: -1").replace("deadline: 12h", "deadlin: 12h", 1)
    assert _error(broken).splitlines() == [
        'documents[0].spec.deadlin: unknown field; did you mean "deadline"?',
        "documents[0].spec.retries: must be greater than or equal to 0",
        "documents[1].spec.retries: must be greater than or equal to 0",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "apiVersion: mlkube.io/v1alpha1\nkind: Job\n",
            'kind: Unsupported value: "Job": supported values: "TrainingJob", "Sweep", '
            '"PreprocessingJob", "InferenceService"',
            id="a kind that is not a workload",
        ),
        pytest.param(
            "kind: Sweep\nmetadata: {name: s}\nspec: {image: x, command: [y], params: {lr: [1]}}\n",
            "apiVersion: Required value; apiVersion: mlkube.io/v1alpha1",
            id="no apiVersion",
        ),
        pytest.param(
            ISSUE_EXAMPLE + "  retries: 4\n",
            'line 13: duplicate key "retries"; keep one',
            id="a key given twice",
        ),
        pytest.param(
            "",
            "no workload found; expected one of TrainingJob, Sweep, "
            "PreprocessingJob, InferenceService",
            id="an empty file",
        ),
        pytest.param(
            ISSUE_EXAMPLE.replace("kind: TrainingJob", "kind: Sweep").replace(
                "nodes: 2", "params: {lr: [[1]]}"
            ),
            "spec.params.lr[0]: expected a string, number or boolean; "
            "a parameter's values are scalars",
            id="a parameter value that is a list",
        ),
        pytest.param(
            ISSUE_EXAMPLE.replace("nodes: 2", "params: {lr: [1]}"),
            "spec.params: unknown field; only a Sweep has params",
            id="params on a training job",
        ),
    ],
)
def test_a_bad_document_is_refused_with_the_field_and_the_fix(text: str, message: str) -> None:
    assert _error(text) == message


@pytest.mark.parametrize("name", ["train", "distributed", "sweep", "preprocess", "serve"])
def test_each_example_workload_loads_and_renders_on_the_example_platform(
    name: str, platform: Platform
) -> None:
    [w] = load_file(EXAMPLES / "workloads" / f"{name}.yaml")
    assert render(w, platform)


def test_exponents_in_a_grid_are_numbers_as_yaml_1_2_reads_them() -> None:
    text = (
        ISSUE_EXAMPLE.replace("kind: TrainingJob", "kind: Sweep")
        .replace("nodes: 2", "params: {lr: [1e-4, 3.0e-4, 1e3, e5]}")
        .replace("  retries: 3\n", "")
    )
    [w] = loads(text)
    assert isinstance(w, Sweep)
    assert w.spec.params == {"lr": [1e-4, 3e-4, 1000.0, "e5"]}


def test_a_kind_that_is_not_a_string_is_refused() -> None:
    assert _error("kind: [TrainingJob]\n").startswith("kind: Unsupported value")


def test_a_missing_file_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="No such file or directory"):
        load_file(tmp_path / "nope.yaml")


def test_to_builtins_is_the_inverse_of_loads() -> None:
    [w] = loads(ISSUE_EXAMPLE)
    assert loads(yaml.safe_dump(to_builtins(w))) == [w]
    assert list(to_builtins(w))[:2] == ["apiVersion", "kind"]


def test_build_takes_what_the_command_line_flags_give() -> None:
    w = build(
        "train",
        "resnet",
        team="vision",
        image="pytorch/pytorch:2.4.0",
        command=["torchrun", "train.py"],
        nodes=2,
        gpu=8,
        gpu_type="a100",
        cpu="32",
        memory="256Gi",
        datasets=["imagenet:/data"],
        deadline="12h",
        retries=3,
        ttl=None,  # a flag not given
    )
    assert w == loads(ISSUE_EXAMPLE)[0]


def test_build_keeps_user_keys_as_they_are() -> None:
    w = build(
        "sweep",
        "s",
        image="x",
        command=["y"],
        params=["learning_rate=0.1,0.01"],
        env={"MY_VAR": "1"},
        labels={"my_label": "a"},
        trial_retries=2,
    )
    assert isinstance(w, Sweep)
    assert (w.spec.params, w.spec.env, w.metadata.labels, w.spec.trial_retries) == (
        {"learning_rate": [0.1, 0.01]},
        {"MY_VAR": "1"},
        {"my_label": "a"},
        2,
    )


def test_build_accepts_structs_and_an_inference_service_needs_no_command() -> None:
    w = build("serve", "api", image="x", resources=Resources(cpu="1"), readiness={"path": "/ok"})
    assert isinstance(w, InferenceService)
    assert (w.spec.resources.cpu, w.spec.readiness.path, w.spec.command) == ("1", "/ok", [])
