"""The ``scale`` subresource of Deployments, ReplicaSets and StatefulSets.

GET, PUT and PATCH on ``<resource>/scale`` read and write the object's ``spec.replicas``
through an ``autoscaling/v1`` Scale (``pkg/registry/apps/deployment/storage/storage.go``
ScaleREST and its siblings). The field manager tracks a write on the Scale, whose
managedFields come from the object's and go back to it (``ScaleHandler``,
:mod:`mlkube.engine.patch.scale`); the object is then written through the update pipeline
(:meth:`APIServer.write_update`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from mlkube.api import gojson
from mlkube.api.registry import ResourceType
from mlkube.engine import patch as _patch
from mlkube.engine.errors import ApiError, BadRequest, Conflict, Invalid, NotFound
from mlkube.engine.patch import scale as _patch_scale
from mlkube.engine.typecheck import check_patched_as
from mlkube.engine.wirecopy import deep_copy

if TYPE_CHECKING:
    from mlkube.engine.apiserver import APIServer

__all__ = ["get_scale", "patch_scale", "update_scale"]


def get_scale(server: APIServer, rt: ResourceType, namespace: str, name: str) -> dict[str, Any]:
    """GET <resource>/scale: the object's replicas as an ``autoscaling/v1`` Scale."""
    if not rt.has_subresource("scale"):
        raise NotFound(rt, name)
    return _scale_of(server.store.get(rt, namespace, name))


def update_scale(
    server: APIServer,
    rt: ResourceType,
    namespace: str,
    name: str,
    scale: Mapping[str, Any],
    *,
    dry_run: bool = False,
    field_manager: str | None = None,
    user_agent: str = "",
) -> dict[str, Any]:
    """PUT <resource>/scale: the field manager tracks the write on the Scale, whose
    managedFields come from the object's (``scalehandler.go``), then
    :func:`_write_scale`."""
    if not rt.has_subresource("scale"):
        raise NotFound(rt, name)
    obj = server.store.get(rt, namespace, name)
    old_scale = _scale_with_fields(obj)
    new_scale = deep_copy(dict(scale))
    meta = new_scale.get("metadata")
    new_scale["metadata"] = meta = dict(meta) if isinstance(meta, Mapping) else {}
    meta["managedFields"] = _patch.track_update(
        old_scale,
        new_scale,
        manager=_patch.default_manager(user_agent, field_manager),
        api_version=_patch_scale.SCALE_API_VERSION,
        kind=_patch_scale.SCALE_KIND,
        subresource="scale",
        now=server.clock.now(),
    )
    return _write_scale(server, rt, obj, new_scale, dry_run=dry_run)


def patch_scale(
    server: APIServer,
    rt: ResourceType,
    namespace: str,
    name: str,
    body: Any,
    patch_type: str,
    *,
    dry_run: bool = False,
    field_manager: str | None = None,
    force: bool = False,
    user_agent: str = "",
) -> dict[str, Any]:
    """PATCH <resource>/scale: the patch applies to the Scale, then as an update; a
    server-side apply merges into the Scale with the managedFields the object's become
    (``scalehandler.go``) and writes through :func:`_write_scale`."""
    media = patch_type.split(";", 1)[0].strip()
    if media == "application/apply-patch+yaml":
        if not field_manager:
            raise BadRequest("PATCH requests with apply content type must specify fieldManager")
        if not rt.has_subresource("scale"):
            raise NotFound(rt, name)
        obj = server.store.get(rt, namespace, name)
        applied = _patch.apply_patch(
            _scale_with_fields(obj),
            body,
            patch_type,
            api_version=_patch_scale.SCALE_API_VERSION,
            kind=_patch_scale.SCALE_KIND,
            manager=field_manager,
            now=server.clock.now(),
            force=force,
            subresource="scale",
        )
        return _write_scale(server, rt, obj, applied, dry_run=dry_run)
    current = get_scale(server, rt, namespace, name)
    if media in ("application/json-patch+json", "application/merge-patch+json"):
        if media == "application/json-patch+json":
            patched = _patch.json_patch(current, body)
        else:
            patched = _patch.merge_patch(current, body)
        if not gojson.decodes(_patch_scale.SCALE_API_VERSION, _patch_scale.SCALE_KIND, patched):
            # 422 on "patch", replayed on the Scale the field manager saw (managedFields too)
            check_patched_as(
                _patch_scale.SCALE_API_VERSION,
                _patch_scale.SCALE_KIND,
                _patch_scale.SCALE_SCHEMA,
                patched,
                media,
                live=_scale_with_fields(server.store.get(rt, namespace, name)),
                body=body,
            )
    elif media == "application/strategic-merge-patch+json":
        patched = _patch.strategic_merge_patch(
            current,
            body,
            api_version=_patch_scale.SCALE_API_VERSION,
            kind=_patch_scale.SCALE_KIND,
        )
    else:
        raise BadRequest(f"patch type {media} is not supported on the scale subresource")
    return update_scale(
        server,
        rt,
        namespace,
        name,
        patched,
        dry_run=dry_run,
        field_manager=field_manager,
        user_agent=user_agent,
    )


def _write_scale(
    server: APIServer,
    rt: ResourceType,
    obj: dict[str, Any],
    scale: Mapping[str, Any],
    *,
    dry_run: bool,
) -> dict[str, Any]:
    """``scaleUpdatedObjectInfo``: validate the new Scale, move its replicas,
    resourceVersion and managedFields (``ToParent``) to the object, and update it."""
    name = obj["metadata"].get("name", "")
    # autoscaling/v1 ScaleSpec.replicas is an omitempty int32: absent (or null) is 0
    spec = scale.get("spec")
    replicas = spec.get("replicas") if isinstance(spec, Mapping) else spec
    if replicas is None:
        replicas = 0
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        from mlkube.api.field import Path, invalid

        detail = "must be greater than or equal to 0"
        raise Invalid(
            "Scale.autoscaling", name, [invalid(Path("spec", "replicas"), replicas, detail)]
        )
    meta = scale.get("metadata") or {}
    rv = meta.get("resourceVersion")
    if rv and rv != obj["metadata"]["resourceVersion"]:
        raise Conflict(rt, name)
    new = deep_copy(obj)
    new.setdefault("spec", {})["replicas"] = replicas
    try:
        entries = _patch_scale.to_parent(
            obj["metadata"].get("managedFields"), meta.get("managedFields"), rt.api_version
        )
    except ValueError as err:
        raise ApiError(str(err), code=500, reason="") from None
    if entries:
        new["metadata"]["managedFields"] = entries
    else:
        new["metadata"].pop("managedFields", None)
    result = server.write_update(
        rt,
        new,
        obj,
        subresource="",
        dry_run=dry_run,
        manager="",
        warnings=[],
        managed_fields_done=True,
    )
    return _scale_of(result.object)


def _scale_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The ``autoscaling/v1`` Scale of a workload (``scaleFromDeployment`` and friends)."""
    from mlkube.api.labels import selector_from_label_selector

    meta = obj.get("metadata", {})
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    selector = spec.get("selector")
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            k: meta[k]
            for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
            if k in meta
        },
        # autoscaling/v1: spec.replicas and status.selector are omitempty
        "spec": {"replicas": spec["replicas"]} if spec.get("replicas") else {},
        "status": {
            "replicas": status.get("replicas", 0),
            **({"selector": str(selector_from_label_selector(selector))} if selector else {}),
        },
    }


def _scale_with_fields(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object's Scale carrying the managedFields ``ScaleHandler.ToSubresource`` gives."""
    scale = _scale_of(obj)
    try:
        entries = _patch_scale.to_subresource((obj.get("metadata") or {}).get("managedFields"))
    except ValueError as err:
        raise ApiError(str(err), code=500, reason="") from None
    if entries:
        scale["metadata"]["managedFields"] = entries
    return scale
