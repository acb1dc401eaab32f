"""``list_encoded``: the bytes of a list's items, spliced, equal the decode/encode path's."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkube.engine.clock import FakeClock
from mlkube.engine.store import Store
from mlkube.engine.store.items import encoded_items

from .conftest import NODES, PODS, make_pod

_encode = msgspec.json.Encoder().encode

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats()
    | st.text(max_size=12)
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_extra = st.dictionaries(
    st.text(max_size=8).filter(lambda k: k not in ("metadata", "kind", "apiVersion")),
    _values,
    max_size=4,
)
_pods = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c", "d", "e", "f"]),
        st.sampled_from(["ml", "web"]),
        st.sampled_from(["train", "serve"]),
        st.sampled_from(["Pod", "", 'Odd"Kind', "Pöd"]),
        _extra,
    ),
    max_size=12,
)


def _fill(store: Store, pods: list[tuple[str, str, str, str, dict[str, Any]]]) -> None:
    for name, ns, app, kind, extra in pods:
        pod = make_pod(name, ns, labels={"app": app, "note": 'é\u2028"\\'})
        pod["kind"] = kind
        pod.update(extra)
        if store.list(PODS, ns, field_selector=f"metadata.name={name}").items:
            current = store.get(PODS, ns, name)
            current.update(extra)
            store.update(PODS, current)
        else:
            store.create(PODS, pod)


def _both(store: Store, namespace: str | None = None, **options: Any) -> tuple[bytes, bytes]:
    decoded = store.list(PODS, namespace, **options)
    spliced = store.list_encoded(PODS, namespace, **options)
    assert (spliced.resource_version, spliced.continue_, spliced.remaining_item_count) == (
        decoded.resource_version,
        decoded.continue_,
        decoded.remaining_item_count,
    )
    return spliced.items, _encode(decoded.items)


@given(pods=_pods)
@settings(max_examples=80, deadline=None)
def test_the_spliced_items_of_random_objects_are_the_bytes_of_the_encoded_decoded_items(
    pods: list[tuple[str, str, str, str, dict[str, Any]]],
) -> None:
    store = Store(FakeClock(), rng=random.Random(0))
    _fill(store, pods)
    for namespace in (None, "ml"):
        for options in (
            {},
            {"label_selector": "app=train"},
            {"field_selector": "metadata.name!=b"},
            {"limit": 2},
        ):
            spliced, encoded = _both(store, namespace, **options)
            assert spliced == encoded


@given(pods=_pods)
@settings(max_examples=30, deadline=None)
def test_pages_continue_tokens_and_older_resource_versions_splice_the_same_bytes(
    pods: list[tuple[str, str, str, str, dict[str, Any]]],
) -> None:
    store = Store(FakeClock(), rng=random.Random(0))
    store.create(PODS, make_pod("first"))
    _fill(store, pods[: len(pods) // 2])
    old_rv = store.list(PODS).resource_version
    _fill(store, pods[len(pods) // 2 :])
    spliced, encoded = _both(store, resource_version=old_rv, resource_version_match="Exact")
    assert spliced == encoded
    token: str | None = None
    while True:
        spliced, encoded = _both(store, limit=3, continue_=token)
        assert spliced == encoded
        token = store.list(PODS, limit=3, continue_=token).continue_ or None
        if token is None:
            break


def test_a_list_read_back_from_disk_splices_the_same_bytes(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "state.db", clock=FakeClock())
    for i in range(5):
        store.create(PODS, make_pod(f"p{i}", labels={"i": str(i)}))
    store.close()
    reopened = Store.open(tmp_path / "state.db", clock=FakeClock())
    spliced, encoded = _both(reopened)
    reopened.close()
    assert spliced == encoded
    assert len(msgspec.json.decode(spliced)) == 5


def test_a_cluster_scoped_list_splices_items_without_kind_and_api_version() -> None:
    store = Store(FakeClock())
    store.create(NODES, {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
    items = msgspec.json.decode(store.list_encoded(NODES).items)
    assert [sorted(item) for item in items] == [["metadata"]]


def test_an_empty_list_is_an_empty_array() -> None:
    assert Store(FakeClock()).list_encoded(PODS).items == b"[]"


@pytest.mark.parametrize(
    "obj",
    [
        {"kind": "Pod", "apiVersion": "v1", "spec": {"a": 1}},
        {"kind": "Pod", "apiVersion": "v1"},
        {"apiVersion": "v1", "kind": "Pod", "spec": {}},
        {"spec": {"kind": "Pod"}, "kind": "Pod", "apiVersion": "v1"},
        {"kind": "Job", "apiVersion": "batch/v1", "spec": {}},
        {"kind": "Pod", "apiVersion": "v1beta1", "x": "y"},
        {"metadata": {}},
    ],
    ids=[
        "kind and apiVersion first are cut from the bytes",
        "an object of only kind and apiVersion becomes an empty object",
        "apiVersion before kind is decoded and encoded again",
        "kind and apiVersion after other keys are decoded and encoded again",
        "another kind is decoded and encoded again",
        "another apiVersion is decoded and encoded again",
        "an object without kind or apiVersion is kept as it is",
    ],
)
def test_stored_bytes_in_any_key_order_give_the_items_a_decode_would(obj: dict[str, Any]) -> None:
    raw = _encode(obj)
    expected = {k: v for k, v in obj.items() if k not in ("kind", "apiVersion")}
    assert encoded_items([raw, raw], "Pod", "v1") == _encode([expected, expected])
