"""Controllers of the embedded cluster, one module each, run by :class:`ControllerManager`."""

from mlkube.engine.controllers.manager import Controller, ControllerManager
from mlkube.engine.controllers.resourcequota import ResourceQuotaController

__all__ = ["Controller", "ControllerManager", "ResourceQuotaController"]
