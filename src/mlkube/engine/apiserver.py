"""The embedded kube-apiserver's request handling: every verb, in kube-apiserver's order.

``server/`` turns HTTP into calls on :class:`APIServer`; controllers, the scheduler and the
kubelets call it directly, exactly as real components call the API server, so every write
passes the same decoding, defaulting, admission and validation. The steps follow
``apiserver/pkg/endpoints/handlers/{create,update,patch,delete}.go`` and
``apiserver/pkg/registry/generic/registry/store.go``:

create: 1. decode (kind, apiVersion, namespace, unknown fields), 2. default, 3. mutating
admission, 4. system fields and ``PrepareForCreate``, 5. ``generateName``, 6. validation,
7. validating admission, 8. managed fields, 9. store.

update and patch: 1. read the stored object, 2. the new object (the body, or the patch
applied to the stored object), 3. decode and default, 4. mutating admission,
5. ``PrepareForUpdate``, 6. validation, 7. validating admission, 8. managed fields,
9. store (an update that changes nothing writes nothing).
"""

from __future__ import annotations

import builtins
import copy
import random
from collections.abc import Callable, Mapping
from typing import Any

from mlkube.api import gojson
from mlkube.api import schema as _schema
from mlkube.api.registry import ResourceType, by_kind
from mlkube.api.timestamps import format_time
from mlkube.engine import binding as _binding
from mlkube.engine import patch as _patch
from mlkube.engine import scale as _scale
from mlkube.engine.admission import AdmissionChain, Attributes, Operation, default_chain
from mlkube.engine.clock import Clock
from mlkube.engine.errors import (
    AlreadyExists,
    BadRequest,
    MethodNotAllowed,
    NotFound,
)
from mlkube.engine.namespacedelete import delete_namespace, finalize_namespace
from mlkube.engine.outcomes import LOOPBACK_USER_AGENT, DeleteOutcome, WriteResult, raise_invalid
from mlkube.engine.store import DeleteResult, EncodedList, ListResult, Store, Watch, generate_name
from mlkube.engine.typecheck import check_body, check_patched
from mlkube.engine.types import Strategy, strategy_for
from mlkube.engine.wirecopy import deep_copy

__all__ = [
    "FIELD_VALIDATIONS",
    "APIServer",
    "DeleteOutcome",
    "WriteResult",
]

FIELD_VALIDATIONS = ("Ignore", "Warn", "Strict")

_NAMESPACE_MISMATCH = (
    "the namespace of the provided object does not match the namespace sent on the request"
)
_NAME_MISMATCH = "the name of the object ({body}) does not match the name on the URL ({url})"
_GENERATE_NAME_ATTEMPTS = 8
_RV_ON_CREATE = "resourceVersion should not be set on objects to be created"
#: DefaultGarbageCollectionPolicy: batch/v1 Jobs orphan their pods unless told otherwise.
_ORPHAN_BY_DEFAULT = frozenset({("batch", "jobs"), ("batch", "cronjobs")})
_SYSTEM_FIELDS = (
    "uid",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "resourceVersion",
    "selfLink",
)

PostCreateHook = Callable[["APIServer", ResourceType, dict[str, Any]], None]


class APIServer:
    """Every verb of the Kubernetes API over one :class:`Store`, without HTTP."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        admission: AdmissionChain | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.store = store
        self.clock = clock
        self.rng = rng or random.Random()
        self.admission = admission if admission is not None else default_chain(self.rng)
        self.post_create: builtins.list[PostCreateHook] = []
        self._ctx = _Context(self)

    # -- reads ----------------------------------------------------------------------

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any]:
        return self.store.get(rt, namespace if rt.namespaced else None, name)

    def list(self, rt: ResourceType, namespace: str | None = None, **options: Any) -> ListResult:
        return self.store.list(rt, namespace if rt.namespaced else None, **options)

    def list_encoded(
        self, rt: ResourceType, namespace: str | None = None, **options: Any
    ) -> EncodedList:
        """:meth:`list` with the items as the JSON bytes an encode of them would give."""
        return self.store.list_encoded(rt, namespace if rt.namespaced else None, **options)

    def watch(self, rt: ResourceType, namespace: str | None = None, **options: Any) -> Watch:
        return self.store.watch(rt, namespace if rt.namespaced else None, **options)

    # -- create ---------------------------------------------------------------------

    def create(
        self,
        rt: ResourceType,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str = "Warn",
        user_agent: str = "",
    ) -> WriteResult:
        """POST: create an object (``handlers/create.go``, ``store.go`` Create)."""
        # 1. decode
        new, warnings = self._decode(rt, obj, namespace, field_validation)
        if new["metadata"].get("resourceVersion"):
            raise BadRequest(_RV_ON_CREATE)
        manager = _patch.default_manager(user_agent, field_manager)
        return self._create_decoded(rt, new, warnings, dry_run=dry_run, manager=manager)

    def _create_decoded(
        self,
        rt: ResourceType,
        new: dict[str, Any],
        warnings: builtins.list[str],
        *,
        dry_run: bool,
        manager: str,
        applied_fields: builtins.list[dict[str, Any]] | None = None,
    ) -> WriteResult:
        """Steps 2-9 of a create, for a decoded body (POST, or an apply that creates)."""
        strategy = self._strategy(rt)
        meta = new["metadata"]
        for key in _SYSTEM_FIELDS:
            meta.pop(key, None)
        meta.pop("managedFields", None)
        # 2. default
        strategy.default(new)
        # 3. mutating admission (a generateName create has no name yet)
        attrs = self._attrs(Operation.CREATE, rt, new, None, dry_run=dry_run)
        self.admission.admit(attrs, self._ctx)
        # RetryGenerateName: a generated name that collides is generated again, and the
        # create runs again from PrepareForCreate (store.go createWithGenerateNameRetry).
        generated = not new["metadata"].get("name") and bool(new["metadata"].get("generateName"))
        admitted = new
        for attempt in range(_GENERATE_NAME_ATTEMPTS):
            new = deep_copy(admitted)
            try:
                stored, extra = self._create_admitted(
                    rt,
                    strategy,
                    new,
                    attrs,
                    dry_run=dry_run,
                    manager=manager,
                    applied_fields=applied_fields,
                )
                break
            except AlreadyExists:
                if not generated or attempt == _GENERATE_NAME_ATTEMPTS - 1:
                    raise
        warnings += extra
        if not dry_run:
            for hook in self.post_create:
                hook(self, rt, stored)
        return WriteResult(stored, warnings, created=True)

    def _create_admitted(
        self,
        rt: ResourceType,
        strategy: Strategy,
        new: dict[str, Any],
        attrs: Attributes,
        *,
        dry_run: bool,
        manager: str,
        applied_fields: builtins.list[dict[str, Any]] | None,
    ) -> tuple[dict[str, Any], builtins.list[str]]:
        """Steps 4-9 of a create; returns the stored object and the validation warnings."""
        warnings: builtins.list[str] = []
        attrs.obj = new
        # 4. system fields and the generated name (RetryGenerateName resolves it before
        # PrepareForCreate; a Job's selector and labels need its uid and name)
        meta = new.setdefault("metadata", {})
        meta["uid"] = _uuid4(self.rng)
        meta["creationTimestamp"] = format_time(self.clock.now())
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = generate_name(meta["generateName"], self.rng)
        # 5. PrepareForCreate
        strategy.prepare_for_create(new)
        # 6. validation
        raise_invalid(rt, meta.get("name", ""), strategy.validate(new))
        warnings += strategy.warnings(new)
        # 7. validating admission, with the final name
        attrs.name = meta.get("name", "")
        self.admission.validate(attrs, self._ctx)
        # 8. managed fields
        if applied_fields is not None:
            _set_managed_fields(meta, applied_fields)
        else:
            _set_managed_fields(
                meta,
                _patch.track_update(
                    None,
                    new,
                    manager=manager,
                    operation="Update",
                    subresource="",
                    api_version=rt.api_version,
                    now=self.clock.now(),
                ),
            )
        # 9. store
        stored = self.store.create(rt, new, dry_run=dry_run, keep_uid=True)
        return stored, warnings

    # -- update ---------------------------------------------------------------------

    def update(
        self,
        rt: ResourceType,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        name: str | None = None,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str | None = None,
        field_validation: str = "Warn",
        user_agent: str = "",
    ) -> WriteResult:
        """PUT: replace an object, its status, its scale or (namespaces) its finalizers
        (``handlers/update.go``)."""
        if subresource == "scale":
            meta = obj.get("metadata") or {}
            ns = namespace or meta.get("namespace") or ""
            scale = self.update_scale(
                rt,
                ns,
                name or meta.get("name", ""),
                obj,
                dry_run=dry_run,
                field_manager=field_manager,
                user_agent=user_agent,
            )
            return WriteResult(scale)
        new, warnings = self._decode(rt, obj, namespace, field_validation)
        url_name = name or new["metadata"].get("name", "")
        body_name = new["metadata"].get("name", "")
        if body_name and url_name and body_name != url_name:
            raise BadRequest(_NAME_MISMATCH.format(body=body_name, url=url_name))
        new["metadata"]["name"] = url_name
        old = self.store.get(rt, new["metadata"].get("namespace"), url_name)
        return self.write_update(
            rt,
            new,
            old,
            subresource=subresource,
            dry_run=dry_run,
            manager=_patch.default_manager(user_agent, field_manager),
            warnings=warnings,
        )

    def update_status(self, rt: ResourceType, obj: Mapping[str, Any], **kwargs: Any) -> WriteResult:
        """PUT on the status subresource."""
        return self.update(rt, obj, subresource="status", **kwargs)

    # -- patch ----------------------------------------------------------------------

    def patch(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        body: Any,
        patch_type: str,
        *,
        subresource: str = "",
        dry_run: bool = False,
        field_manager: str | None = None,
        force: bool = False,
        field_validation: str = "Warn",
        user_agent: str = "",
    ) -> WriteResult:
        """PATCH with any of the four patch types (``handlers/patch.go``); server-side apply
        creates the object when it does not exist."""
        ns = namespace if rt.namespaced else None
        if subresource == "scale":
            scale = self.patch_scale(
                rt,
                ns or "",
                name,
                body,
                patch_type,
                dry_run=dry_run,
                field_manager=field_manager,
                force=force,
                user_agent=user_agent,
            )
            return WriteResult(scale)
        is_apply = patch_type.startswith("application/apply-patch")
        try:
            old: dict[str, Any] | None = self.store.get(rt, ns, name)
        except NotFound:
            if not is_apply or subresource:
                raise
            old = None
        if is_apply and not field_manager:
            raise BadRequest("PATCH requests with apply content type must specify fieldManager")
        manager = (
            field_manager
            if is_apply and field_manager
            else _patch.default_manager(user_agent, field_manager)
        )
        patched = _patch.apply_patch(
            old,
            body,
            patch_type,
            api_version=rt.api_version,
            kind=rt.kind,
            manager=manager,
            now=self.clock.now(),
            force=force,
            field_validation=field_validation,
            subresource=subresource,
        )
        check_patched(rt, patched, patch_type, live=old, body=body)
        patched.setdefault("metadata", {}).setdefault("name", name)
        if rt.namespaced and ns:
            patched["metadata"].setdefault("namespace", ns)
        new, warnings = self._decode(rt, patched, ns, field_validation)
        if old is None:
            applied = copy.deepcopy(new["metadata"].get("managedFields") or [])
            return self._create_decoded(
                rt, new, warnings, dry_run=dry_run, manager=manager, applied_fields=applied
            )
        return self.write_update(
            rt,
            new,
            old,
            subresource=subresource,
            dry_run=dry_run,
            manager=manager,
            warnings=warnings,
            managed_fields_done=is_apply,
        )

    def write_update(
        self,
        rt: ResourceType,
        new: dict[str, Any],
        old: dict[str, Any],
        *,
        subresource: str,
        dry_run: bool,
        manager: str,
        warnings: builtins.list[str],
        managed_fields_done: bool = False,
    ) -> WriteResult:
        strategy = self._strategy(rt)
        if subresource == "finalize" and (rt.group, rt.plural) == ("", "namespaces"):
            return finalize_namespace(self, rt, new, old, dry_run=dry_run)
        if subresource not in ("", "status"):
            raise MethodNotAllowed(rt, "update")
        if subresource == "status" and not strategy.has_status:
            raise NotFound(rt, new["metadata"].get("name", ""))
        name = new["metadata"].get("name", "")
        if not new["metadata"].get("resourceVersion"):
            # AllowUnconditionalUpdate: an update without a resourceVersion applies to
            # whatever is stored (every built-in type mlkube serves allows it).
            new["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"]
        # 3. defaults (decoding applies them to every body and patch result)
        strategy.default(new)
        # 4. mutating admission
        attrs = self._attrs(
            Operation.UPDATE, rt, new, old, subresource=subresource, dry_run=dry_run
        )
        self.admission.admit(attrs, self._ctx)
        # 5. PrepareForUpdate
        if subresource == "status":
            strategy.prepare_for_status_update(new, old)
            errors = strategy.validate_status_update(new, old)
        else:
            strategy.prepare_for_update(new, old)
            errors = strategy.validate_update(new, old)
        # 6. validation
        raise_invalid(rt, name, errors)
        warnings += strategy.warnings_on_update(new, old)
        # 7. validating admission
        self.admission.validate(attrs, self._ctx)
        # 8. managed fields
        if not managed_fields_done:
            _set_managed_fields(
                new["metadata"],
                _patch.track_update(
                    old,
                    new,
                    manager=manager,
                    operation="Update",
                    subresource=subresource,
                    api_version=rt.api_version,
                    now=self.clock.now(),
                ),
            )
        # 9. store
        stored = self.store.update(rt, new, dry_run=dry_run)
        return WriteResult(stored, warnings)

    # -- delete ---------------------------------------------------------------------

    def delete(
        self,
        rt: ResourceType,
        namespace: str | None,
        name: str,
        *,
        grace_period_seconds: int | None = None,
        propagation_policy: str | None = None,
        orphan_dependents: bool | None = None,
        preconditions: Mapping[str, Any] | None = None,
        dry_run: bool = False,
    ) -> DeleteOutcome:
        """DELETE (``handlers/delete.go``, ``store.go`` Delete, ``rest.BeforeDelete``)."""
        ns = namespace if rt.namespaced else None
        old = self.store.get(rt, ns, name)
        attrs = self._attrs(Operation.DELETE, rt, None, old, dry_run=dry_run)
        attrs.name = name
        self.admission.admit(attrs, self._ctx)
        self.admission.validate(attrs, self._ctx)
        if (rt.group, rt.plural) == ("", "namespaces"):
            return delete_namespace(self, rt, old, dry_run=dry_run)
        graceful, grace = self._graceful(rt, old, grace_period_seconds)
        default_policy = "Orphan" if (rt.group, rt.plural) in _ORPHAN_BY_DEFAULT else "Background"
        result: DeleteResult = self.store.delete_result(
            rt,
            ns,
            name,
            preconditions=preconditions,
            propagation_policy=propagation_policy,
            grace_period_seconds=grace,
            orphan_dependents=orphan_dependents,
            dry_run=dry_run,
            graceful=graceful,
            default_propagation_policy=default_policy,
        )
        return DeleteOutcome(result.object, result.deleted)

    def _graceful(
        self, rt: ResourceType, obj: Mapping[str, Any], requested: int | None
    ) -> tuple[bool, int | None]:
        """``CheckGracefulDelete``: only pods delete gracefully; an unscheduled or finished
        pod goes at once."""
        if (rt.group, rt.plural) != ("", "pods"):
            return False, None
        spec, status = obj.get("spec", {}), obj.get("status", {})
        period = (
            requested if requested is not None else spec.get("terminationGracePeriodSeconds", 0)
        )
        if not spec.get("nodeName") or status.get("phase") in ("Succeeded", "Failed"):
            period = 0
        return True, int(period or 0)

    def delete_collection(
        self,
        rt: ResourceType,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        field_selector: str | None = None,
        **options: Any,
    ) -> builtins.list[DeleteOutcome]:
        """DELETE on a collection: each match deleted with the same options."""
        items = self.list(
            rt, namespace, label_selector=label_selector, field_selector=field_selector
        ).items
        out: builtins.list[DeleteOutcome] = []
        for item in items:
            meta = item["metadata"]
            try:
                out.append(self.delete(rt, meta.get("namespace"), meta["name"], **options))
            except NotFound:
                continue
        return out

    # -- subresources (each in its own module) ---------------------------------------

    def bind(self, namespace: str, name: str, binding: Mapping[str, Any]) -> dict[str, Any]:
        """POST pods/binding: assign a pod to a node (:mod:`mlkube.engine.binding`)."""
        return _binding.bind(self, namespace, name, binding)

    def get_scale(self, rt: ResourceType, namespace: str, name: str) -> dict[str, Any]:
        """GET <resource>/scale: an ``autoscaling/v1`` Scale (:mod:`mlkube.engine.scale`)."""
        return _scale.get_scale(self, rt, namespace, name)

    def update_scale(
        self, rt: ResourceType, namespace: str, name: str, scale: Mapping[str, Any], **kw: Any
    ) -> dict[str, Any]:
        """PUT <resource>/scale (:func:`mlkube.engine.scale.update_scale`)."""
        return _scale.update_scale(self, rt, namespace, name, scale, **kw)

    def patch_scale(
        self, rt: ResourceType, namespace: str, name: str, body: Any, patch_type: str, **kw: Any
    ) -> dict[str, Any]:
        """PATCH <resource>/scale (:func:`mlkube.engine.scale.patch_scale`)."""
        return _scale.patch_scale(self, rt, namespace, name, body, patch_type, **kw)

    def evict(
        self,
        namespace: str,
        name: str,
        eviction: Mapping[str, Any],
        *,
        dry_run: bool = False,
        user_agent: str = "",
    ) -> DeleteOutcome:
        """POST pods/eviction: delete the pod unless its PodDisruptionBudget forbids it
        (:mod:`mlkube.engine.eviction`)."""
        from mlkube.engine.eviction import evict

        return evict(self, namespace, name, eviction, dry_run=dry_run, user_agent=user_agent)

    # -- helpers --------------------------------------------------------------------

    def _strategy(self, rt: ResourceType) -> Strategy:
        try:
            return strategy_for(rt.api_version, rt.kind)
        except KeyError:
            raise MethodNotAllowed(rt, "create") from None

    def _decode(
        self,
        rt: ResourceType,
        obj: Mapping[str, Any],
        namespace: str | None,
        field_validation: str,
    ) -> tuple[dict[str, Any], builtins.list[str]]:
        """Check what a body says about itself and drop (or refuse) unknown fields."""
        if field_validation not in FIELD_VALIDATIONS:
            raise BadRequest(
                f"fieldValidation invalid value: {field_validation}; "
                'the fieldValidation query parameter must be one of "Ignore", "Warn", or "Strict"'
            )
        if not isinstance(obj, Mapping):
            raise BadRequest("the body of the request was in an unknown format")
        new = deep_copy(dict(obj))
        api_version, kind = new.get("apiVersion"), new.get("kind")
        if api_version and api_version != rt.api_version:
            raise BadRequest(
                f"the API version in the data ({api_version}) does not match the expected "
                f"API version ({rt.api_version})"
            )
        if kind and kind != rt.kind:
            raise BadRequest(
                f"the kind in the data ({kind}) does not match the expected kind ({rt.kind})"
            )
        new["apiVersion"], new["kind"] = rt.api_version, rt.kind
        # A malformed quantity stops Go's decoding (reported after the metadata checks);
        # any other value of the wrong JSON type fails it too. Most bodies have neither,
        # which one walk tells; the others are walked again for the message.
        bad_quantity: str | None = None
        if not gojson.decodes(rt.api_version, rt.kind, new):
            bad_quantity = _schema.quantity_error(rt.api_version, rt.kind, new)
            if bad_quantity is None:
                check_body(rt, new)
        meta = new.get("metadata")
        if meta is None:
            meta = new["metadata"] = {}
        elif not isinstance(meta, dict):
            raise BadRequest("metadata must be an object")
        if rt.namespaced:
            body_ns = meta.get("namespace")
            if namespace and body_ns and body_ns != namespace:
                raise BadRequest(_NAMESPACE_MISMATCH)
            if namespace:
                meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)
        if bad_quantity is not None:
            raise BadRequest(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                f"{bad_quantity}"
            )
        unknown = _schema.clean_body(rt.api_version, rt.kind, new)
        if unknown and field_validation == "Strict":
            # handlers/create.go: a body that does not decode is "<Kind> in version "<v>"
            # cannot be handled as a <Kind>: <decoding error>".
            detail = "strict decoding error: " + ", ".join(f'unknown field "{p}"' for p in unknown)
            raise BadRequest(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {detail}'
            )
        warnings = [f'unknown field "{p}"' for p in unknown] if field_validation == "Warn" else []
        return new, warnings

    def _attrs(
        self,
        op: Operation,
        rt: ResourceType,
        obj: dict[str, Any] | None,
        old: dict[str, Any] | None,
        *,
        subresource: str = "",
        dry_run: bool = False,
    ) -> Attributes:
        source = obj if obj is not None else old or {}
        meta = source.get("metadata", {})
        return Attributes(
            operation=op,
            resource=rt,
            namespace=meta.get("namespace", "") if rt.namespaced else "",
            name=meta.get("name", ""),
            obj=obj,
            old=old,
            subresource=subresource,
            dry_run=dry_run,
        )


def _set_managed_fields(meta: dict[str, Any], entries: builtins.list[dict[str, Any]]) -> None:
    """``metadata.managedFields`` is ``omitempty``: an object nobody owns a field of has none."""
    if entries:
        meta["managedFields"] = entries
    else:
        meta.pop("managedFields", None)


def _uuid4(rng: random.Random) -> str:
    import uuid

    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


class _Context:
    """The cluster as admission plugins read it: straight from the store."""

    def __init__(self, server: APIServer) -> None:
        self._server = server

    def now(self) -> Any:
        return self._server.clock.now()

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> dict[str, Any] | None:
        try:
            return self._server.store.get(rt, namespace if rt.namespaced else None, name)
        except NotFound:
            return None

    def list(self, rt: ResourceType, namespace: str | None) -> list[dict[str, Any]]:
        return self._server.store.list(rt, namespace if rt.namespaced else None).items

    def update_status(self, rt: ResourceType, obj: dict[str, Any]) -> dict[str, Any]:
        """A status write of the server's own (quota usage charged by admission), through
        the loopback client as upstream's quota accessor makes it: a full update."""
        return self._server.update_status(rt, obj, user_agent=LOOPBACK_USER_AGENT).object


def resource_for(obj: Mapping[str, Any]) -> ResourceType:
    """The served type of an object, from its ``apiVersion`` and ``kind``."""
    try:
        return by_kind(str(obj.get("apiVersion", "")), str(obj.get("kind", "")))
    except LookupError:
        raise BadRequest(
            f'no matches for kind "{obj.get("kind")}" in version "{obj.get("apiVersion")}"'
        ) from None
