"""The text of a merge- or JSON-patched object, byte for byte as kube-apiserver prints it.

A merge or JSON patch whose result does not decode into the kind's Go type is a 422 on the
field ``patch`` whose value is the patched JSON (``handlers/patch.go``
``applyPatchToCurrentObject``). That JSON is what ``gopkg.in/evanphx/json-patch.v4`` wrote,
and the library is lazy: it reads the current object (Go's encoding: struct fields in
declaration order, map keys sorted, managedFields included) into a map of nodes that keep
their original bytes until the patch looks inside them. A node the patch looked inside is
re-encoded as a Go map (keys sorted); a node it never touched keeps its bytes (Go's field
order); a value taken from the patch keeps the client's key order. This module replays the
library's walk over :class:`_Lazy` nodes (a port of ``lazyNode``, ``merge.go`` and the
operations of ``patch.go``) to learn which is which, and writes the result as
``encoding/json`` writes it (compact, ``<``, ``>``, ``&``, U+2028 and U+2029 escaped).

Known limit: a number in the patch body is written from its decoded value, so ``1e3`` or
``1.50`` in the request comes back as ``1000.0`` and ``1.5`` where Go keeps the client's
digits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from mlkube.api import schema as _schema
from mlkube.api.schema import Schema

__all__ = ["go_json", "json_patch_text", "merge_patch_text"]

_RAW: Final = 0
_DOC: Final = 1
_ARY: Final = 2

_ESCAPES: Final = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028"}


class _Lazy:
    """``lazyNode``: a raw value until :meth:`into_doc` / :meth:`into_ary` parse it.

    ``raw`` is the decoded value; ``go`` says it came from the current object (written in
    Go's order: map keys sorted by the schema ``node``) rather than from the client.
    """

    __slots__ = ("ary", "doc", "go", "node", "raw", "which")

    def __init__(self, raw: Any, node: Schema | None = None, *, go: bool = False) -> None:
        self.raw = raw
        self.node = node
        self.go = go
        self.which = _RAW
        self.doc: dict[str, _Lazy | None] = {}
        self.ary: list[_Lazy | None] = []

    def _child(self, name: str) -> Schema | None:
        return _schema.child_schema(self.node, name) if self.node is not None else None

    def _item(self) -> Schema | None:
        return _schema.item_schema(self.node) if self.node is not None else None

    def into_doc(self) -> dict[str, _Lazy | None] | None:
        if self.which == _DOC:
            return self.doc
        if not isinstance(self.raw, dict):
            return None
        items = _go_items(self.raw, self.node) if self.go else self.raw.items()
        self.doc = {
            k: None if v is None else _Lazy(v, self._child(k), go=self.go) for k, v in items
        }
        self.which = _DOC
        return self.doc

    def into_ary(self) -> list[_Lazy | None] | None:
        if self.which == _ARY:
            return self.ary
        if not isinstance(self.raw, list):
            return None
        item = self._item()
        self.ary = [None if v is None else _Lazy(v, item, go=self.go) for v in self.raw]
        self.which = _ARY
        return self.ary


# --- writing ---------------------------------------------------------------------------------


def _string(text: str) -> str:
    out = json.dumps(text, ensure_ascii=False)
    if any(c in out for c in "<>&\u2028\u2029"):
        for char, escaped in _ESCAPES.items():
            out = out.replace(char, escaped)
        out = out.replace("\u2029", "\\u2029")
    return out


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return json.dumps(value)


def _is_map(node: Schema | None) -> bool:
    """A Go map (encoded with sorted keys), not a struct (declaration order)."""
    if node is None:
        return False
    resolved = _schema.resolve(node)
    return "properties" not in resolved and isinstance(
        resolved.get("additionalProperties"), Mapping
    )


def _go_items(value: Mapping[str, Any], node: Schema | None) -> list[tuple[str, Any]]:
    """The members Go writes: a map's in key order; a struct's in field order, without an
    empty list or map (``omitempty``) unless the field has no ``omitempty``."""
    if _is_map(node):
        return sorted(value.items())
    if node is None or "properties" not in _schema.resolve(node):
        return list(value.items())
    out = []
    for k, v in value.items():
        if isinstance(v, list | dict) and not v:
            child = _schema.child_schema(node, k)
            empty_is_omitted = isinstance(v, list) or (child is not None and _is_map(child))
            if empty_is_omitted and not (child or {}).get("x-mlkube-not-omitempty"):
                continue
        out.append((k, v))
    return out


def _raw(value: Any, node: Schema | None, go: bool) -> str:
    if isinstance(value, dict):
        items = _go_items(value, node) if go else list(value.items())
        parts = []
        for k, v in items:
            child = _schema.child_schema(node, k) if go and node is not None else None
            parts.append(f"{_string(k)}:{_raw(v, child, go)}")
        return "{" + ",".join(parts) + "}"
    if isinstance(value, list):
        item = _schema.item_schema(node) if go and node is not None else None
        return "[" + ",".join(_raw(v, item, go) for v in value) + "]"
    return _scalar(value)


def _write(n: _Lazy | None) -> str:
    if n is None:
        return "null"
    if n.which == _DOC:
        return _write_doc(n.doc)
    if n.which == _ARY:
        return _write_ary(n.ary)
    return _raw(n.raw, n.node, n.go)


def _write_doc(doc: Mapping[str, _Lazy | None]) -> str:
    return "{" + ",".join(f"{_string(k)}:{_write(doc[k])}" for k in sorted(doc)) + "}"


def _write_ary(ary: list[_Lazy | None]) -> str:
    return "[" + ",".join(_write(v) for v in ary) + "]"


def go_json(value: Any, node: Schema | None) -> str:
    """``value`` as Go encodes its typed object (struct order kept, map keys sorted)."""
    return _raw(value, node, True)


# --- merge patch (merge.go) ------------------------------------------------------------------


def _prune_nulls(n: _Lazy) -> None:
    doc = n.into_doc()
    if doc is not None:
        _prune_doc_nulls(doc)
        return
    ary = n.into_ary()
    if ary is not None:
        for v in ary:
            if v is not None:
                _prune_nulls(v)


def _prune_doc_nulls(doc: dict[str, _Lazy | None]) -> None:
    for k, v in list(doc.items()):
        if v is None:
            del doc[k]
        else:
            _prune_nulls(v)


def _merge(cur: _Lazy, patch: _Lazy) -> _Lazy:
    cur_doc = cur.into_doc()
    if cur_doc is None:
        _prune_nulls(patch)
        return patch
    patch_doc = patch.into_doc()
    if patch_doc is None:
        return patch
    _merge_docs(cur_doc, patch_doc)
    return cur


def _merge_docs(doc: dict[str, _Lazy | None], patch: Mapping[str, _Lazy | None]) -> None:
    for k, v in patch.items():
        if v is None:
            doc.pop(k, None)
            continue
        cur = doc.get(k)
        if cur is None:
            _prune_nulls(v)
            doc[k] = v
        else:
            doc[k] = _merge(cur, v)


def _client_doc(patch: Mapping[str, Any]) -> dict[str, _Lazy | None]:
    return {k: None if v is None else _Lazy(v) for k, v in patch.items()}


def merge_patch_text(original: Mapping[str, Any], patch: Any, node: Schema | None) -> str | None:
    """What ``jsonpatch.MergePatch`` writes for ``patch`` on ``original``; ``None`` for a
    patch that is not an object (the library then writes the patch itself)."""
    if not isinstance(patch, dict):
        return None
    root = _Lazy(dict(original), node, go=True)
    doc = root.into_doc()
    assert doc is not None
    _merge_docs(doc, _client_doc(patch))
    return _write_doc(doc)


# --- JSON patch (patch.go) -------------------------------------------------------------------


class _Failed(Exception):
    """An operation this replay cannot follow (the real patch succeeded, so: never)."""


_Container = dict[str, "_Lazy | None"] | list["_Lazy | None"]


def _decode_key(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def _find_object(root: _Container, path: str) -> tuple[_Container, str]:
    split = path.split("/")
    if len(split) < 2:
        raise _Failed(path)
    doc: _Container = root
    for part in split[1:-1]:
        nxt = _get(doc, _decode_key(part))
        if nxt is None:
            raise _Failed(path)
        parsed = nxt.into_ary() if isinstance(nxt.raw, list) else nxt.into_doc()
        if parsed is None:
            raise _Failed(path)
        doc = parsed
    return doc, _decode_key(split[-1])


def _index(ary: list[_Lazy | None], key: str, size: int) -> int:
    try:
        idx = int(key)
    except ValueError:
        raise _Failed(key) from None
    if idx < 0:
        idx += size
    if not 0 <= idx < size:
        raise _Failed(key)
    return idx


def _get(con: _Container, key: str) -> _Lazy | None:
    if isinstance(con, dict):
        return con.get(key)
    return con[_index(con, key, len(con))]


def _add(con: _Container, key: str, val: _Lazy | None) -> None:
    if isinstance(con, dict):
        con[key] = val
    elif key == "-":
        con.append(val)
    else:
        con.insert(_index(con, key, len(con) + 1), val)


def _remove(con: _Container, key: str) -> None:
    if isinstance(con, dict):
        del con[key]
    else:
        del con[_index(con, key, len(con))]


def _set(con: _Container, key: str, val: _Lazy | None) -> None:
    if isinstance(con, dict):
        con[key] = val
    else:
        con[_index(con, key, len(con))] = val


def _try(n: _Lazy) -> bool:
    return n.into_doc() is not None or n.into_ary() is not None


def _equal(n: _Lazy, o: _Lazy) -> bool:
    """``lazyNode.equal``, for its side effect: both sides are parsed as deep as they match."""
    if n.which == _RAW and not _try(n):
        return o.which == _RAW and _raw(n.raw, None, False) == _raw(o.raw, None, False)
    if n.which == _DOC:
        if o.which == _RAW and o.into_doc() is None:
            return False
        if o.which != _DOC or len(n.doc) != len(o.doc):
            return False
        for k, v in n.doc.items():
            if k not in o.doc:
                return False
            ov = o.doc[k]
            if (v is None) != (ov is None):
                return False
            if v is not None and ov is not None and not _equal(v, ov):
                return False
        return True
    if o.which != _ARY and o.into_ary() is None:
        return False
    if len(n.ary) != len(o.ary):
        return False
    for v, ov in zip(n.ary, o.ary, strict=True):
        if v is None or ov is None:
            if v is not ov:
                return False
        elif not _equal(v, ov):
            return False
    return True


def _value(op: Mapping[str, Any]) -> _Lazy | None:
    return _Lazy(op["value"]) if "value" in op else None


def _apply_op(root: _Container, op: Mapping[str, Any]) -> _Container:
    kind, path = op.get("op"), str(op.get("path", ""))
    if kind == "replace" and path == "":
        val = _value(op)
        if val is None:
            raise _Failed(path)
        doc = val.into_doc()
        if doc is not None:
            return doc
        ary = val.into_ary()
        if ary is None:
            raise _Failed(path)
        return ary
    if kind == "test" and path == "":
        self = _Lazy(None)
        if isinstance(root, dict):
            self.doc, self.which = root, _DOC
        else:
            self.ary, self.which = root, _ARY
        val = _value(op)
        if val is not None:
            _equal(self, val)
        return root
    if kind in ("move", "copy"):
        src, src_key = _find_object(root, str(op.get("from", "")))
        moved = _get(src, src_key)
        if kind == "move":
            _remove(src, src_key)
        elif moved is not None:
            moved = _Lazy(json.loads(_write(moved)))  # deepCopy: the node's bytes, re-read
        con, key = _find_object(root, path)
        _add(con, key, moved)
        return root
    con, key = _find_object(root, path)
    if kind == "add":
        _add(con, key, _value(op))
    elif kind == "remove":
        _remove(con, key)
    elif kind == "replace":
        _get(con, key)
        _set(con, key, _value(op))
    elif kind == "test":
        current, val = _get(con, key), _value(op)
        if current is not None and val is not None:
            _equal(current, val)
    else:
        raise _Failed(str(kind))
    return root


def json_patch_text(original: Mapping[str, Any], ops: Any, node: Schema | None) -> str | None:
    """What ``Patch.Apply`` writes for the operations ``ops`` on ``original``; ``None`` when
    the replay cannot follow them (the caller then writes the patched object itself)."""
    if not isinstance(ops, list):
        return None
    root_node = _Lazy(dict(original), node, go=True)
    root: _Container | None = root_node.into_doc()
    assert root is not None
    try:
        for op in ops:
            if not isinstance(op, Mapping):
                return None
            root = _apply_op(root, op)
    except (_Failed, IndexError, KeyError):
        return None
    return _write_doc(root) if isinstance(root, dict) else _write_ary(root)
