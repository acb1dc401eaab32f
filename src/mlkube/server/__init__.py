"""A thin Kubernetes-compatible HTTP face over the engine; it owns no semantics.

``app`` (the aiohttp application and its filters), ``resources`` (the REST verbs on
collections, objects and subresources), ``discovery``, ``tables`` and ``printers``
(``kubectl get`` columns), ``watch`` (chunked JSON-lines streams), ``openapi`` (v3
documents), ``wire`` (Status bodies, query values, Accept), ``protobuf`` (the bodies
kubectl's typed clients send), ``reviews`` (``kubectl auth can-i`` and ``whoami``), ``tls``
(the cluster's certificates) and ``serve`` (a named cluster with its controller loop;
``python -m mlkube.server`` runs one).
"""

from mlkube.server.app import create_app
from mlkube.server.resources import Backend
from mlkube.server.serve import ServedCluster, ServerThread

__all__ = ["Backend", "ServedCluster", "ServerThread", "create_app"]
