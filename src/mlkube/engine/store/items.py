"""List items as bytes: stored encodings spliced into a List's ``items`` array.

Internal to :mod:`mlkube.engine.store`. A List's items carry no kind or apiVersion (the
List says them once), so :meth:`Store.list` decodes every object and drops both keys, and
a server encodes the dicts again: for 10,000 pods most of a list's time. The store writes
every object with kind and apiVersion first (:func:`.metadata.working_copy`), and the
encoder writes a dict's keys in order, so an item's encoding is its stored bytes after that
leading pair:
:func:`encoded_items` splices those, and decodes and encodes again only an object whose
bytes do not start with the pair (none the store wrote; kept so any stored form is right).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import msgspec

__all__ = ["encoded_items"]

_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.decode
_HIDDEN: Final = ("kind", "apiVersion")


def encoded_items(raws: Sequence[bytes], kind: str, api_version: str) -> bytes:
    """The JSON array of the objects ``raws`` (each one ``msgspec.json`` encoding of a
    dict) without their top-level ``kind`` and ``apiVersion``: byte for byte the encoding
    of the decoded objects with both keys removed."""
    lead = b'{"kind":' + _encode(kind) + b',"apiVersion":' + _encode(api_version) + b","
    n = len(lead)
    parts: list[bytes] = []
    for raw in raws:
        if raw.startswith(lead):
            parts.append(b"{" + raw[n:])
        else:
            parts.append(_reencoded(raw))
    return b"[" + b",".join(parts) + b"]"


def _reencoded(raw: bytes) -> bytes:
    obj: Any = _decode(raw)
    if isinstance(obj, dict):
        for key in _HIDDEN:
            obj.pop(key, None)
    return _encode(obj)
