"""The per-type rules the embedded API server applies on every write, as one contract.

kube-apiserver runs each write through the type's registry strategy: decode with the v1
defaulting functions, ``PrepareForCreate``/``PrepareForUpdate``, ``Validate``/
``ValidateUpdate``, and for the status subresource a second strategy that keeps the old
spec. This module states that contract as a :class:`Strategy` protocol, keeps the registry
``(apiVersion, kind) -> Strategy`` and gives :class:`BaseStrategy`, which implements the
parts every type shares (``k8s.io/apiserver/pkg/registry/rest/create.go`` and
``update.go``: generation, status preservation, ObjectMeta validation) so that each type
module states only its own rules (``pkg/registry/<group>/<type>/strategy.go``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from mlkube.api.field import FieldError
from mlkube.engine.types.meta import (
    NameValidator,
    name_is_dns1035_label,
    name_is_dns_label,
    name_is_dns_subdomain,
    validate_meta,
    validate_meta_update,
)
from mlkube.engine.wirecopy import deep_copy

__all__ = [
    "STRATEGIES",
    "BaseStrategy",
    "Strategy",
    "register",
    "spec_changed",
    "strategy_for",
]

Obj = dict[str, Any]

# Top-level keys that never count as "spec" for the generation rule.
_NOT_SPEC = frozenset({"apiVersion", "kind", "metadata", "status"})


@runtime_checkable
class Strategy(Protocol):
    """How one built-in type is defaulted, prepared and validated on every write.

    Objects are wire-form dicts (``dict[str, Any]`` as JSON decodes them). ``default``
    and the ``prepare_*`` methods mutate the object they are given in place and return
    ``None``; the ``validate*`` and ``warnings`` methods never mutate anything. ``old``
    objects are never mutated by any method.

    The caller (the store) runs, for a create: ``default``, ``prepare_for_create``,
    ``validate``; for an update of the main resource: ``default(new)``,
    ``prepare_for_update``, ``validate_update``; for an update of the ``status``
    subresource: ``default(new)``, ``prepare_for_status_update``,
    ``validate_status_update``. A non-empty error list becomes an ``Invalid`` error
    (``<Kind> "<name>" is invalid: ...``) raised by the caller, in the list's order.
    """

    @property
    def kind(self) -> str:
        """The kind, e.g. ``"Pod"``."""
        ...

    @property
    def api_version(self) -> str:
        """The group/version, e.g. ``"v1"`` or ``"batch/v1"``."""
        ...

    @property
    def namespaced(self) -> bool:
        """Whether objects of this kind live in a namespace."""
        ...

    @property
    def has_status(self) -> bool:
        """A ``status`` subresource exists: main-resource writes keep the old status and
        status writes keep everything but ``metadata`` and ``status`` from the old object."""
        ...

    @property
    def has_generation(self) -> bool:
        """``metadata.generation`` is 1 on create and grows by 1 on every update that
        changes anything but ``metadata`` and ``status``."""
        ...

    def default(self, obj: Obj) -> None:
        """Apply the v1 ``SetDefaults_*`` functions, as decoding does (also after patches)."""
        ...

    def prepare_for_create(self, obj: Obj) -> None:
        """The registry's ``PrepareForCreate``: reset status, set generation, etc."""
        ...

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        """The registry's ``PrepareForUpdate`` for writes to the main resource."""
        ...

    def prepare_for_status_update(self, new: Obj, old: Obj) -> None:
        """The status strategy's ``PrepareForUpdate``: keep the old spec."""
        ...

    def validate(self, obj: Obj) -> list[FieldError]:
        """The registry's ``Validate`` on create: every problem, in upstream order."""
        ...

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        """The registry's ``ValidateUpdate`` for writes to the main resource."""
        ...

    def validate_status_update(self, new: Obj, old: Obj) -> list[FieldError]:
        """The status strategy's ``ValidateUpdate``."""
        ...

    def warnings(self, obj: Obj) -> list[str]:
        """``WarningsOnCreate``: texts for the ``Warning`` header of a create."""
        ...

    def warnings_on_update(self, new: Obj, old: Obj) -> list[str]:
        """``WarningsOnUpdate``: texts for the ``Warning`` header of an update (pods: none)."""
        ...


STRATEGIES: dict[tuple[str, str], Strategy] = {}
"""Every registered strategy keyed by ``(apiVersion, kind)``."""


def register(strategy: Strategy) -> Strategy:
    """Add ``strategy`` to :data:`STRATEGIES` (a type module calls this at import)."""
    STRATEGIES[(strategy.api_version, strategy.kind)] = strategy
    return strategy


def strategy_for(api_version: str, kind: str) -> Strategy:
    """The strategy of ``(apiVersion, kind)``; ``KeyError`` if the type is not built in."""
    return STRATEGIES[(api_version, kind)]


def spec_changed(new: Obj, old: Obj) -> bool:
    """Whether anything but ``apiVersion``, ``kind``, ``metadata`` and ``status`` differs."""
    keys = (set(new) | set(old)) - _NOT_SPEC
    return any(new.get(k) != old.get(k) for k in keys)


class BaseStrategy:
    """The common parts of a registry strategy; subclasses set the class attributes and
    override the ``*_fields`` hooks (and ``default``/``initial_status``) they need.

    - create: ``metadata.generation = 1`` when ``has_generation``; ``status`` replaced by
      :meth:`initial_status` when ``has_status`` (``None`` keeps what was sent).
    - update: the old generation is kept (``rest.BeforeUpdate``) and bumped by one when
      ``has_generation`` and the spec changed; the old status is kept when ``has_status``.
    - status update: everything but ``metadata`` and ``status`` comes from the old object.
    - validation: ObjectMeta (with :attr:`name_validator`) first, then the type's fields.
    """

    kind: ClassVar[str] = ""
    api_version: ClassVar[str] = "v1"
    namespaced: ClassVar[bool] = True
    has_status: ClassVar[bool] = False
    has_generation: ClassVar[bool] = False
    name_validator: ClassVar[str] = "dns-subdomain"
    """The ``ValidateNameFunc``: one of ``dns-subdomain``, ``dns-label``, ``dns-1035-label``."""

    # --- defaulting and preparation -------------------------------------------------

    def default(self, obj: Obj) -> None:
        """No defaults unless the type has some."""

    def initial_status(self, obj: Obj) -> Obj | None:
        """The status a new object starts with (``{}`` by default); ``None`` keeps it."""
        del obj
        return {}

    def prepare_for_create(self, obj: Obj) -> None:
        if self.has_status:
            status = self.initial_status(obj)
            if status is not None:
                obj["status"] = status
        if self.has_generation:
            obj.setdefault("metadata", {})["generation"] = 1
        self.prepare_fields_for_create(obj)

    def prepare_fields_for_create(self, obj: Obj) -> None:
        """Type-specific ``PrepareForCreate`` steps (after status and generation)."""

    def prepare_for_update(self, new: Obj, old: Obj) -> None:
        meta = new.setdefault("metadata", {})
        old_generation = old.get("metadata", {}).get("generation")
        if old_generation is None:
            meta.pop("generation", None)
        else:
            meta["generation"] = old_generation
        if self.has_status:
            _copy_key(new, old, "status")
        self.prepare_fields_for_update(new, old)
        if self.has_generation and spec_changed(new, old):
            meta["generation"] = int(old_generation or 0) + 1

    def prepare_fields_for_update(self, new: Obj, old: Obj) -> None:
        """Type-specific ``PrepareForUpdate`` steps (before the generation bump)."""

    def prepare_for_status_update(self, new: Obj, old: Obj) -> None:
        meta = new.setdefault("metadata", {})
        old_generation = old.get("metadata", {}).get("generation")
        if old_generation is None:
            meta.pop("generation", None)
        else:
            meta["generation"] = old_generation
        for key in (set(new) | set(old)) - _NOT_SPEC:
            _copy_key(new, old, key)
        self.prepare_fields_for_status_update(new, old)

    def prepare_fields_for_status_update(self, new: Obj, old: Obj) -> None:
        """Type-specific steps of the status strategy's ``PrepareForUpdate``."""

    # --- validation -------------------------------------------------------------------

    def validate_name(self, name: str, prefix: bool) -> list[str]:
        """The type's ``ValidateNameFunc`` (chosen by :attr:`name_validator`)."""
        return _NAME_VALIDATORS[self.name_validator](name, prefix)

    def validate(self, obj: Obj) -> list[FieldError]:
        errs = validate_meta(
            obj.get("metadata") or {}, namespaced=self.namespaced, name_fn=self.validate_name
        )
        errs.extend(self.validate_fields(obj))
        return errs

    def validate_new_meta(self, obj: Obj) -> list[FieldError]:
        """The create-time ObjectMeta rules, for ``ValidateXUpdate`` functions that re-run
        ``ValidateX(new)`` (pods, services, config maps, secrets, claims, ...)."""
        return validate_meta(
            obj.get("metadata") or {}, namespaced=self.namespaced, name_fn=self.validate_name
        )

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        """Everything but ObjectMeta, on create (and, by default, on update)."""
        del obj
        return []

    def validate_update(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
        errs.extend(self.validate_fields_update(new, old))
        return errs

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        """Everything but ObjectMeta on update; by default the create rules on ``new``."""
        del old
        return self.validate_fields(new)

    def validate_status_update(self, new: Obj, old: Obj) -> list[FieldError]:
        errs = validate_meta_update(new.get("metadata") or {}, old.get("metadata") or {})
        errs.extend(self.validate_status_fields(new, old))
        return errs

    def validate_status_fields(self, new: Obj, old: Obj) -> list[FieldError]:
        """The status strategy's own rules (none by default)."""
        del new, old
        return []

    def warnings(self, obj: Obj) -> list[str]:
        del obj
        return []

    def warnings_on_update(self, new: Obj, old: Obj) -> list[str]:
        """By default the create warnings of the new object, as most registries do."""
        del old
        return self.warnings(new)


_NAME_VALIDATORS: dict[str, NameValidator] = {
    "dns-subdomain": name_is_dns_subdomain,
    "dns-label": name_is_dns_label,
    "dns-1035-label": name_is_dns1035_label,
}


def _copy_key(new: Obj, old: Obj, key: str) -> None:
    if key in old:
        new[key] = deep_copy(old[key])
    else:
        new.pop(key, None)
