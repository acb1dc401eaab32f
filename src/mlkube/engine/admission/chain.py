"""The admission chain: kube-apiserver's default plugins, in kube-apiserver's order.

A request passes every plugin's mutating ``admit`` in order, then schema validation
(done by the caller), then every plugin's ``validate`` in the same order. The order is
upstream's ``AllOrderedPlugins`` (``pkg/kubeapiserver/options/plugins.go``) restricted to
the plugins the embedded cluster serves; the first refusal ends the request.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlkube.engine.admission.interface import AdmissionContext, AdmissionPlugin, Attributes

__all__ = ["AdmissionChain"]


class AdmissionChain:
    """Run plugins as kube-apiserver runs its admission chain."""

    def __init__(self, plugins: Sequence[AdmissionPlugin]) -> None:
        self.plugins: tuple[AdmissionPlugin, ...] = tuple(plugins)

    @property
    def names(self) -> list[str]:
        return [p.NAME for p in self.plugins]

    def admit(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        """The mutating phase."""
        for plugin in self.plugins:
            plugin.admit(attrs, ctx)

    def validate(self, attrs: Attributes, ctx: AdmissionContext) -> None:
        """The validating phase (after schema validation)."""
        for plugin in self.plugins:
            plugin.validate(attrs, ctx)
