"""What the core/v1 kind modules share: the wire-form aliases and :class:`GoValue`.

It exists so that the Namespace/Node and Service modules print Go structs in their errors
the same way. Follows ``pkg/apis/core/validation/validation.go``, whose errors carry
internal structs that ``encoding/json`` prints.
"""

from __future__ import annotations

from typing import Any

from mlkube.api.field import FieldError

__all__ = ["Errs", "GoValue", "Obj"]

Obj = dict[str, Any]
Errs = list[FieldError]


class GoValue:
    """A bad value holding an internal Go struct, printed as ``encoding/json`` prints it:
    exported field names, declaration order (internal types have no json tags)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __str__(self) -> str:
        return self.text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoValue) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)
