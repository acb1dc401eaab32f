"""Admission plugins, one module each, named and ordered as kube-apiserver's."""

__all__: list[str] = []
