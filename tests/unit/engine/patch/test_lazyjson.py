"""The patched JSON a 422 on ``patch`` shows, as ``evanphx/json-patch.v4`` writes it.

The library keeps a node's original bytes until the patch looks inside it: what the patch
touched is a Go map (sorted keys), what it did not keeps Go's encoding of the stored object
(struct fields in declaration order, map keys sorted), a value from the patch keeps the
client's order. Every expectation below was read off kube-apiserver v1.37.2.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from mlkube.api import schema
from mlkube.engine.patch.lazyjson import go_json, json_patch_text, merge_patch_text

DEPLOYMENT = schema.kind_schema("apps/v1", "Deployment")


def _deployment() -> dict[str, Any]:
    return {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": "web",
            "labels": {"z": "1", "a": "2"},
            "managedFields": [{"manager": "alice", "operation": "Update"}],
        },
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%"}},
            "template": {"spec": {"containers": [{"name": "main", "image": "busybox"}]}},
        },
    }


def _parsed(text: str | None) -> Any:
    assert text is not None
    return json.loads(text)


def test_a_merge_sorts_the_maps_it_touched_and_keeps_go_order_elsewhere() -> None:
    text = merge_patch_text(_deployment(), {"metadata": {"labels": {"q": True}}}, DEPLOYMENT)
    assert text == (
        '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"a":"2","q":true,'
        '"z":"1"},"managedFields":[{"manager":"alice","operation":"Update"}],"name":"web"},'
        '"spec":{"replicas":1,"strategy":{"type":"RollingUpdate","rollingUpdate":'
        '{"maxUnavailable":"25%"}},"template":{"spec":{"containers":[{"name":"main",'
        '"image":"busybox"}]}}}}'
    )


def test_a_merged_value_taken_whole_is_pruned_and_sorted() -> None:
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "m", "b": None, "a": 1}]}}}}
    text = merge_patch_text(_deployment(), patch, DEPLOYMENT)
    assert '"containers":[{"a":1,"name":"m"}]' in (text or "")


def test_a_patch_value_that_replaces_a_map_keeps_the_clients_order_and_nulls() -> None:
    text = merge_patch_text(
        _deployment(), {"spec": {"strategy": [{"z": 1, "a": None}]}}, DEPLOYMENT
    )
    assert '"strategy":[{"z":1,"a":null}]' in (text or "")


def test_a_merge_that_deletes_a_key_drops_it() -> None:
    assert (
        "labels"
        not in _parsed(merge_patch_text(_deployment(), {"metadata": {"labels": None}}, DEPLOYMENT))[
            "metadata"
        ]
    )


def test_a_json_patch_sorts_the_containers_on_its_path_only() -> None:
    ops = [{"op": "add", "path": "/spec/template/spec/containers/0/z", "value": {"y": 1, "x": 2}}]
    text = json_patch_text(_deployment(), ops, DEPLOYMENT) or ""
    assert '"containers":[{"image":"busybox","name":"main","z":{"y":1,"x":2}}]' in text
    assert '"strategy":{"type":"RollingUpdate","rollingUpdate"' in text
    assert '"labels":{"a":"2","z":"1"}' in text


def test_a_json_patch_test_op_parses_what_it_compares() -> None:
    stored = _deployment()
    ops = [{"op": "test", "path": "/spec/strategy", "value": stored["spec"]["strategy"]}]
    text = json_patch_text(stored, ops, DEPLOYMENT) or ""
    assert '"strategy":{"rollingUpdate":{"maxUnavailable":"25%"},"type":"RollingUpdate"}' in text


@pytest.mark.parametrize(
    ("ops", "expected"),
    [
        pytest.param(
            [{"op": "move", "from": "/metadata/labels", "path": "/metadata/annotations"}],
            '"metadata":{"annotations":{"a":"2","z":"1"},"managedFields"',
            id="a moved node keeps its bytes",
        ),
        pytest.param(
            [{"op": "copy", "from": "/spec/strategy", "path": "/metadata/x"}],
            '"x":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%"}}',
            id="a copied node is the bytes of its source",
        ),
        pytest.param(
            [{"op": "replace", "path": "/spec/replicas", "value": "2"}],
            '"spec":{"replicas":"2","strategy"',
            id="a replaced value is the client's",
        ),
        pytest.param(
            [{"op": "remove", "path": "/spec/template/spec/containers/0"}],
            '"template":{"spec":{"containers":[]}}',
            id="removing the last item leaves an empty array",
        ),
    ],
)
def test_json_patch_operations(ops: list[dict[str, Any]], expected: str) -> None:
    assert expected in (json_patch_text(_deployment(), ops, DEPLOYMENT) or "")


def test_go_escapes_html_characters_and_line_separators() -> None:
    assert (
        go_json({"a": "<&>\u2028\u2029é"}, None) == '{"a":"\\u003c\\u0026\\u003e\\u2028\\u2029é"}'
    )


def test_go_sorts_map_keys_and_omits_empty_lists_of_a_struct() -> None:
    node = schema.kind_schema("v1", "ConfigMap")
    cm = {"metadata": {"name": "c", "labels": {"z": "1", "a": "2"}, "finalizers": []}}
    assert go_json(cm, node) == '{"metadata":{"name":"c","labels":{"a":"2","z":"1"}}}'


def test_a_replay_that_cannot_follow_the_operations_answers_none() -> None:
    assert json_patch_text(_deployment(), [{"op": "remove", "path": "/nope/x"}], DEPLOYMENT) is None
    assert merge_patch_text(_deployment(), ["not", "an", "object"], DEPLOYMENT) is None
