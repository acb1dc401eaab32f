"""Loading a Platform spec: every shape problem at once, each with its path."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from mlkube.platform.problems import SpecError
from mlkube.platform.spec import load_file, loads
from tests.unit.platform.builders import ml_platform, platform


def problems_of(doc: dict[str, Any] | str) -> list[str]:
    text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
    with pytest.raises(SpecError) as err:
        loads(text)
    return [str(p) for p in err.value.problems]


def test_the_example_spec_loads() -> None:
    spec = load_file("examples/platform.yaml")
    assert spec.name == "acme-ml"
    assert [p.name for p in spec.pools] == ["gpu-a100", "general"]
    assert spec.teams[0].quota["requests.nvidia.com/gpu"] == "16"


def test_yaml_numbers_given_for_quantities_become_quantity_strings() -> None:
    spec = platform().pool("general", cpu=16, memory="64Gi").build()  # type: ignore[arg-type]
    assert spec.pools[0].capacity == {"cpu": "16", "memory": "64Gi"}


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        pytest.param(
            "pools.0.capacity.memory",
            "64GG",
            'pools[0].capacity.memory: "64GG" is not a valid quantity',
            id="a bad quantity is named by its path, as the issue asks",
        ),
        pytest.param(
            "teams.0.quota",
            {"requests.nvidia.com/gpu": "lots"},
            'teams[0].quota["requests.nvidia.com/gpu"]: "lots" is not a valid quantity',
            id="a key with dots and slashes is quoted in the path",
        ),
        pytest.param(
            "pools.0.runtime",
            "vm",
            'pools[0].runtime: Unsupported value: "vm": supported values: "process", "simulate"',
            id="an enum value outside its choices is Kubernetes' Unsupported value",
        ),
        pytest.param(
            "pools.0.nodes",
            -1,
            "pools[0].nodes: must be greater than or equal to 0",
            id="a negative node count is refused",
        ),
        pytest.param(
            "pools.0.labels",
            {"tier": True},
            "pools[0].labels.tier: expected a string, got a boolean (quote it)",
            id="YAML's yes/true where a string is meant asks for quotes",
        ),
        pytest.param(
            "profiles",
            {"training": {"pools": ["general"], "deadline": "1 day"}},
            'profiles.training.deadline: "1 day" is not a valid duration; use 30m, 24h',
            id="a deadline that is not a Go duration",
        ),
        pytest.param(
            "profiles",
            {"training": {"pools": "general"}},
            "profiles.training.pools: expected a list, got a string",
            id="a scalar where a list is expected",
        ),
    ],
)
def test_a_shape_problem_is_one_message_with_its_path(path: str, value: Any, expected: str) -> None:
    doc = platform().pool("general").team("vision").set(path, value).data()
    assert problems_of(doc) == [expected]


def test_an_unknown_key_is_reported_with_the_field_it_probably_meant() -> None:
    doc = platform().pool("general").data()
    doc["pools"][0]["capcity"] = {"cpu": "1"}
    assert problems_of(doc) == ['pools[0].capcity: unknown field; did you mean "capacity"?']


def test_every_problem_of_a_document_is_reported_at_once_in_document_order() -> None:
    doc = ml_platform().data()
    doc["pools"][0]["capacity"]["memory"] = "64GG"
    doc["teams"][0]["quotas"] = {}
    del doc["datasets"][0]["size"]
    doc["kind"] = "Cluster"
    assert problems_of(doc) == [
        'kind: Unsupported value: "Cluster": supported values: "Platform"',
        'pools[0].capacity.memory: "64GG" is not a valid quantity',
        'teams[0].quotas: unknown field; did you mean "quota"?',
        "datasets[0].size: Required value",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("", "the file is empty; expected a Platform", id="an empty file"),
        pytest.param(
            "pools: [a\n",
            "line 2, column 1: not valid YAML: did not find expected ',' or ']'",
            id="broken YAML names the line",
        ),
        pytest.param(
            "- a\n", "expected a mapping, got a list", id="a document that is not a mapping"
        ),
    ],
)
def test_a_file_that_is_not_a_spec_says_why(text: str, expected: str) -> None:
    assert problems_of(text) == [expected]


def test_a_missing_file_is_a_spec_error_not_a_traceback(tmp_path: Any) -> None:
    with pytest.raises(SpecError) as err:
        load_file(tmp_path / "nope.yaml")
    assert [str(p) for p in err.value.problems] == [
        f"{tmp_path / 'nope.yaml'}: No such file or directory"
    ]
