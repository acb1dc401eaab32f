"""Generate ``src/mlkube/api/schema/definitions.json`` from kubernetes-validate's bundled schema.

Dev-time only: ``.venv/bin/python tools/gen_schema.py`` (``--check`` exits 1 when the committed
file differs). The input is kubernetes-validate's ``v1.37.0-local/_definitions.json``, a JSON
Schema rendering of kube-apiserver's OpenAPI that keeps the ``x-kubernetes-*`` extensions
(patch strategy and merge key, list type and map keys, map type, group-version-kind).

The output keeps only the definitions reachable from the kinds mlkube serves, and only the
schema keywords mlkube reads: ``type`` (the non-null one), ``properties``,
``additionalProperties``, ``items``, ``$ref`` (as ``ref``, the bare definition name),
``required``, ``format``, ``description`` and the ``x-kubernetes-*`` extensions. Two
definitions are rewritten to say what they are: IntOrString gets
``"x-kubernetes-int-or-string": true`` and Quantity ``"format": "quantity"``.

Three facts the OpenAPI lacks are added, all read from the Go types in
``k8s.io/api/{core,apps,batch,events,rbac,...}/v1/types.go``. ``"x-mlkube-value-struct": true``
marks the properties whose Go field is a struct value rather than a pointer (``metadata``,
``spec``, ``status``, ``template``, ...). OpenAPI does not say this, but server-side apply
needs it: the apiserver compares typed Go objects, in which such a struct always exists, so an
Update never records it as added (no ``"."`` in fieldsV1). ``"x-mlkube-not-omitempty": true``
marks list fields without ``omitempty`` (``PodSpec.containers``), present as ``null`` in a
typed object, for the same reason, as are the struct fields Go encodes as ``null`` when
unset (``PodCondition.lastProbeTime``: ``metav1.Time`` without ``omitzero``), read from the
``zeros`` of ``src/mlkube/api/gojson/gotypes.json``; the scalars Go writes for unset fields
without ``omitempty`` (``Event.reportingComponent: ""``, ``DaemonEndpoint.Port: 0``) are
``"x-mlkube-zero": <value>``, which a typed object has for the same reason. ``default`` is
set on the list-map key fields with a ``+default`` marker (``ContainerPort.protocol: TCP``),
which SSA uses to key an item that omits them, and on the list-map keys kube-openapi
defaults to their zero value (non-pointer scalars without ``omitempty``, read from the
``proto`` members of gotypes.json: ``Container.name``, ``OwnerReference.uid``: ``""``).

Output is written with sorted keys and no whitespace, so it is reproducible byte for byte.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src" / "mlkube" / "api" / "schema" / "definitions.json"
PY_DIR = f"python{sys.version_info.major}.{sys.version_info.minor}"
SOURCE = (
    ROOT
    / ".venv"
    / "lib"
    / PY_DIR
    / "site-packages"
    / "kubernetes_validate"
    / "kubernetes-json-schema"
    / "v1.37.0-local"
    / "_definitions.json"
)

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# The served kinds (the brief of issue "schema and patch"), as definition names.
SERVED = [
    "io.k8s.api.core.v1.Namespace",
    "io.k8s.api.core.v1.Node",
    "io.k8s.api.core.v1.Pod",
    "io.k8s.api.core.v1.Binding",
    "io.k8s.api.core.v1.Service",
    "io.k8s.api.core.v1.Endpoints",
    "io.k8s.api.core.v1.ConfigMap",
    "io.k8s.api.core.v1.Secret",
    "io.k8s.api.core.v1.Event",
    "io.k8s.api.events.v1.Event",
    "io.k8s.api.core.v1.PersistentVolume",
    "io.k8s.api.core.v1.PersistentVolumeClaim",
    "io.k8s.api.storage.v1.StorageClass",
    "io.k8s.api.core.v1.ResourceQuota",
    "io.k8s.api.core.v1.LimitRange",
    "io.k8s.api.scheduling.v1.PriorityClass",
    "io.k8s.api.batch.v1.Job",
    "io.k8s.api.batch.v1.CronJob",
    "io.k8s.api.apps.v1.Deployment",
    "io.k8s.api.apps.v1.ReplicaSet",
    "io.k8s.api.apps.v1.StatefulSet",
    "io.k8s.api.core.v1.ServiceAccount",
    "io.k8s.api.rbac.v1.Role",
    "io.k8s.api.rbac.v1.RoleBinding",
    "io.k8s.api.rbac.v1.ClusterRole",
    "io.k8s.api.rbac.v1.ClusterRoleBinding",
    "io.k8s.api.coordination.v1.Lease",
    "io.k8s.api.policy.v1.PodDisruptionBudget",
    "io.k8s.api.discovery.v1.EndpointSlice",
]
EXTRA = [META + "Status", META + "DeleteOptions", META + "ListMeta"]

# Go struct-valued (non-pointer) fields, by definition short name -> property names.
_VALUE_STRUCTS: dict[str, tuple[str, ...]] = {
    "apps.v1.DeploymentSpec": ("template", "strategy"),
    "apps.v1.ReplicaSetSpec": ("template",),
    "apps.v1.StatefulSetSpec": ("template", "updateStrategy"),
    "batch.v1.JobSpec": ("template",),
    "batch.v1.CronJobSpec": ("jobTemplate",),
    "batch.v1.JobTemplateSpec": ("spec",),
    "core.v1.PodTemplateSpec": ("spec",),
    "core.v1.Container": ("resources",),
    "core.v1.EphemeralContainer": ("resources",),
    "core.v1.PersistentVolumeClaimSpec": ("resources",),
    "core.v1.PersistentVolumeClaimTemplate": ("spec",),
    "core.v1.Event": ("involvedObject", "source"),
    "events.v1.Event": ("regarding", "deprecatedSource"),
    "core.v1.Binding": ("target",),
    "rbac.v1.RoleBinding": ("roleRef",),
    "rbac.v1.ClusterRoleBinding": ("roleRef",),
    "core.v1.ServiceStatus": ("loadBalancer",),
    "core.v1.NodeStatus": ("daemonEndpoints", "nodeInfo"),
    "core.v1.NodeDaemonEndpoints": ("kubeletEndpoint",),
    "core.v1.ContainerStatus": ("state", "lastState"),
    "discovery.v1.Endpoint": ("conditions",),
}

# Go fields without ``omitempty`` whose zero value is a nil list: a typed object always has
# them (as ``null``) when their parent exists.
_NOT_OMITEMPTY: dict[str, tuple[str, ...]] = {
    "core.v1.PodSpec": ("containers",),
    "core.v1.NodeSelector": ("nodeSelectorTerms",),
    "discovery.v1.EndpointSlice": ("endpoints",),
    "rbac.v1.PolicyRule": ("verbs",),
}

# The Go types (``tools/gen_gotypes``): each struct's ``zeros`` are what Go encodes for its
# unset fields; the times among them (``null``: ``metav1.Time`` without ``omitzero``), which
# a typed object has too, are marked ``x-mlkube-not-omitempty`` like the lists above.
GOTYPES = ROOT / "src" / "mlkube" / "api" / "gojson" / "gotypes.json"


def _null_fields(gotypes: Path = GOTYPES) -> dict[str, tuple[str, ...]]:
    """Definition name -> the time properties Go writes as ``null`` when unset."""
    types: dict[str, Any] = json.loads(gotypes.read_text())["types"]
    out: dict[str, tuple[str, ...]] = {}
    for key, entry in types.items():
        if not key.startswith("k8s.io/"):
            continue
        fields = entry.get("fields") or {}
        nulls = tuple(
            sorted(
                name
                for name, zero in (entry.get("zeros") or {}).items()
                if zero is None and types[fields[name]]["shape"] == "time"
            )
        )
        if nulls:
            out["io.k8s." + key.removeprefix("k8s.io/").replace("/", ".")] = nulls
    return out


def _scalar_zeros(gotypes: Path = GOTYPES) -> dict[str, dict[str, Any]]:
    """Definition name -> {property: the scalar Go writes when it is unset} (``""``, ``0``,
    ``false``: ``Event.reportingComponent``, ``DaemonEndpoint.Port``), from ``zeros``."""
    types: dict[str, Any] = json.loads(gotypes.read_text())["types"]
    out: dict[str, dict[str, Any]] = {}
    for key, entry in types.items():
        scalars = {
            name: zero
            for name, zero in (entry.get("zeros") or {}).items()
            if zero is not None and not isinstance(zero, dict)
        }
        if scalars and key.startswith("k8s.io/"):
            out["io.k8s." + key.removeprefix("k8s.io/").replace("/", ".")] = scalars
    return out


# ``+default`` markers of list-map key fields (SSA keys an item that omits them by the default).
_DEFAULTS: dict[str, dict[str, Any]] = {
    "core.v1.ContainerPort": {"protocol": "TCP"},
    "core.v1.ServicePort": {"protocol": "TCP"},
    "core.v1.LocalObjectReference": {"name": ""},
}

# The zero value kube-openapi's ``mustEnforceDefault`` gives a non-pointer field of a builtin
# type without ``omitempty`` (``Container.name``, ``OwnerReference.uid``: ``""``), by shape.
_ZERO: dict[str, Any] = {"string": "", "int": 0, "bool": False}


def _zero_key_defaults(defs: dict[str, Any], gotypes: Path = GOTYPES) -> dict[str, dict[str, Any]]:
    """Definition name -> {list-map key property: its zero default} (kube-openapi gives every
    required non-pointer scalar field one; SSA keys an item that omits the key by it)."""
    types: dict[str, Any] = json.loads(gotypes.read_text())["types"]
    keyed: dict[str, set[str]] = {}
    for definition in defs.values():
        for prop in definition.get("properties", {}).values():
            keys = prop.get("x-kubernetes-list-map-keys")
            ref = prop.get("items", {}).get("ref")
            if prop.get("x-kubernetes-list-type") == "map" and keys and ref:
                keyed.setdefault(ref, set()).update(keys)
    out: dict[str, dict[str, Any]] = {}
    for name, keys in sorted(keyed.items()):
        go_name = name.removeprefix("io.k8s.")
        prefix, _, short = go_name.rpartition(".")
        members = list(
            types.get("k8s.io/" + prefix.replace(".", "/") + "." + short, {})
            .get("proto", {})
            .values()
        )
        for member in members:
            if member.get("inline"):  # an embedded struct's members are the struct's own
                members.extend(types.get(member["type"], {}).get("proto", {}).values())
                continue
            if member.get("json") not in keys or member.get("omitempty") or member.get("pointer"):
                continue
            shape = types.get(member["type"], {}).get("shape")
            if shape in _ZERO:
                out.setdefault(name, {})[member["json"]] = _ZERO[shape]
    return out


_KEEP = (
    "description",
    "format",
    "required",
    "x-kubernetes-patch-strategy",
    "x-kubernetes-patch-merge-key",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
    "x-kubernetes-group-version-kind",
    "x-kubernetes-unions",
)


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _compact(node: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _KEEP:
        if key in node:
            out[key] = node[key]
    types = node.get("type")
    if isinstance(types, list):
        non_null = [t for t in types if t != "null"]
        if len(non_null) == 1:
            out["type"] = non_null[0]
    elif isinstance(types, str) and types != "null":
        out["type"] = types
    if "$ref" in node:
        out["ref"] = _ref_name(node["$ref"])
    if "properties" in node:
        out["properties"] = {k: _compact(v) for k, v in node["properties"].items()}
    if "items" in node:
        out["items"] = _compact(node["items"])
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        out["additionalProperties"] = _compact(extra)
    elif extra is not None:
        out["additionalProperties"] = extra
    return out


def _refs(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(_ref_name(value))
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for value in node:
            _refs(value, found)


def _reachable(defs: dict[str, Any], roots: list[str]) -> list[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set[str] = set()
        _refs(defs[name], found)
        todo.extend(sorted(found - seen))
    return sorted(seen)


def build(source: Path = SOURCE) -> dict[str, Any]:
    defs: dict[str, Any] = json.loads(source.read_text())["$defs"]
    roots = [*SERVED, *(n + "List" for n in SERVED if n + "List" in defs), *EXTRA]
    names = _reachable(defs, roots)
    out_defs: dict[str, Any] = {name: _compact(defs[name]) for name in names}
    out_defs[INT_OR_STRING] = {
        "description": defs[INT_OR_STRING].get("description", ""),
        "x-kubernetes-int-or-string": True,
    }
    out_defs[QUANTITY] = {
        "description": defs[QUANTITY].get("description", ""),
        "format": "quantity",
    }
    for short, props in _VALUE_STRUCTS.items():
        definition = out_defs["io.k8s.api." + short]
        for prop in props:
            definition["properties"][prop]["x-mlkube-value-struct"] = True
    for short, props in _NOT_OMITEMPTY.items():
        definition = out_defs["io.k8s.api." + short]
        for prop in props:
            definition["properties"][prop]["x-mlkube-not-omitempty"] = True
    for name, props in _null_fields().items():
        if name in out_defs:
            for prop in props:
                out_defs[name]["properties"][prop]["x-mlkube-not-omitempty"] = True
    for short, defaults in _DEFAULTS.items():
        definition = out_defs["io.k8s.api." + short]
        for prop, value in defaults.items():
            definition["properties"][prop]["default"] = value
    for name, defaults in _zero_key_defaults(out_defs).items():
        for prop, value in defaults.items():
            out_defs[name]["properties"][prop].setdefault("default", value)
    # A list-map key with a default is keyed by it (above); the others are zero when unset.
    for name, scalars in _scalar_zeros().items():
        for prop, zero in scalars.items():
            node = out_defs.get(name, {}).get("properties", {}).get(prop)
            if node is not None and "default" not in node:
                node["x-mlkube-zero"] = zero
    # metadata, spec and status of every top-level kind and of every template are values.
    for definition in out_defs.values():
        props = definition.get("properties", {})
        meta = props.get("metadata")
        if meta and meta.get("ref") in (META + "ObjectMeta", META + "ListMeta"):
            meta["x-mlkube-value-struct"] = True
        if "x-kubernetes-group-version-kind" in definition:
            for prop in ("spec", "status"):
                if prop in props and "ref" in props[prop]:
                    props[prop]["x-mlkube-value-struct"] = True
    served_gvs = set()
    for name in roots:
        for gvk in defs[name].get("x-kubernetes-group-version-kind", []):
            if gvk["kind"] != "DeleteOptions":
                served_gvs.add((gvk["group"], gvk["version"]))
    kinds: dict[str, dict[str, str]] = {}
    for name in names:
        for gvk in defs[name].get("x-kubernetes-group-version-kind", []):
            if (gvk["group"], gvk["version"]) not in served_gvs:
                continue
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            kinds.setdefault(api_version, {})[gvk["kind"]] = name
    return {
        "source": "kubernetes-validate " + source.parent.name + "/_definitions.json",
        "kinds": kinds,
        "definitions": out_defs,
    }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed file differs")
    parser.add_argument("--source", type=Path, default=SOURCE)
    args = parser.parse_args(argv)
    text = render(build(args.source))
    if args.check:
        if not OUT.exists() or OUT.read_text() != text:
            print(f"{OUT} is out of date; run tools/gen_schema.py", file=sys.stderr)
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text)
    print(f"wrote {OUT.relative_to(ROOT)} ({len(text.encode())} bytes, {len(text)} chars)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
