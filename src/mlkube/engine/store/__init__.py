"""The embedded cluster's store: kube-apiserver's storage layer, watch cache and etcd.

``Store(clock)`` is in memory; ``Store.open(path, clock=...)`` persists every commit to
SQLite. Verbs: ``create``, ``get``, ``list`` (``list_encoded``), ``update``, ``delete``
(``delete_result``), ``delete_collection``, ``watch``; see :mod:`.store` for the semantics
and the upstream files each follows. The modules, one concept each:

* :mod:`.store`: the ``Store`` class: state, lock, commit, and the verbs around them;
* :mod:`.contract`: what it needs of a type and what list and delete return;
* :mod:`.metadata`: server-owned metadata: what a create sets and an update checks and keeps;
* :mod:`.deletion`: graceful deletion, GC finalizers, preconditions, delete-on-update;
* :mod:`.names`: ``generateName``;
* :mod:`.listing`: list options: selectors as a predicate, continue tokens, validation;
* :mod:`.paging`: one page of a list: its resourceVersion, the snapshot, its entries;
* :mod:`.items`: a List's items spliced from the stored bytes;
* :mod:`.bucket`: one resource's entries, change ring and watchers;
* :mod:`.watching`: what a new watcher is sent first, registration, bookmarks;
* :mod:`.watch`: the event stream a watcher holds;
* :mod:`.persist`: the SQLite file (the embedded etcd).
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
