"""Field selectors: parse, match and print them, and the fields each resource offers.

``fieldSelector`` on lists and watches (``kubectl get events --field-selector
involvedObject.name=x``, the kubelet's ``spec.nodeName=<node>``) must accept, reject and
match exactly what kube-apiserver does; this module is that one implementation.

Follows, at v1.37:

- ``k8s.io/apimachinery/pkg/fields/selector.go`` (terms, escaping, ``ParseSelector``,
  ``Transform``) and ``requirements.go``;
- the field label conversion funcs that decide which fields a kind accepts:
  ``pkg/apis/core/v1/conversion.go`` (Pod, Node, ReplicationController, Event, Namespace,
  Secret, Service), ``pkg/apis/batch/v1/conversion.go`` (Job),
  ``pkg/apis/certificates/*/conversion.go`` (CertificateSigningRequest,
  ClusterTrustBundle), and ``runtime.DefaultMetaV1FieldSelectorConversion`` for every
  other kind;
- the field sets the stores match against: ``ToSelectableFields`` / ``GetAttrs`` in
  ``pkg/registry/*/*/strategy.go`` and ``generic.ObjectMetaFieldsSet``.

The apiserver applies the conversion with ``Selector.Transform`` and turns its error
into a 400 BadRequest whose message is the error text, which :func:`check_supported`
returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "CLUSTER_SCOPED",
    "EQUALS",
    "NOT_EQUALS",
    "SUPPORTED_FIELDS",
    "FieldRequirement",
    "FieldSelector",
    "FieldSelectorError",
    "check_supported",
    "convert_field_selector",
    "escape_value",
    "everything",
    "field_set",
    "nothing",
    "parse_field_selector",
    "selector_from_set",
    "unescape_value",
]

EQUALS: Final = "="
NOT_EQUALS: Final = "!="


class FieldSelectorError(ValueError):
    """A field selector kube-apiserver would reject; ``str()`` is upstream's text."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True, slots=True)
class FieldRequirement:
    """``fields.Requirement``: ``field`` ``operator`` (``=`` or ``!=``) ``value``."""

    field: str
    operator: str
    value: str

    def matches(self, fields: Mapping[str, str]) -> bool:
        """``hasTerm`` / ``notHasTerm``: a missing field reads as ``""``."""
        have = fields.get(self.field, "")
        return have == self.value if self.operator == EQUALS else have != self.value

    def __str__(self) -> str:
        return f"{self.field}{self.operator}{escape_value(self.value)}"


class FieldSelector:
    """``fields.Selector``: terms ANDed, in the order the parser sorted them."""

    __slots__ = ("_nothing", "_reqs")

    def __init__(self, requirements: Iterable[FieldRequirement] = (), *, _nothing: bool = False):
        self._reqs: tuple[FieldRequirement, ...] = tuple(requirements)
        self._nothing = _nothing

    def requirements(self) -> tuple[FieldRequirement, ...]:
        """``Selector.Requirements()``."""
        return self._reqs

    def matches(self, fields: Mapping[str, str]) -> bool:
        """True when every term matches; :func:`nothing` matches nothing."""
        if self._nothing:
            return False
        return all(r.matches(fields) for r in self._reqs)

    def empty(self) -> bool:
        """True when the selector restricts nothing."""
        return not self._nothing and not self._reqs

    def requires_exact_match(self, name: str) -> str | None:
        """``RequiresExactMatch``: the value of the first ``name=value`` term."""
        for r in self._reqs:
            if r.field == name and r.operator == EQUALS:
                return r.value
        return None

    def transform(self, fn: Callable[[str, str], tuple[str, str]]) -> FieldSelector:
        """``Selector.Transform``: map each term; terms mapped to ``("", "")`` drop out.

        ``fn`` raises :class:`FieldSelectorError` to reject a term.
        """
        if self._nothing:
            return self
        out: list[FieldRequirement] = []
        for r in self._reqs:
            f, v = fn(r.field, r.value)
            if f or v:
                out.append(FieldRequirement(f, r.operator, v))
        return FieldSelector(out)

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._reqs)

    def __repr__(self) -> str:
        return "FieldSelector(<nothing>)" if self._nothing else f"FieldSelector({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, FieldSelector)
            and self._nothing == other._nothing
            and self._reqs == other._reqs
        )

    def __hash__(self) -> int:
        return hash((self._nothing, self._reqs))


_EVERYTHING: Final = FieldSelector()
_NOTHING: Final = FieldSelector(_nothing=True)


def everything() -> FieldSelector:
    """``fields.Everything()``."""
    return _EVERYTHING


def nothing() -> FieldSelector:
    """``fields.Nothing()``."""
    return _NOTHING


def selector_from_set(fields: Mapping[str, str] | None) -> FieldSelector:
    """``fields.SelectorFromSet``: ``k=v`` for each pair (in key order here)."""
    if fields is None:
        return _EVERYTHING
    return FieldSelector(FieldRequirement(k, EQUALS, fields[k]) for k in sorted(fields))


# --- escaping -------------------------------------------------------------------------


def escape_value(s: str) -> str:
    """``EscapeValue``: ``\\`` -> ``\\\\``, ``,`` -> ``\\,``, ``=`` -> ``\\=``."""
    return s.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


def unescape_value(s: str) -> str:
    """``UnescapeValue``, raising :class:`FieldSelectorError` as upstream errors."""
    if not any(c in s for c in "\\,="):
        return s
    out: list[str] = []
    in_slash = False
    for c in s:
        if in_slash:
            if c in "\\,=":
                out.append(c)
            else:
                raise FieldSelectorError(f"invalid field selector: invalid escape sequence: \\{c}")
            in_slash = False
            continue
        if c == "\\":
            in_slash = True
        elif c in ",=":
            # Go prints the rune with %v: its code point in decimal.
            raise FieldSelectorError(
                f"invalid field selector: unescaped character in value: {ord(c)}"
            )
        else:
            out.append(c)
    if in_slash:
        raise FieldSelectorError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _split_terms(selector: str) -> list[str]:
    if not selector:
        return []
    terms: list[str] = []
    start = 0
    in_slash = False
    for i, c in enumerate(selector):
        if in_slash:
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c == ",":
            terms.append(selector[start:i])
            start = i + 1
    terms.append(selector[start:])
    return terms


_TERM_OPERATORS: Final = ("!=", "==", "=")


def _split_term(term: str) -> tuple[str, str, str] | None:
    for i in range(len(term)):
        rest = term[i:]
        for op in _TERM_OPERATORS:
            if rest.startswith(op):
                return term[:i], op, term[i + len(op) :]
    return None


def _sort_key(term: str) -> bytes:
    return term.encode("utf-8", "surrogatepass")  # Go sorts strings bytewise


def parse_field_selector(selector: str) -> FieldSelector:
    """``fields.ParseSelector``: ``f=v``, ``f==v``, ``f!=v`` terms joined by ``,``.

    Terms are sorted as raw strings before parsing; ``==`` reads as ``=``; a term whose
    field and value are both empty is dropped. Whitespace is not trimmed.
    """
    reqs: list[FieldRequirement] = []
    for part in sorted(_split_terms(selector), key=_sort_key):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise FieldSelectorError(f"invalid selector: '{selector}'; can't understand '{part}'")
        lhs, op, rhs = split
        value = unescape_value(rhs)
        reqs.append(FieldRequirement(lhs, NOT_EQUALS if op == "!=" else EQUALS, value))
    return FieldSelector(reqs).transform(lambda f, v: (f, v))


# --- what each resource accepts --------------------------------------------------------

_META: Final = frozenset({"metadata.name", "metadata.namespace"})

SUPPORTED_FIELDS: Final[Mapping[str, frozenset[str]]] = {
    "pods": _META
    | {
        "spec.nodeName",
        "spec.restartPolicy",
        "spec.schedulerName",
        "spec.serviceAccountName",
        "spec.hostNetwork",
        "status.phase",
        "status.podIP",
        "status.podIPs",
        "status.nominatedNodeName",
    },
    "nodes": frozenset({"metadata.name", "spec.unschedulable"}),
    "replicationcontrollers": _META | {"status.replicas"},
    "events": _META
    | {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type",
    },
    "namespaces": frozenset({"metadata.name", "status.phase"}),
    "secrets": _META | {"type"},
    "services": _META | {"spec.clusterIP", "spec.type"},
    "jobs": _META | {"status.successful"},
    "certificatesigningrequests": frozenset({"metadata.name", "spec.signerName"}),
    "clustertrustbundles": frozenset({"metadata.name", "spec.signerName"}),
}
"""Field labels each resource's conversion func accepts; any other resource: metadata only.

``events`` is the core/v1 Event. Nodes, namespaces, CSRs and ClusterTrustBundles do not
accept ``metadata.namespace``. ReplicaSets match ``status.replicas`` in their store but
``apps/v1`` registers no conversion func, so the apiserver only accepts the metadata
fields for them.
"""

_FIELD_ALIASES: Final[Mapping[str, Mapping[str, str]]] = {
    "pods": {"spec.host": "spec.nodeName"},  # old v1 clients
}

_NOT_SUPPORTED_FOR: Final[Mapping[str, str]] = {"jobs": "Job"}

CLUSTER_SCOPED: Final = frozenset(
    {
        "nodes",
        "namespaces",
        "persistentvolumes",
        "certificatesigningrequests",
        "clustertrustbundles",
        "storageclasses",
        "csidrivers",
        "csinodes",
        "volumeattachments",
        "priorityclasses",
        "runtimeclasses",
        "clusterroles",
        "clusterrolebindings",
        "customresourcedefinitions",
        "apiservices",
        "mutatingwebhookconfigurations",
        "validatingwebhookconfigurations",
        "validatingadmissionpolicies",
        "validatingadmissionpolicybindings",
        "ingressclasses",
        "ipaddresses",
        "servicecidrs",
        "deviceclasses",
        "resourceslices",
        "flowschemas",
        "prioritylevelconfigurations",
        "componentstatuses",
    }
)
"""Cluster-scoped resources: their field set has no ``metadata.namespace``."""


def _convert(resource: str, label: str, value: str) -> tuple[str, str]:
    supported = SUPPORTED_FIELDS.get(resource)
    if supported is None:
        if label in _META:
            return label, value
        raise FieldSelectorError(
            f'"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"'
        )
    alias = _FIELD_ALIASES.get(resource, {}).get(label)
    if alias is not None:
        return alias, value
    if label in supported:
        return label, value
    kind = _NOT_SUPPORTED_FOR.get(resource)
    if kind is not None:
        raise FieldSelectorError(f'field label "{label}" not supported for {kind}')
    raise FieldSelectorError(f"field label not supported: {label}")


def convert_field_selector(resource: str, selector: FieldSelector) -> FieldSelector:
    """The apiserver's ``FieldSelector.Transform(ConvertFieldLabel)`` for a resource.

    Renames aliases (``spec.host`` on pods) and raises :class:`FieldSelectorError` with
    the BadRequest message for the first unsupported field, in term order.
    """
    return selector.transform(lambda f, v: _convert(resource, f, v))


def check_supported(resource: str, selector: FieldSelector) -> str | None:
    """The BadRequest message kube-apiserver gives for this selector, or ``None``."""
    try:
        convert_field_selector(resource, selector)
    except FieldSelectorError as err:
        return err.message
    return None


# --- field sets (ToSelectableFields) ---------------------------------------------------


def _get(obj: Mapping[str, Any], *path: str) -> Any:
    cur: Any = obj
    for key in path:
        if not isinstance(cur, Mapping):
            return None
        cur = cur.get(key)
    return cur


def _s(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> str:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else "0"


def _bool(value: Any) -> str:
    return "true" if value is True else "false"


def _pod_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    ips = _get(obj, "status", "podIPs") or []
    pod_ip = _s(_get(obj, "status", "podIP"))
    if ips and isinstance(ips[0], Mapping):
        pod_ip = _s(ips[0].get("ip"))
    # status.podIPs is accepted by the conversion func but absent from the set, so it
    # reads as "" (as upstream).
    return {
        "spec.nodeName": _s(_get(obj, "spec", "nodeName")),
        "spec.restartPolicy": _s(_get(obj, "spec", "restartPolicy")),
        "spec.schedulerName": _s(_get(obj, "spec", "schedulerName")),
        "spec.serviceAccountName": _s(_get(obj, "spec", "serviceAccountName")),
        "spec.hostNetwork": _bool(_get(obj, "spec", "hostNetwork")),
        "status.phase": _s(_get(obj, "status", "phase")),
        "status.podIP": pod_ip,
        "status.nominatedNodeName": _s(_get(obj, "status", "nominatedNodeName")),
    }


def _event_fields(obj: Mapping[str, Any]) -> dict[str, str]:
    involved = obj.get("involvedObject") or {}
    source = _s(_get(obj, "source", "component")) or _s(obj.get("reportingComponent"))
    out = {
        f"involvedObject.{k}": _s(involved.get(k))
        for k in ("kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")
    }
    out.update(
        {
            "reason": _s(obj.get("reason")),
            "reportingComponent": _s(obj.get("reportingComponent")),
            "source": source,
            "type": _s(obj.get("type")),
        }
    )
    return out


_SPECIFIC: Final[Mapping[str, Callable[[Mapping[str, Any]], dict[str, str]]]] = {
    "pods": _pod_fields,
    "events": _event_fields,
    "nodes": lambda o: {"spec.unschedulable": _bool(_get(o, "spec", "unschedulable"))},
    "namespaces": lambda o: {"status.phase": _s(_get(o, "status", "phase"))},
    "secrets": lambda o: {"type": _s(o.get("type"))},
    "services": lambda o: {
        "spec.clusterIP": _s(_get(o, "spec", "clusterIP")),
        "spec.type": _s(_get(o, "spec", "type")),
    },
    "replicationcontrollers": lambda o: {"status.replicas": _int(_get(o, "status", "replicas"))},
    "replicasets": lambda o: {"status.replicas": _int(_get(o, "status", "replicas"))},
    "jobs": lambda o: {"status.successful": _int(_get(o, "status", "succeeded"))},
    "certificatesigningrequests": lambda o: {"spec.signerName": _s(_get(o, "spec", "signerName"))},
    "clustertrustbundles": lambda o: {"spec.signerName": _s(_get(o, "spec", "signerName"))},
}


def field_set(resource: str, obj: Mapping[str, Any]) -> dict[str, str]:
    """The ``fields.Set`` the store matches a wire-form object of ``resource`` against.

    Values are strings as upstream formats them: booleans ``true``/``false``, integers in
    decimal, absent strings ``""``.
    """
    meta = obj.get("metadata") or {}
    out: dict[str, str] = {"metadata.name": _s(meta.get("name"))}
    if resource not in CLUSTER_SCOPED:
        out["metadata.namespace"] = _s(meta.get("namespace"))
    specific = _SPECIFIC.get(resource)
    if specific is not None:
        out.update(specific(obj))
    return out
