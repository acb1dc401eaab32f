"""NamespaceLifecycle: no new objects in a missing or terminating namespace, and the
immortal namespaces cannot be deleted.

Follows ``apiserver/pkg/admission/plugin/namespace/lifecycle/admission.go``.
"""

from __future__ import annotations

from mlkube.api.registry import lookup
from mlkube.engine.admission.interface import AdmissionContext, Attributes, Operation, forbidden
from mlkube.engine.errors import Forbidden, NotFound

__all__ = ["IMMORTAL_NAMESPACES", "NAME", "NamespaceLifecycle"]

NAME = "NamespaceLifecycle"
IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})
MSG_MAY_NOT_BE_DELETED = "this namespace may not be deleted"
MSG_TERMINATING = "unable to create new content in namespace {ns} because it is being terminated"
_NAMESPACES = lookup("namespaces")


class NamespaceLifecycle:
    NAME = NAME

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        is_namespace = attrs.is_("", "namespaces", attrs.subresource)
        if (
            attrs.operation is Operation.DELETE
            and is_namespace
            and attrs.name in IMMORTAL_NAMESPACES
        ):
            raise Forbidden(attrs.resource, attrs.name, MSG_MAY_NOT_BE_DELETED)
        if not attrs.namespace or is_namespace or attrs.operation is Operation.DELETE:
            return
        namespace = ctx.get(_NAMESPACES, None, attrs.namespace)
        if namespace is None:
            raise NotFound(_NAMESPACES, attrs.namespace)
        if attrs.operation is not Operation.CREATE:
            return
        if namespace.get("status", {}).get("phase") == "Terminating":
            raise forbidden(
                attrs,
                MSG_TERMINATING.format(ns=attrs.namespace),
                causes=[
                    {
                        "reason": "NamespaceTerminating",
                        "message": f"namespace {attrs.namespace} is being terminated",
                        "field": "metadata.namespace",
                    }
                ],
            )

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        return
