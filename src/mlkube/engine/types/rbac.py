"""Roles, ClusterRoles and their bindings (rbac.authorization.k8s.io/v1), as kube-apiserver
v1.37 defaults and validates them.

Follows ``pkg/apis/rbac/v1/defaults.go`` (``SetDefaults_Subject``,
``SetDefaults_RoleBinding``, ``SetDefaults_ClusterRoleBinding``) and
``pkg/apis/rbac/validation/validation.go``. The escalation checks (a user may only grant
what they hold) are the authorizer's business, not validation's.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.api import validation as _v
from mlkube.api.field import FieldError, Path, Struct, invalid, not_supported, required
from mlkube.engine.types.strategy import BaseStrategy, register

__all__ = [
    "RBAC_GROUP",
    "ClusterRoleBindingStrategy",
    "ClusterRoleStrategy",
    "RoleBindingStrategy",
    "RoleStrategy",
    "default_binding",
    "validate_policy_rule",
    "validate_role_binding",
    "validate_subject",
]

Obj = dict[str, Any]

RBAC_GROUP: Final = "rbac.authorization.k8s.io"


def _rbac_name(name: str, prefix: bool) -> list[str]:
    """``ValidateRBACName``: a path segment name."""
    return _v.validate_path_segment_name(name, prefix)


def default_binding(obj: Obj) -> None:
    """``SetDefaults_RoleBinding``/``ClusterRoleBinding`` and ``SetDefaults_Subject``."""
    role_ref = obj.setdefault("roleRef", {})
    if not role_ref.get("apiGroup"):
        role_ref["apiGroup"] = RBAC_GROUP
    for subject in obj.get("subjects") or []:
        if (
            isinstance(subject, dict)
            and not subject.get("apiGroup")
            and subject.get("kind") in ("User", "Group")
        ):
            subject["apiGroup"] = RBAC_GROUP


def validate_policy_rule(rule: Obj, namespaced: bool, path: Path) -> list[FieldError]:
    """``ValidatePolicyRule``."""
    errs: list[FieldError] = []
    if not rule.get("verbs"):
        errs.append(required(path.child("verbs"), "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs") or []
    if urls:
        if namespaced:
            errs.append(
                invalid(
                    path.child("nonResourceURLs"),
                    urls,
                    "namespaced rules cannot apply to non-resource URLs",
                )
            )
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            errs.append(
                invalid(
                    path.child("nonResourceURLs"),
                    urls,
                    "rules cannot apply to both regular resources and non-resource URLs",
                )
            )
        return errs
    if not rule.get("apiGroups"):
        errs.append(
            required(path.child("apiGroups"), "resource rules must supply at least one api group")
        )
    if not rule.get("resources"):
        errs.append(
            required(path.child("resources"), "resource rules must supply at least one resource")
        )
    return errs


def validate_subject(subject: Obj, namespaced: bool, path: Path) -> list[FieldError]:
    """``ValidateRoleBindingSubject``."""
    errs: list[FieldError] = []
    name = str(subject.get("name") or "")
    api_group = str(subject.get("apiGroup") or "")
    kind = str(subject.get("kind") or "")
    if not name:
        errs.append(required(path.child("name"), ""))
    if kind == "ServiceAccount":
        if name:
            errs += [invalid(path.child("name"), name, m) for m in _v.is_dns1123_subdomain(name)]
        if api_group:
            errs.append(not_supported(path.child("apiGroup"), api_group, [""]))
        if not namespaced and not subject.get("namespace"):
            errs.append(required(path.child("namespace"), ""))
    elif kind in ("User", "Group"):
        if api_group != RBAC_GROUP:
            errs.append(not_supported(path.child("apiGroup"), api_group, [RBAC_GROUP]))
    else:
        errs.append(not_supported(path.child("kind"), kind, ["ServiceAccount", "User", "Group"]))
    return errs


def validate_role_binding(obj: Obj, namespaced: bool) -> list[FieldError]:
    """``ValidateRoleBinding``/``ValidateClusterRoleBinding`` without ObjectMeta."""
    errs: list[FieldError] = []
    role_ref = obj.get("roleRef") or {}
    api_group = str(role_ref.get("apiGroup") or "")
    if api_group != RBAC_GROUP:
        errs.append(not_supported(Path("roleRef", "apiGroup"), api_group, [RBAC_GROUP]))
    kind = str(role_ref.get("kind") or "")
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    if kind not in kinds:
        errs.append(not_supported(Path("roleRef", "kind"), kind, kinds))
    name = str(role_ref.get("name") or "")
    if not name:
        errs.append(required(Path("roleRef", "name"), ""))
    else:
        errs += [invalid(Path("roleRef", "name"), name, m) for m in _rbac_name(name, False)]
    for i, subject in enumerate(obj.get("subjects") or []):
        errs += validate_subject(subject or {}, namespaced, Path("subjects").index(i))
    return errs


def _role_ref_unchanged(new: Obj, old: Obj) -> list[FieldError]:
    new_ref = new.get("roleRef") or {}
    old_ref = old.get("roleRef") or {}
    keys = ("apiGroup", "kind", "name")
    if any((new_ref.get(k) or "") != (old_ref.get(k) or "") for k in keys):
        shown = Struct((k, new_ref.get(k) or "") for k in keys)  # rbac.RoleRef field order
        return [invalid(Path("roleRef"), shown, "cannot change roleRef")]
    return []


def _validate_rules(obj: Obj, namespaced: bool) -> list[FieldError]:
    errs: list[FieldError] = []
    for i, rule in enumerate(obj.get("rules") or []):
        errs += validate_policy_rule(rule or {}, namespaced, Path("rules").index(i))
    return errs


class RoleStrategy(BaseStrategy):
    """``pkg/registry/rbac/role/strategy.go``."""

    kind = "Role"
    api_version = "rbac.authorization.k8s.io/v1"

    def validate_name(self, name: str, prefix: bool) -> list[str]:
        return _rbac_name(name, prefix)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return _validate_rules(obj, True)


class ClusterRoleStrategy(BaseStrategy):
    """``pkg/registry/rbac/clusterrole/strategy.go``."""

    kind = "ClusterRole"
    api_version = "rbac.authorization.k8s.io/v1"
    namespaced = False

    def validate_name(self, name: str, prefix: bool) -> list[str]:
        return _rbac_name(name, prefix)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        errs = _validate_rules(obj, False)
        rule = obj.get("aggregationRule")
        if isinstance(rule, dict):
            selectors = rule.get("clusterRoleSelectors") or []
            path = Path("aggregationRule", "clusterRoleSelectors")
            if not selectors:
                errs.append(
                    required(
                        path,
                        "at least one clusterRoleSelector required if aggregationRule is non-nil",
                    )
                )
            for i, selector in enumerate(selectors):
                errs += _v.validate_label_selector(selector, path.index(i))
        return errs


class RoleBindingStrategy(BaseStrategy):
    """``pkg/registry/rbac/rolebinding/strategy.go``: the roleRef never changes."""

    kind = "RoleBinding"
    api_version = "rbac.authorization.k8s.io/v1"

    def validate_name(self, name: str, prefix: bool) -> list[str]:
        return _rbac_name(name, prefix)

    def default(self, obj: Obj) -> None:
        default_binding(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_role_binding(obj, True)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_role_binding(new, True) + _role_ref_unchanged(new, old)


class ClusterRoleBindingStrategy(BaseStrategy):
    """``pkg/registry/rbac/clusterrolebinding/strategy.go``."""

    kind = "ClusterRoleBinding"
    api_version = "rbac.authorization.k8s.io/v1"
    namespaced = False

    def validate_name(self, name: str, prefix: bool) -> list[str]:
        return _rbac_name(name, prefix)

    def default(self, obj: Obj) -> None:
        default_binding(obj)

    def validate_fields(self, obj: Obj) -> list[FieldError]:
        return validate_role_binding(obj, False)

    def validate_fields_update(self, new: Obj, old: Obj) -> list[FieldError]:
        return validate_role_binding(new, False) + _role_ref_unchanged(new, old)


register(RoleStrategy())
register(ClusterRoleStrategy())
register(RoleBindingStrategy())
register(ClusterRoleBindingStrategy())
