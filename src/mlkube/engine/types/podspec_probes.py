"""Validation of a container's lifecycle hooks and its liveness, readiness and startup
probes.

It exists so that handler and probe rules (one handler type, ports, zero-second sleep
actions, thresholds) live apart from the rest of the container. Follows
``pkg/apis/core/validation/validation.go`` (``validateLifecycle``, ``validateHandler``,
``validateProbe``, ``validateLivenessProbe``, ``validateReadinessProbe``,
``validateStartupProbe``, ``ValidatePortNumOrName``).
"""

from __future__ import annotations

from typing import Any

from mlkube.api import field
from mlkube.api import validation as _v
from mlkube.api.field import Path
from mlkube.engine.types.podspec_fields import Errs, Obj, invalid_each, nonnegative

__all__ = ["validate_lifecycle_and_probes"]


def _validate_handler(handler: Obj, grace: int | None, path: Path, *, lifecycle: bool) -> Errs:
    errs: Errs = []
    kinds = (
        ("exec", "httpGet", "tcpSocket", "sleep")
        if lifecycle
        else ("exec", "httpGet", "tcpSocket", "grpc")
    )
    count = 0
    for kind in kinds:
        action = handler.get(kind)
        if action is None:
            continue
        p = path.child(kind)
        if count > 0:
            errs.append(field.forbidden(p, "may not specify more than 1 handler type"))
            continue
        count += 1
        if kind == "exec" and not action.get("command"):
            errs.append(field.required(p.child("command"), ""))
        elif kind == "httpGet":
            if not action.get("path"):
                errs.append(field.required(p.child("path"), ""))
            errs.extend(_port_num_or_name(action.get("port"), p.child("port")))
            scheme = action.get("scheme") or ""
            if scheme not in ("HTTP", "HTTPS"):
                errs.append(field.not_supported(p.child("scheme"), scheme, ("HTTP", "HTTPS")))
        elif kind == "tcpSocket":
            errs.extend(_port_num_or_name(action.get("port"), p.child("port")))
        elif kind == "grpc":
            errs.extend(_port_num_or_name(action.get("port") or 0, p.child("port")))
        elif kind == "sleep":
            seconds = action.get("seconds") or 0
            if grace is not None and (seconds < 0 or seconds > grace):
                errs.append(
                    field.invalid(
                        p,
                        seconds,
                        "must be non-negative and less than terminationGracePeriodSeconds "
                        f"({grace})",
                    )
                )
    if count == 0:
        errs.append(field.required(path, "must specify a handler type"))
    return errs


def _port_num_or_name(port: Any, path: Path) -> Errs:
    if isinstance(port, int) and not isinstance(port, bool):
        return invalid_each(path, port, _v.is_valid_port_num(port))
    if isinstance(port, str):
        return invalid_each(path, port, _v.is_valid_port_name(port))
    return invalid_each(path, 0, _v.is_valid_port_num(0))


def _validate_probe(probe: Obj | None, grace: int | None, path: Path, kind: str) -> Errs:
    if probe is None:
        return []
    errs = _validate_handler(probe, grace, path, lifecycle=False)
    for key in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        errs.extend(nonnegative(probe.get(key) or 0, path.child(key)))
    probe_grace = probe.get("terminationGracePeriodSeconds")
    if probe_grace is not None and probe_grace <= 0:
        errs.append(
            field.invalid(
                path.child("terminationGracePeriodSeconds"), probe_grace, "must be greater than 0"
            )
        )
    if kind in ("liveness", "startup") and probe.get("successThreshold", 0) != 1:
        errs.append(
            field.invalid(
                path.child("successThreshold"), probe.get("successThreshold", 0), "must be 1"
            )
        )
    if kind == "readiness" and probe_grace is not None:
        errs.append(
            field.invalid(
                path.child("terminationGracePeriodSeconds"),
                probe_grace,
                "must not be set for readinessProbes",
            )
        )
    return errs


def validate_lifecycle_and_probes(ctr: Obj, grace: int | None, path: Path) -> Errs:
    errs: Errs = []
    lifecycle = ctr.get("lifecycle")
    if lifecycle is not None:
        for hook in ("postStart", "preStop"):
            if lifecycle.get(hook) is not None:
                errs.extend(
                    _validate_handler(
                        lifecycle[hook], grace, path.child("lifecycle", hook), lifecycle=True
                    )
                )
    errs.extend(
        _validate_probe(ctr.get("livenessProbe"), grace, path.child("livenessProbe"), "liveness")
    )
    errs.extend(
        _validate_probe(ctr.get("readinessProbe"), grace, path.child("readinessProbe"), "readiness")
    )
    errs.extend(
        _validate_probe(ctr.get("startupProbe"), grace, path.child("startupProbe"), "startup")
    )
    return errs
