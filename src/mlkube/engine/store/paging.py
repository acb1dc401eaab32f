"""One page of a list: the resourceVersion it reads at, the snapshot there, its entries.

Internal to :mod:`mlkube.engine.store`; ``Store.list`` and ``Store.list_encoded`` call
:func:`select_page` under the store's lock and only decode or splice what it selects.
It follows the watch cache (``k8s.io/apiserver/pkg/storage/cacher``,
``storage.PrepareContinueToken``):

1. the list's resourceVersion: a ``continue`` token's own, or the one ``resourceVersion``
   and ``resourceVersionMatch`` ask for (:func:`list_rv`): 410 when older than the ring,
   504 when newer than the store;
2. the bucket as it was there (:func:`view_at`, rolled back through the ring);
3. at most ``limit`` matching entries in key order from the token's start key;
   ``continue`` is set when any key (matching or not) follows the last returned one,
   ``remainingItemCount`` only when nothing is filtered.

The token's format and the list options' validation are :mod:`.listing`'s.
"""

from __future__ import annotations

import bisect
from typing import Final, TypeAlias

from mlkube.engine.errors import BadRequest, Gone, Timeout
from mlkube.engine.store.bucket import Bucket, Entry, View, matches
from mlkube.engine.store.listing import (
    LIST_EXPIRED,
    Predicate,
    decode_continue,
    encode_continue,
    expired_continue,
)
from mlkube.engine.store.metadata import parse_rv

__all__ = ["Page", "list_rv", "select_page", "view_at"]

_RV_WITH_CONTINUE: Final = "specifying resource version is not allowed when using continue"


#: The entries of a list, its resourceVersion, continue token and remaining count (a plain
#: tuple: a list builds one per call, and a NamedTuple's constructor costs more).
Page: TypeAlias = tuple[list[Entry], int, str, int | None]


def select_page(
    bucket: Bucket,
    current: int,
    pred: Predicate,
    prefix: str,
    limit: int | None,
    continue_: str | None,
    resource_version: str | None,
    resource_version_match: str | None,
) -> Page:
    """The page a list of ``bucket`` returns while the store is at ``current``.

    ``prefix`` is the key prefix of the list's scope (``"ns/"``, or ``""`` for all); the
    caller holds the store's lock.
    """
    if limit is not None and limit <= 0:
        limit = None
    start = prefix
    # 1. the list's resourceVersion
    if continue_:
        if resource_version and resource_version != "0":
            raise BadRequest(_RV_WITH_CONTINUE)
        start, token_rv = decode_continue(continue_, prefix)
        if token_rv < 0:
            rv = current
        elif token_rv < bucket.floor:
            raise expired_continue(start, prefix)
        elif token_rv > current:
            raise Timeout.too_large_resource_version(token_rv, current)
        else:
            rv = token_rv
    else:
        rv = list_rv(bucket, current, resource_version, resource_version_match, limit)
    # 2. the snapshot at it
    view = view_at(bucket, rv)
    # 3. one page of it
    lo = bisect.bisect_left(view.keys, start)
    hi = bisect.bisect_left(view.keys, prefix[:-1] + "0", lo) if prefix else len(view.keys)
    selected: list[Entry] = []
    last_key = ""
    i = lo
    while i < hi:
        key = view.keys[i]
        entry = view.get(key)
        i += 1
        if pred.filters and not matches(pred, entry):
            continue
        selected.append(entry)
        last_key = key
        if limit is not None and len(selected) >= limit:
            break
    has_more = limit is not None and len(selected) >= limit and i < hi
    token = ""
    remaining: int | None = None
    if has_more:
        token = encode_continue(last_key + "\x00", prefix, rv)
        if not pred.filters:
            remaining = hi - i
    return selected, rv, token, remaining


def list_rv(
    bucket: Bucket,
    current: int,
    resource_version: str | None,
    match: str | None,
    limit: int | None,
) -> int:
    """The resourceVersion a list without a continue token reads at.

    Unset or ``"0"``: the latest. ``N`` newer than the store: 504. ``N`` with ``match``
    ``Exact`` (or, legacy, no match and a ``limit``): N itself, 410 when older than the
    ring; otherwise the latest.
    """
    n = parse_rv(resource_version)
    if not resource_version or n == 0:
        return current
    if n > current:
        raise Timeout.too_large_resource_version(n, current)
    exact = match == "Exact" or (not match and limit is not None)
    if not exact:
        return current
    if n < bucket.floor:
        raise Gone(LIST_EXPIRED)
    return n


def view_at(bucket: Bucket, rv: int) -> View:
    """The bucket's objects as they were at ``rv`` (rolled back through the ring)."""
    overrides: dict[str, Entry | None] = {}
    for change in reversed(bucket.ring):
        if change.event.resource_version <= rv:
            break
        overrides[change.key] = change.prev
    if not overrides:
        return View(bucket.sorted_keys(), bucket.objects, None)
    keys = sorted(
        {k for k in bucket.objects if k not in overrides}
        | {k for k, e in overrides.items() if e is not None}
    )
    return View(keys, bucket.objects, overrides)
