"""The v1 defaults of a PodSpec and of everything inside it, applied to wire-form dicts.

Follows ``pkg/apis/core/v1/defaults.go`` (``SetDefaults_PodSpec``, ``_Container``,
``_Probe``, ``_HTTPGetAction``, ``_Volume``, the volume sources, ``_ObjectFieldSelector``,
``_ResourceList``, ``_PersistentVolumeClaimSpec``), the declarative ``+default`` markers of
``k8s.io/api/core/v1/types.go`` (container and service ports ``protocol: TCP``, gRPC probe
``service: ""``) and the order of ``zz_generated.defaults.go``. Zero-valued structs that
the Go serializer always prints (a container's ``resources: {}``, a resource field
selector's ``divisor: "0"``) are filled in too, so a decoded object reads back as the
real API server returns it.

``default_pod_spec`` is the PodSpec part only; :func:`default_pod` adds
``SetDefaults_Pod`` (requests from limits, ``enableServiceLinks``, host-network ports),
which upstream applies to Pods and never to pod templates.
"""

from __future__ import annotations

from typing import Any, Final

from mlkube.engine.types._resources import canonical

__all__ = [
    "default_container",
    "default_pod",
    "default_pod_spec",
    "default_pod_template_spec",
    "default_pvc_spec",
    "default_resource_list",
    "image_pull_policy_for",
]

Obj = dict[str, Any]

DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS: Final = 30
DEFAULT_SCHEDULER_NAME: Final = "default-scheduler"
TERMINATION_MESSAGE_PATH_DEFAULT: Final = "/dev/termination-log"
_DEFAULT_FILE_MODE: Final = 0o644  # 420: Secret/ConfigMap/DownwardAPI/Projected defaultMode
_SERVICE_ACCOUNT_TOKEN_EXPIRATION: Final = 3600

# Volume sources; a volume with none of them becomes an emptyDir (SetDefaults_Volume).
VOLUME_SOURCES: Final = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
    "image",
)


def image_pull_policy_for(image: str) -> str:
    """``Always`` for ``:latest`` or no tag (and no digest), else ``IfNotPresent``.

    Mirrors ``parsers.ParseImageName``: the tag is what follows the last ``:`` after the
    last ``/``; a digest (``@sha256:...``) without a tag is not ``latest``.
    """
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.rpartition(":")[2] if ":" in last else ""
    if not tag and not digest:
        tag = "latest"
    return "Always" if tag == "latest" else "IfNotPresent"


def default_resource_list(resources: Obj | None) -> None:
    """``SetDefaults_ResourceList``: round every quantity up to milli, canonical form."""
    if not resources:
        return
    for key, value in list(resources.items()):
        resources[key] = canonical(value)


def _default_http_get(action: Obj | None) -> None:
    if action is None:
        return
    action.setdefault("path", "/")
    if not action.get("path"):
        action["path"] = "/"
    if not action.get("scheme"):
        action["scheme"] = "HTTP"


def _default_handler(handler: Obj | None) -> None:
    if handler is None:
        return
    _default_http_get(handler.get("httpGet"))
    grpc = handler.get("grpc")
    if grpc is not None and "service" not in grpc:
        grpc["service"] = ""


def _default_probe(probe: Obj | None) -> None:
    """``SetDefaults_Probe`` and its handler's defaults."""
    if probe is None:
        return
    for key, value in (
        ("timeoutSeconds", 1),
        ("periodSeconds", 10),
        ("successThreshold", 1),
        ("failureThreshold", 3),
    ):
        if not probe.get(key):
            probe[key] = value
    _default_handler(probe)


def _default_field_ref(ref: Obj | None) -> None:
    if ref is not None and not ref.get("apiVersion"):
        ref["apiVersion"] = "v1"


def _default_resource_field_ref(ref: Obj | None) -> None:
    if ref is None:
        return
    ref["divisor"] = canonical(ref.get("divisor") or "0")


def default_container(container: Obj) -> None:
    """``SetDefaults_Container`` plus the defaults of its ports, env, resources, probes."""
    if not container.get("imagePullPolicy"):
        container["imagePullPolicy"] = image_pull_policy_for(container.get("image") or "")
    if not container.get("terminationMessagePath"):
        container["terminationMessagePath"] = TERMINATION_MESSAGE_PATH_DEFAULT
    if not container.get("terminationMessagePolicy"):
        container["terminationMessagePolicy"] = "File"
    for port in container.get("ports") or []:
        if not port.get("protocol"):
            port["protocol"] = "TCP"
    for env in container.get("env") or []:
        value_from = env.get("valueFrom")
        if value_from:
            _default_field_ref(value_from.get("fieldRef"))
            _default_resource_field_ref(value_from.get("resourceFieldRef"))
    resources = container.setdefault("resources", {})
    default_resource_list(resources.get("limits"))
    default_resource_list(resources.get("requests"))
    _default_probe(container.get("livenessProbe"))
    _default_probe(container.get("readinessProbe"))
    _default_probe(container.get("startupProbe"))
    lifecycle = container.get("lifecycle")
    if lifecycle:
        _default_handler(lifecycle.get("postStart"))
        _default_handler(lifecycle.get("preStop"))


def _default_downward_api_items(items: list[Obj] | None) -> None:
    for item in items or []:
        _default_field_ref(item.get("fieldRef"))
        _default_resource_field_ref(item.get("resourceFieldRef"))


def default_pvc_spec(spec: Obj) -> None:
    """``SetDefaults_PersistentVolumeClaimSpec``: ``volumeMode: Filesystem``."""
    if spec.get("volumeMode") is None:
        spec["volumeMode"] = "Filesystem"
    resources = spec.get("resources") or {}
    default_resource_list(resources.get("limits"))
    default_resource_list(resources.get("requests"))


def _default_volume(volume: Obj) -> None:
    """``SetDefaults_Volume`` and the defaults of the volume sources ML workloads use."""
    if not any(volume.get(src) is not None for src in VOLUME_SOURCES):
        volume["emptyDir"] = {}
    for key in ("secret", "configMap", "downwardAPI", "projected"):
        src = volume.get(key)
        if src is not None and src.get("defaultMode") is None:
            src["defaultMode"] = _DEFAULT_FILE_MODE
    empty_dir = volume.get("emptyDir")
    if empty_dir is not None and empty_dir.get("sizeLimit") is not None:
        empty_dir["sizeLimit"] = canonical(empty_dir["sizeLimit"])
    host_path = volume.get("hostPath")
    if host_path is not None and host_path.get("type") is None:
        host_path["type"] = ""
    downward = volume.get("downwardAPI")
    if downward is not None:
        _default_downward_api_items(downward.get("items"))
    projected = volume.get("projected")
    if projected is not None:
        for source in projected.get("sources") or []:
            if source.get("downwardAPI") is not None:
                _default_downward_api_items(source["downwardAPI"].get("items"))
            token = source.get("serviceAccountToken")
            if token is not None and token.get("expirationSeconds") is None:
                token["expirationSeconds"] = _SERVICE_ACCOUNT_TOKEN_EXPIRATION
    ephemeral = volume.get("ephemeral")
    if ephemeral is not None and ephemeral.get("volumeClaimTemplate") is not None:
        default_pvc_spec(ephemeral["volumeClaimTemplate"].setdefault("spec", {}))


def default_pod_spec(spec: Obj) -> None:
    """``SetDefaults_PodSpec`` and the defaults of its volumes and containers."""
    if not spec.get("dnsPolicy"):
        spec["dnsPolicy"] = "ClusterFirst"
    if not spec.get("restartPolicy"):
        spec["restartPolicy"] = "Always"
    if spec.get("securityContext") is None:
        spec["securityContext"] = {}
    if spec.get("terminationGracePeriodSeconds") is None:
        spec["terminationGracePeriodSeconds"] = DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS
    if not spec.get("schedulerName"):
        spec["schedulerName"] = DEFAULT_SCHEDULER_NAME
    for volume in spec.get("volumes") or []:
        _default_volume(volume)
    for key in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(key) or []:
            default_container(container)
    overhead = spec.get("overhead")
    if overhead:
        default_resource_list(overhead)
    pod_resources = spec.get("resources")
    if pod_resources:
        default_resource_list(pod_resources.get("limits"))
        default_resource_list(pod_resources.get("requests"))


def default_pod_template_spec(template: Obj) -> None:
    """The defaults a ``PodTemplateSpec`` (in a Job, Deployment, ...) gets on decode."""
    default_pod_spec(template.setdefault("spec", {}))


def _requests_from_limits(containers: list[Obj] | None) -> None:
    for container in containers or []:
        resources = container.get("resources") or {}
        limits = resources.get("limits")
        if limits is None:
            continue
        requests = resources.setdefault("requests", {})
        for key, value in limits.items():
            requests.setdefault(key, value)
        container["resources"] = resources


def _host_network_ports(containers: list[Obj] | None) -> None:
    for container in containers or []:
        for port in container.get("ports") or []:
            if not port.get("hostPort"):
                port["hostPort"] = port.get("containerPort", 0)


def default_pod(pod: Obj) -> None:
    """``SetDefaults_Pod`` then the PodSpec defaults, in ``SetObjectDefaults_Pod`` order."""
    spec = pod.setdefault("spec", {})
    _requests_from_limits(spec.get("containers"))
    _requests_from_limits(spec.get("initContainers"))
    if spec.get("enableServiceLinks") is None:
        spec["enableServiceLinks"] = True
    if spec.get("hostNetwork"):
        _host_network_ports(spec.get("containers"))
        _host_network_ports(spec.get("initContainers"))
    default_pod_spec(spec)
