"""The vectorised filters: NodeUnschedulable, NodeName, TaintToleration, NodeAffinity
and NodeResourcesFit over every node at once, with their statuses built lazily.

It exists so that the filter decisions (which plugin fails first on each node, and Fit's
reasons) are computed apart from scoring. Follows the plugins' ``Filter`` in
``pkg/scheduler/framework/plugins/{nodeunschedulable,nodename,tainttoleration,
nodeaffinity,noderesources}/`` and ``findNodesThatPassFilters`` in
``pkg/scheduler/schedule_one.go``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import msgspec
import numpy as np

from mlkube.api.nodeaffinity import RequiredNodeAffinity
from mlkube.api.resources import is_extended_resource_name
from mlkube.api.taints import (
    ERR_REASON_UNTOLERATED,
    SCHEDULER_FILTER_EFFECTS,
    find_untolerated_taint,
    tolerations_tolerate_taint,
)
from mlkube.engine.scheduler.framework import (
    PODS,
    Code,
    CycleState,
    NodeInfo,
    NodeToStatus,
    PodInfo,
    Status,
)
from mlkube.engine.scheduler.plugins import (
    balancedallocation,
    nodeaffinity,
    nodename,
    noderesources,
    nodeunschedulable,
    tainttoleration,
)
from mlkube.engine.scheduler.plugins.noderesources import REASON_TOO_MANY_PODS
from mlkube.engine.scheduler.vector.arrays import _FIXED, NodeArrays, NodeSlice
from mlkube.engine.scheduler.vector.entries import (
    _MAX_ENTRIES,
    _STATE_KEY,
    I64,
    Bools,
    _default_pair_total,
    _Entry,
    _lists,
    _Shape,
)

__all__ = ["_VECTOR_FILTERS", "VectorFilters"]

_STATIC: Final = (nodeunschedulable.NAME, nodename.NAME, tainttoleration.NAME, nodeaffinity.NAME)
_VECTOR_FILTERS: Final = frozenset((*_STATIC, noderesources.NAME))
_UNSCHEDULABLE_TAINT: Final = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}
_STATIC_STATUS: Final = {
    nodeunschedulable.NAME: Status(
        Code.UnschedulableAndUnresolvable,
        nodeunschedulable.ERR_REASON_UNSCHEDULABLE,
        plugin=nodeunschedulable.NAME,
    ),
    nodename.NAME: Status(
        Code.UnschedulableAndUnresolvable, nodename.ERR_REASON, plugin=nodename.NAME
    ),
    tainttoleration.NAME: Status(
        Code.UnschedulableAndUnresolvable,
        ERR_REASON_UNTOLERATED,
        plugin=tainttoleration.NAME,
    ),
    nodeaffinity.NAME: Status(
        Code.UnschedulableAndUnresolvable, nodeaffinity.ERR_REASON_POD, plugin=nodeaffinity.NAME
    ),
}
_encode = msgspec.json.Encoder().encode


class VectorFilters(NodeArrays):
    """Per-shape pre-computation, entries and ``find_feasible`` over the node arrays."""

    _fit_status: dict[tuple[int, bool, tuple[str, ...]], Status]

    def _shape_key(self, pod: PodInfo) -> bytes:
        spec = pod.pod.get("spec") or {}
        affinity = (spec.get("affinity") or {}).get("nodeAffinity")
        return _encode(
            (spec.get("tolerations"), spec.get("nodeSelector"), affinity, spec.get("nodeName"))
        )

    def _shape(self, key: bytes) -> _Shape:
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._shapes[key] = _Shape()
        return shape

    def _static_fail(self, shape: _Shape, name: str, pod: PodInfo) -> Bools:
        mask = shape.fail.get(name)
        if mask is not None:
            return mask
        nodes = self.snapshot.node_infos
        spec = pod.pod.get("spec") or {}
        tolerations = spec.get("tolerations")
        if name == nodeunschedulable.NAME:
            tolerated = tolerations_tolerate_taint(tolerations, _UNSCHEDULABLE_TAINT)
            values = [n.unschedulable and not tolerated for n in nodes]
        elif name == nodename.NAME:
            wanted = spec.get("nodeName") or ""
            values = [bool(wanted) and n.name != wanted for n in nodes]
        elif name == tainttoleration.NAME:
            values = [
                bool(n.taints)
                and find_untolerated_taint(n.taints, tolerations, SCHEDULER_FILTER_EFFECTS)
                is not None
                for n in nodes
            ]
        else:
            required = RequiredNodeAffinity(pod.pod)
            values = [not required.match(n.node) for n in nodes]
        mask = np.array(values, dtype=np.bool_)
        shape.fail[name] = mask
        return mask

    def _fit_names(self, pod: PodInfo) -> list[str]:
        """The resources NodeResourcesFit checks for this pod, in its order."""
        fit: noderesources.Fit = self.fw.plugins[noderesources.NAME]
        requests = pod.requests
        if not any(v for k, v in requests.items() if k != PODS):
            return []
        names = [r for r in _FIXED if requests.get(r, 0) > 0]
        for name in sorted(requests):
            if name in _FIXED or name == PODS or requests[name] == 0:
                continue
            if is_extended_resource_name(name) and (
                name in fit.ignored or name.split("/", 1)[0] in fit.ignored_groups
            ):
                continue
            names.append(name)
        return names

    def _fit(self, pod: PodInfo) -> tuple[I64, Bools, list[str]]:
        """NodeResourcesFit over every node: a reason bitmask, unresolvable flags, the reasons."""
        bits = (self.pod_count + 1 > self.allowed).astype(np.int64)
        reasons = [REASON_TOO_MANY_PODS]
        unresolvable = np.zeros(len(bits), dtype=np.bool_)
        for name in self._fit_names(pod):
            c = self._col[name]
            want = pod.requests[name]
            alloc = self.alloc[c]
            short = want > alloc - self.req[c]
            bits |= short.astype(np.int64) << len(reasons)
            unresolvable |= short & (want > alloc)
            reasons.append(f"Insufficient {name}")
        return bits, unresolvable, reasons

    def _entry(self, state: CycleState, pod: PodInfo) -> tuple[_Entry, _Shape, tuple[str, ...]]:
        cached = state.read(_STATE_KEY)
        if (
            isinstance(cached, tuple)
            and self._order is self.snapshot.node_infos
            and not self._dirty
        ):
            return cached
        found = self._entry_uncached(state, pod)
        state.write(_STATE_KEY, found)
        return found

    def _entry_uncached(
        self, state: CycleState, pod: PodInfo
    ) -> tuple[_Entry, _Shape, tuple[str, ...]]:
        self._sync(pod)
        skip = state.skip_filter
        order = tuple(p.name for p in self.fw.filter_plugins if p.name not in skip)
        shape_key = self._shape_key(pod)
        shape = self._shape(shape_key)
        key = (
            shape_key,
            tuple(sorted(pod.requests.items())),
            pod.non_zero_cpu,
            pod.non_zero_memory,
            order,
        )
        entry = self._entries.get(key)
        n = len(self.snapshot.node_infos)
        # Catching up one node costs about what a full vectorised pass costs per 40 nodes.
        if entry is not None and len(self._log) - entry.log_pos <= max(n // 64, 16):
            for i in set(self._log[entry.log_pos :]):
                self._update_one(entry, i, pod, shape, order)
            entry.log_pos = len(self._log)
            self._entries[key] = self._entries.pop(key)  # most recently used last
            return entry, shape, order
        code = np.zeros(n, dtype=np.int64)
        bits = np.zeros(n, dtype=np.int64)
        unresolvable = np.zeros(n, dtype=np.bool_)
        static = np.zeros(n, dtype=np.int64)
        reasons: list[str] = [REASON_TOO_MANY_PODS]
        for pos in range(len(order) - 1, -1, -1):
            name = order[pos]
            if name == noderesources.NAME:
                bits, unresolvable, reasons = self._fit(pod)
                code = np.where(bits != 0, pos + 1, code)
            else:
                failing = self._static_fail(shape, name, pod)
                code = np.where(failing, pos + 1, code)
                static = np.where(failing, pos + 1, static)
        entry = _Entry(code, bits, unresolvable, reasons, len(self._log))
        static_code = shape.static_codes.get(order)
        if static_code is None:
            static_code = shape.static_codes[order] = static.tolist()
        entry.static_code = static_code
        if noderesources.NAME in order:
            entry.fit_pos = order.index(noderesources.NAME) + 1
        entry.checks = [
            (1 << (k + 1), name, pod.requests[name]) for k, name in enumerate(self._fit_names(pod))
        ]
        if len(self._entries) >= _MAX_ENTRIES:
            self._entries.pop(next(iter(self._entries)))  # least recently used
        self._entries.pop(key, None)
        self._entries[key] = entry
        return entry, shape, order

    def _update_one(
        self, entry: _Entry, i: int, pod: PodInfo, shape: _Shape, order: tuple[str, ...]
    ) -> None:
        """Recompute one node's entry: the same arithmetic as the plugins, on its NodeInfo."""
        node = self.snapshot.node_infos[i]
        code = entry.static_code[i]
        fit_pos = entry.fit_pos
        if fit_pos:
            allocatable, requested = node.allocatable, node.requested
            bits = 1 if len(node.pods) + 1 > allocatable.get(PODS, 0) else 0
            unresolvable = False
            for bit, name, want in entry.checks:
                alloc = allocatable.get(name, 0)
                if want > alloc - requested.get(name, 0):
                    bits |= bit
                    unresolvable = unresolvable or want > alloc
            entry.bits[i] = bits
            entry.unresolvable[i] = unresolvable
            if bits and (code == 0 or fit_pos < code):
                code = fit_pos
        entry.code[i] = code
        if entry.combined is not None and entry.default_pair is not None:
            entry.combined[i] = _default_pair_total(node, entry.default_pair)
        elif entry.combined is not None:
            total = 0
            fit_weight, ba_weight = entry.combined_weights
            if fit_weight:
                total += fit_weight * entry.fit_scorer(
                    *_lists(node, entry.fit_plan, use_requested=False)
                )
            if ba_weight:
                total += ba_weight * balancedallocation.balanced_score(
                    *_lists(node, entry.ba_plan, use_requested=True),
                    [want for _, want in entry.ba_plan],
                )
            entry.combined[i] = total

    def find_feasible(
        self,
        state: CycleState,
        pod: PodInfo,
        nodes: Sequence[NodeInfo],
        start: int,
        to_find: int,
        statuses: NodeToStatus,
    ) -> tuple[NodeSlice, int]:
        """Feasible nodes from ``start`` in round-robin order, and how many nodes were processed."""
        entry, _, order = self._entry(state, pod)
        code = entry.code
        n = len(nodes)
        stop = start + to_find
        if stop <= n and not code[start:stop].any():
            # The common case: the next to_find nodes all pass.
            return NodeSlice(nodes, np.arange(start, stop, dtype=np.int64)), to_find
        rotated = np.concatenate((code[start:], code[:start])) if start else code
        passing = np.flatnonzero(rotated == 0)
        if len(passing) >= to_find:
            passing = passing[:to_find]
            processed = int(passing[-1]) + 1
        else:
            processed = n
        if len(passing) < processed:
            failed = np.flatnonzero(rotated[:processed])
            if start:
                failed = (failed + start) % n

            # Copies now: the entry moves on with later cycles.
            snap = (entry.code[failed], entry.bits[failed], entry.unresolvable[failed])

            def build() -> dict[str, Status]:
                return self._statuses_of(entry, order, nodes, failed, snap)

            statuses.defer(len(failed), build)
        feasible = passing + start
        if start:
            feasible %= n
        return NodeSlice(nodes, feasible), processed

    def _statuses_of(
        self,
        entry: _Entry,
        order: tuple[str, ...],
        nodes: Sequence[NodeInfo],
        failed: I64,
        snap: tuple[I64, I64, Bools],
    ) -> dict[str, Status]:
        """The statuses of the failing node indices ``failed``, from ``snap`` taken then."""
        out: dict[str, Status] = {}
        fit_pos = entry.fit_pos
        codes = snap[0].tolist()
        bits = snap[1].tolist()
        unresolvable = snap[2].tolist()
        for k, i in enumerate(failed.tolist()):
            code = codes[k]
            if code == fit_pos:
                status = self._fit_status_of(bits[k], unresolvable[k], entry.reasons_key)
            else:
                status = _STATIC_STATUS[order[code - 1]]
            out[nodes[i].name] = status
        return out

    def _fit_status_of(self, bits: int, unresolvable: bool, reasons: tuple[str, ...]) -> Status:
        key = (bits, unresolvable, reasons)
        status = self._fit_status.get(key)
        if status is None:
            chosen = [r for k, r in enumerate(reasons) if bits >> k & 1]
            code = Code.UnschedulableAndUnresolvable if unresolvable else Code.Unschedulable
            status = self._fit_status[key] = Status(code, *chosen, plugin=noderesources.NAME)
        return status
