"""The embedded cluster's store: kube-apiserver's storage layer, watch cache and etcd.

``Store(clock)`` is in memory; ``Store.open(path, clock=...)`` persists every commit to
SQLite. Verbs: ``create``, ``get``, ``list`` (``list_encoded``), ``update``, ``delete``
(``delete_result``), ``delete_collection``, ``watch``; see :mod:`.store` for the semantics
and the upstream files each follows.
"""

from mlkube.engine.store.listing import (
    CONTINUE_EXPIRED,
    INCONSISTENT_CONTINUE,
    LIST_EXPIRED,
    decode_continue,
    encode_continue,
)
from mlkube.engine.store.names import NAME_ALPHABET, generate_name
from mlkube.engine.store.persist import Synchronous
from mlkube.engine.store.store import (
    DEFAULT_WATCH_HISTORY,
    FINALIZER_DELETE_DEPENDENTS,
    FINALIZER_ORPHAN_DEPENDENTS,
    DeleteResult,
    EncodedList,
    ListResult,
    ResourceTypeLike,
    Store,
)
from mlkube.engine.store.watch import (
    ADDED,
    BOOKMARK,
    DELETED,
    INITIAL_EVENTS_END_ANNOTATION,
    MODIFIED,
    Event,
    Watch,
)

__all__ = [
    "ADDED",
    "BOOKMARK",
    "CONTINUE_EXPIRED",
    "DEFAULT_WATCH_HISTORY",
    "DELETED",
    "FINALIZER_DELETE_DEPENDENTS",
    "FINALIZER_ORPHAN_DEPENDENTS",
    "INCONSISTENT_CONTINUE",
    "INITIAL_EVENTS_END_ANNOTATION",
    "LIST_EXPIRED",
    "MODIFIED",
    "NAME_ALPHABET",
    "DeleteResult",
    "EncodedList",
    "Event",
    "ListResult",
    "ResourceTypeLike",
    "Store",
    "Synchronous",
    "Watch",
    "decode_continue",
    "encode_continue",
    "generate_name",
]
