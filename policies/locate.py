"""Map a violation back to the line of the spec that caused it (SARIF, text output).

Model-decided findings name their spec node (``subject``); resource findings have a URN. A
resource belongs to the queue/topic/subscription/broker whose name is its own name, its
``name`` input, or the name of an ancestor component — or a prefix of one of these followed by
``-``/``.`` (``orders-dlq-policy`` → ``orders-dlq`` → queue ``orders``). The longest match wins,
so ``orders-billing`` (a subscription) beats ``orders`` (its topic).
"""

from __future__ import annotations

from collections.abc import Sequence

from policies.rule import Resource
from queuekit.model import BACKENDS, Source, Spec


def spec_nodes(spec: Spec) -> dict[str, Source]:
    """Every name a resource or finding may carry → where it is written in the spec."""
    nodes: dict[str, Source] = {}
    for b in spec.brokers.values():
        nodes[b.name] = b.source
    for t in spec.topics:
        nodes[t.name] = t.source
        for s in t.subscriptions:
            nodes[f"{t.name}/{s.name}"] = s.source
            nodes[t.subscription_queue_name(s)] = s.source
            if s.dead_letter is not None and not s.dead_letter.target:
                nodes[t.subscription_dlq_name(s)] = s.source
    for q in spec.queues:
        nodes[q.name] = q.source
        if q.dead_letter is not None and not q.dead_letter.target:
            nodes[q.dlq_name] = q.source
    if spec.budget is not None:
        nodes["budget"] = spec.budget.source
    return nodes


class Locator:
    """Resolves a URN or subject to a :class:`Source`; built once per check (O(resources))."""

    def __init__(self, spec: Spec, resources: Sequence[Resource]) -> None:
        self.nodes = spec_nodes(spec)
        self.by_urn = {r.urn: r for r in resources}
        self.fallback = Source(spec.path, 1, 1)

    def _match(self, name: str) -> Source | None:
        name = name.removesuffix(".fifo")
        backend, _, rest = name.partition("-")
        if backend in BACKENDS and rest and (hit := self._match(rest)):  # components prefix logical names
            return hit
        if name in self.nodes:
            return self.nodes[name]
        for i in range(len(name) - 1, 0, -1):  # longest prefix ending before a '-' or '.'
            if name[i] in "-." and name[:i] in self.nodes:
                return self.nodes[name[:i]]
        return None

    def source(self, urn: str | None, subject: str | None) -> Source:
        if subject and (hit := self._match(subject)):
            return hit
        seen = 0
        while urn and urn in self.by_urn and seen < 64:
            r = self.by_urn[urn]
            for name in (r.name, str(r.inputs.get("name") or "")):
                if name and (hit := self._match(name)):
                    return hit
            urn, seen = r.parent, seen + 1
        return self.fallback
