"""deep_copy: what every write does to its body before mutating it."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from mlkube.engine.wirecopy import deep_copy


def _containers(obj: Any) -> list[Any]:
    if isinstance(obj, dict):
        return [obj, *(c for v in obj.values() for c in _containers(v))]
    if isinstance(obj, list):
        return [obj, *(c for v in obj for c in _containers(v))]
    return []


def test_a_copy_of_an_object_equals_it_and_shares_no_container() -> None:
    pod = {
        "metadata": {"name": "a", "labels": {"app": "x"}},
        "spec": {"containers": [{"name": "m", "ports": [{"containerPort": 80}]}]},
        "status": {"ratio": 0.5, "ready": True, "gone": None},
    }

    copied = deep_copy(pod)

    assert copied == pod
    assert list(copied) == list(pod)
    originals = {id(c) for c in _containers(pod)}
    assert not originals & {id(c) for c in _containers(copied)}


@pytest.mark.parametrize(
    "value",
    [
        pytest.param({"ports": (80, 443)}, id="a tuple stays a tuple"),
        pytest.param({"ratio": math.inf}, id="an infinity stays an infinity"),
        pytest.param({1: "one"}, id="a key that is not a string stays as it is"),
        pytest.param({"raw": b"\x00"}, id="bytes stay bytes"),
        pytest.param({"big": 2**70}, id="an integer past 64 bits stays exact"),
        pytest.param({"tags": {"a", "b"}}, id="a set stays a set"),
    ],
)
def test_what_json_would_change_is_copied_as_copy_deepcopy_copies_it(value: Any) -> None:
    copied = deep_copy(value)

    assert copied == value
    assert copied is not value
    assert repr(copied) == repr(copy.deepcopy(value))
    assert [type(v) for v in copied.values()] == [type(v) for v in value.values()]
