"""list: key order, selectors, paging with continue tokens, resourceVersion semantics."""

from __future__ import annotations

import base64
import json
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlkube.engine.clock import FakeClock
from mlkube.engine.errors import ApiError, BadRequest, Gone, Invalid, Timeout
from mlkube.engine.store import (
    INCONSISTENT_CONTINUE,
    LIST_EXPIRED,
    ListResult,
    Store,
    encode_continue,
)

from .conftest import CONFIGMAPS, NODES, PODS, make_pod


def _names(result: ListResult) -> list[str]:
    return [i["metadata"]["name"] for i in result.items]


def _decode_token(token: str) -> dict[str, object]:
    out: dict[str, object] = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    return out


def test_an_empty_list_has_no_items_and_the_current_version(store: Store) -> None:
    store.create(NODES, {"metadata": {"name": "n"}})

    result = store.list(PODS)

    assert result == ([], "1", "", None)


def test_items_come_in_etcd_key_order_namespace_slash_name(store: Store) -> None:
    for ns, name in [("a", "z"), ("a-b", "x"), ("a", "b")]:
        store.create(PODS, make_pod(name, ns))

    keys = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in store.list(PODS).items]

    # "a-b/x" < "a/b" bytewise ('-' sorts before '/'), as etcd orders the keys.
    assert keys == [("a-b", "x"), ("a", "b"), ("a", "z")]


def test_list_items_carry_no_kind_or_api_version(store: Store) -> None:
    store.create(PODS, make_pod("a"))

    [item] = store.list(PODS).items

    assert "kind" not in item
    assert "apiVersion" not in item


def test_a_namespace_scopes_the_list(store: Store) -> None:
    store.create(PODS, make_pod("a", "ml"))
    store.create(PODS, make_pod("b", "ml-2"))

    assert _names(store.list(PODS, "ml")) == ["a"]


@pytest.mark.parametrize(
    ("selector", "names"),
    [
        pytest.param("app=web", ["a", "b"], id="an equality selector keeps the matching pods"),
        pytest.param("app!=web", ["c", "d"], id="an inequality selector keeps unlabelled pods"),
        pytest.param("app in (web,db)", ["a", "b", "c"], id="a set selector"),
        pytest.param("!app", ["d"], id="a does-not-exist selector"),
        pytest.param("app=web,tier=front", ["a"], id="terms are ANDed"),
        pytest.param("", ["a", "b", "c", "d"], id="an empty selector matches everything"),
    ],
)
def test_label_selectors(store: Store, selector: str, names: list[str]) -> None:
    store.create(PODS, make_pod("a", labels={"app": "web", "tier": "front"}))
    store.create(PODS, make_pod("b", labels={"app": "web"}))
    store.create(PODS, make_pod("c", labels={"app": "db"}))
    store.create(PODS, make_pod("d"))

    assert _names(store.list(PODS, label_selector=selector)) == names


@pytest.mark.parametrize(
    ("selector", "names"),
    [
        pytest.param("spec.nodeName=n1", ["a"], id="pods select by spec.nodeName"),
        pytest.param("spec.nodeName=", ["c"], id="an empty value selects unscheduled pods"),
        pytest.param("spec.host=n2", ["b"], id="spec.host is an alias of spec.nodeName"),
        pytest.param("status.phase!=Running", ["b", "c"], id="field inequality"),
        pytest.param("metadata.name=b", ["b"], id="every type selects by metadata.name"),
    ],
)
def test_field_selectors(store: Store, selector: str, names: list[str]) -> None:
    store.create(PODS, make_pod("a", node="n1", phase="Running"))
    store.create(PODS, make_pod("b", node="n2", phase="Pending"))
    store.create(PODS, make_pod("c"))

    assert _names(store.list(PODS, field_selector=selector)) == names


@pytest.mark.parametrize(
    ("label_selector", "field_selector", "message"),
    [
        pytest.param(
            None,
            "spec.bogus=x",
            "field label not supported: spec.bogus",
            id="an unsupported pod field is a bad request",
        ),
        pytest.param(
            "a=(",
            None,
            None,
            id="a malformed label selector is a bad request",
        ),
    ],
)
def test_bad_selectors_are_bad_requests(
    store: Store, label_selector: str | None, field_selector: str | None, message: str | None
) -> None:
    with pytest.raises(BadRequest) as info:
        store.list(PODS, label_selector=label_selector, field_selector=field_selector)

    assert info.value.code == 400
    if message is not None:
        assert str(info.value) == message


def test_an_unsupported_field_of_a_generic_type_names_the_supported_ones(store: Store) -> None:
    with pytest.raises(BadRequest) as info:
        store.list(CONFIGMAPS, field_selector="status.phase=x")

    assert str(info.value) == (
        '"status.phase" is not a known field selector: only "metadata.name", "metadata.namespace"'
    )


def test_paging_returns_limit_items_and_an_upstream_continue_token(store: Store) -> None:
    for name in "abcde":
        store.create(PODS, make_pod(name))

    page = store.list(PODS, "ml", limit=2)

    assert [i["metadata"]["name"] for i in page.items] == ["a", "b"]
    assert page.resource_version == "5"
    assert page.remaining_item_count == 3
    assert _decode_token(page.continue_) == {"v": "meta.k8s.io/v1", "rv": 5, "start": "b\x00"}
    assert "=" not in page.continue_


def test_an_all_namespaces_token_starts_at_namespace_slash_name(store: Store) -> None:
    store.create(PODS, make_pod("a", "x"))
    store.create(PODS, make_pod("b", "y"))

    page = store.list(PODS, limit=1)

    assert _decode_token(page.continue_)["start"] == "x/a\x00"


def test_the_pages_form_one_snapshot_despite_writes_between_them(store: Store) -> None:
    for name in "abcd":
        store.create(PODS, make_pod(name))
    first = store.list(PODS, "ml", limit=2)
    store.delete(PODS, "ml", "c")
    store.create(PODS, make_pod("bb"))
    d = store.get(PODS, "ml", "d")
    d["metadata"]["labels"] = {"late": "yes"}
    store.update(PODS, d)

    rest = store.list(PODS, "ml", limit=10, continue_=first.continue_)

    assert [i["metadata"]["name"] for i in rest.items] == ["c", "d"]
    assert rest.resource_version == first.resource_version
    assert rest.items[1]["metadata"].get("labels") is None
    assert rest.continue_ == ""
    assert rest.remaining_item_count is None


def test_the_last_page_has_no_continue(store: Store) -> None:
    for name in "ab":
        store.create(PODS, make_pod(name))

    page = store.list(PODS, "ml", limit=2)

    assert (page.continue_, page.remaining_item_count) == ("", None)


def test_a_filtered_page_has_no_remaining_count_but_continues(store: Store) -> None:
    for name in "abcd":
        store.create(PODS, make_pod(name, labels={"keep": "yes"} if name != "b" else None))

    page = store.list(PODS, "ml", limit=1, label_selector="keep=yes")
    rest = store.list(PODS, "ml", label_selector="keep=yes", continue_=page.continue_)

    assert [i["metadata"]["name"] for i in page.items] == ["a"]
    assert page.remaining_item_count is None
    assert [i["metadata"]["name"] for i in rest.items] == ["c", "d"]


def test_a_continue_token_is_issued_when_only_unmatched_keys_follow(store: Store) -> None:
    store.create(PODS, make_pod("a", labels={"keep": "yes"}))
    store.create(PODS, make_pod("b"))

    page = store.list(PODS, "ml", limit=1, label_selector="keep=yes")
    rest = store.list(PODS, "ml", limit=1, label_selector="keep=yes", continue_=page.continue_)

    assert page.continue_ != ""
    assert (rest.items, rest.continue_) == ([], "")


@given(limit=st.integers(min_value=1, max_value=12), count=st.integers(min_value=0, max_value=25))
@settings(max_examples=40, deadline=None)
def test_concatenated_pages_equal_the_full_list(limit: int, count: int) -> None:
    store = Store(FakeClock(), rng=random.Random(count))
    for i in range(count):
        store.create(PODS, make_pod(f"p{i}", random.Random(i).choice(["a", "b", "a-b"])))
    full = store.list(PODS).items

    pages, token = [], None
    while True:
        page = store.list(PODS, limit=limit, continue_=token)
        pages.extend(page.items)
        token = page.continue_
        if not token:
            break

    assert pages == full


@pytest.mark.parametrize(
    ("token", "message"),
    [
        pytest.param(
            "!!!",
            "invalid continue token: continue key is not valid: illegal base64 data at input "
            "byte 0",
            id="a token that is not base64url",
        ),
        pytest.param(
            base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":0,"start":"a"}')
            .decode()
            .rstrip("="),
            "invalid continue token: continue key is not valid: incorrect encoded start "
            "resourceVersion (version meta.k8s.io/v1)",
            id="a token without a resourceVersion",
        ),
        pytest.param(
            base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":3,"start":""}')
            .decode()
            .rstrip("="),
            "invalid continue token: continue key is not valid: encoded start key empty "
            "(version meta.k8s.io/v1)",
            id="a token without a start key",
        ),
        pytest.param(
            base64.urlsafe_b64encode(b'{"v":"v2","rv":3,"start":"a"}').decode().rstrip("="),
            "invalid continue token: continue key is not valid: server does not recognize this "
            "encoded version v2",
            id="a token of an unknown version",
        ),
        pytest.param(
            base64.urlsafe_b64encode(b'{"v":"meta.k8s.io/v1","rv":3,"start":"../../secrets/x"}')
            .decode()
            .rstrip("="),
            "invalid continue token: continue key is not valid: ../../secrets/x",
            id="a token whose start key climbs out of the prefix",
        ),
    ],
)
def test_invalid_continue_tokens_are_bad_requests(store: Store, token: str, message: str) -> None:
    store.create(PODS, make_pod("a"))

    with pytest.raises(BadRequest) as info:
        store.list(PODS, "ml", continue_=token)

    assert str(info.value) == message


def test_a_resource_version_with_continue_is_a_bad_request(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    token = store.list(PODS, limit=1).continue_

    with pytest.raises(BadRequest, match=r"^specifying resource version is not allowed"):
        store.list(PODS, continue_=token, resource_version="2")


def test_an_expired_continue_token_is_gone_with_a_fresh_inconsistent_token(
    clock: FakeClock,
) -> None:
    store = Store(clock, watch_history=2)
    for name in "abc":
        store.create(PODS, make_pod(name))
    token = store.list(PODS, "ml", limit=1).continue_
    for name in "xyz":
        store.create(PODS, make_pod(name))

    with pytest.raises(Gone) as info:
        store.list(PODS, "ml", limit=1, continue_=token)

    status = info.value.to_status()
    assert (status["code"], status["reason"], status["message"]) == (
        410,
        "Expired",
        INCONSISTENT_CONTINUE,
    )
    fresh = status["metadata"]["continue"]
    assert _decode_token(fresh) == {"v": "meta.k8s.io/v1", "rv": -1, "start": "a\x00"}
    rest = store.list(PODS, "ml", continue_=fresh)
    assert [i["metadata"]["name"] for i in rest.items] == ["b", "c", "x", "y", "z"]
    assert rest.resource_version == "6"


def test_a_list_at_an_exact_resource_version_sees_that_state(store: Store) -> None:
    a = store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    a["metadata"]["labels"] = {"v": "2"}
    store.update(PODS, a)
    store.delete(PODS, "ml", "b")
    store.create(PODS, make_pod("c"))

    at2 = store.list(PODS, resource_version="2", resource_version_match="Exact")

    assert at2.resource_version == "2"
    assert [(i["metadata"]["name"], i["metadata"].get("labels")) for i in at2.items] == [
        ("a", None),
        ("b", None),
    ]


def test_a_legacy_list_with_limit_and_resource_version_is_exact(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))

    page = store.list(PODS, resource_version="1", limit=5)

    assert [i["metadata"]["name"] for i in page.items] == ["a"]


def test_a_not_older_than_list_serves_the_latest_state(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))

    result = store.list(PODS, resource_version="1", resource_version_match="NotOlderThan")

    assert (result.resource_version, len(result.items)) == ("2", 2)


def test_an_exact_list_older_than_the_history_is_gone(clock: FakeClock) -> None:
    store = Store(clock, watch_history=1)
    for name in "abc":
        store.create(PODS, make_pod(name))

    with pytest.raises(Gone) as info:
        store.list(PODS, resource_version="1", resource_version_match="Exact")

    assert (info.value.reason, str(info.value)) == ("Expired", LIST_EXPIRED)


def test_a_list_from_the_future_times_out(store: Store) -> None:
    store.create(PODS, make_pod("a"))

    with pytest.raises(Timeout) as info:
        store.list(PODS, resource_version="9")

    assert str(info.value) == "Timeout: Too large resource version: 9, current: 1"
    assert info.value.code == 504


@pytest.mark.parametrize(
    ("resource_version", "match", "continue_", "message"),
    [
        pytest.param(
            "1",
            "Newest",
            None,
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: '
            '"Newest": supported values: "Exact", "NotOlderThan", ""',
            id="an unknown resourceVersionMatch",
        ),
        pytest.param(
            None,
            "NotOlderThan",
            None,
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            "resourceVersionMatch is forbidden unless resourceVersion is provided",
            id="a resourceVersionMatch without a resourceVersion",
        ),
        pytest.param(
            "0",
            "Exact",
            None,
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            'resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
            id="an exact match at resourceVersion 0",
        ),
        pytest.param(
            "1",
            "Exact",
            "token",
            'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: '
            "resourceVersionMatch is forbidden when continue is provided",
            id="a resourceVersionMatch with a continue token",
        ),
    ],
)
def test_invalid_list_options_are_422(
    store: Store, resource_version: str | None, match: str, continue_: str | None, message: str
) -> None:
    with pytest.raises(Invalid) as info:
        store.list(
            PODS,
            resource_version=resource_version,
            resource_version_match=match,
            continue_=continue_,
        )

    assert str(info.value) == message
    assert info.value.code == 422


def test_a_continue_token_with_resource_version_zero_is_allowed(store: Store) -> None:
    store.create(PODS, make_pod("a"))
    store.create(PODS, make_pod("b"))
    token = store.list(PODS, limit=1).continue_

    rest = store.list(PODS, continue_=token, resource_version="0")

    assert [i["metadata"]["name"] for i in rest.items] == ["b"]


def test_a_malformed_resource_version_is_a_server_error(store: Store) -> None:
    with pytest.raises(ApiError) as info:
        store.list(PODS, resource_version="abc")

    assert info.value.code == 500
    assert str(info.value) == (
        'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'
    )


def test_encode_continue_refuses_a_key_outside_the_prefix() -> None:
    with pytest.raises(ValueError, match="the key and key prefix do not match"):
        encode_continue("other/a\x00", "ml/", 3)
