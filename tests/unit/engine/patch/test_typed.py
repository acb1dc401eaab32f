"""How server-side apply keys the items of an associative list (``_typed``'s walks).

structured-merge-diff ``keyedAssociativeListItemToPathElement``: a key the item omits is
the key field's schema default (kube-openapi's zero value for a required non-pointer field,
``Container.name: ""``), or is left out of the path element; only an item with no key at
all has no path element.
"""

from __future__ import annotations

from typing import Any

import pytest

from mlkube.api import schema
from mlkube.engine.patch import _typed
from mlkube.engine.patch import fieldpath as fp


def _pod_spec() -> schema.Schema:
    return schema.definition("io.k8s.api.core.v1.PodSpec")


#: A list keyed by ``a`` and ``b``, neither with a default.
_KEYED: schema.Schema = {
    "type": "array",
    "x-kubernetes-list-type": "map",
    "x-kubernetes-list-map-keys": ["a", "b"],
    "items": {"type": "object"},
}


@pytest.mark.parametrize(
    ("spec", "path"),
    [
        pytest.param(
            {"containers": [{"image": "busybox"}]},
            (fp.field("containers"), fp.key({"name": ""}), fp.field("image")),
            id="a container without a name is keyed by the empty name",
        ),
        pytest.param(
            {"imagePullSecrets": [{}]},
            (fp.field("imagePullSecrets"), fp.key({"name": ""})),
            id="an empty image pull secret is keyed by the empty name",
        ),
        pytest.param(
            {"containers": [{"name": "c", "ports": [{"protocol": "UDP"}]}]},
            (
                fp.field("containers"),
                fp.key({"name": "c"}),
                fp.field("ports"),
                fp.key({"containerPort": 0, "protocol": "UDP"}),
            ),
            id="a port without its number is keyed by port 0",
        ),
    ],
)
def test_an_item_missing_a_key_is_keyed_by_the_default(spec: dict[str, Any], path: fp.Path) -> None:
    assert path in _typed.to_field_set(spec, _pod_spec())


def test_a_missing_key_without_a_default_is_left_out_of_the_element() -> None:
    assert (fp.key({"a": 1}),) in _typed.to_field_set([{"a": 1}], _KEYED)


def test_an_item_with_no_key_at_all_is_a_typed_error() -> None:
    with pytest.raises(_typed.TypedError, match=r'omits all key fields \["a" "b"\]'):
        _typed.to_field_set([{"c": 1}], _KEYED)


def test_compare_and_merge_key_an_unnamed_container_as_the_same_item() -> None:
    lhs = {"containers": [{"image": "a"}]}
    rhs = {"containers": [{"name": "", "image": "b"}]}
    merged = _typed.merge(lhs, rhs, _pod_spec())
    assert merged == {"containers": [{"image": "b", "name": ""}]}
    diff = _typed.compare(lhs, rhs, _pod_spec())
    item = (fp.field("containers"), fp.key({"name": ""}))
    assert diff.modified == {(*item, fp.field("image"))}
    assert diff.added == {(*item, fp.field("name"))}
