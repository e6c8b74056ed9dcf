"""What one candidate finding knows: its subject, its facts' witness paths, the graph.

Drivers (:mod:`app.analysis.drivers`) and texts (:mod:`app.analysis.narrative`)
read from this; nothing here decides anything.
"""

from __future__ import annotations

from itertools import chain

from app.analysis.facts import GraphFacts
from app.analysis.graph import ModelGraph
from app.analysis.lazy import lazy
from app.model.elements import Flow
from app.model.types import ElementKind


class FindingContext:
    """A subject (element or flow) with the witness paths of the facts that matched it."""

    def __init__(self, graph: ModelGraph, facts: GraphFacts, subject: str, is_flow: bool, paths: dict[str, tuple[str, ...]]):
        self.g = graph
        self.facts = facts
        self.subject = subject
        self.is_flow = is_flow
        self.paths = paths  # fact name -> witness path, in the entry's order
        self.consulted: list[tuple[str, ...]] = []  # other paths drivers read: inputs of the finding too
        self.reads: list[tuple[str, str]] = []  # (fact, subject) of every consult, held or not

    @lazy
    def primary(self) -> tuple[str, ...]:
        for p in self.paths.values():
            return p
        if self.is_flow:
            f = self.g.flows[self.subject]
            return (f.source, f.id, f.target)
        return (self.subject,)

    @lazy
    def ids(self) -> tuple[str, ...]:
        """Every element and flow involved: the subject first, then each path in order."""
        return tuple(dict.fromkeys(chain((self.subject,), self.primary, *self.paths.values())))

    @lazy
    def element_ids(self) -> tuple[str, ...]:
        return tuple(filter(self.g.elements.__contains__, self.ids))

    @lazy
    def flow_ids(self) -> tuple[str, ...]:
        return tuple(filter(self.g.flows.__contains__, self.ids))

    @property
    def flow(self) -> Flow | None:
        return self.g.flows[self.subject] if self.is_flow else None

    @lazy
    def focus(self) -> str:
        """The element whose downstream consequences count: the subject, or a flow's receiver."""
        return self.g.flows[self.subject].target if self.is_flow else self.subject

    @lazy
    def _by_kind(self) -> dict[ElementKind, list[str]]:
        out: dict[ElementKind, list[str]] = {}
        kind = self.g.kind
        for e in self.element_ids:
            out.setdefault(kind[e], []).append(e)
        return out

    def first(self, kind: ElementKind, where=None) -> str | None:
        """The first involved element of ``kind`` (subject first) satisfying ``where(props)``."""
        props = self.g.props
        for e in self._by_kind.get(kind, ()):
            if where is None or where(props[e]):
                return e
        return None

    def all_of(self, kind: ElementKind) -> list[str]:
        return list(self._by_kind.get(kind, ()))

    @lazy
    def origin(self) -> str:
        """Where the primary path starts (for a flow subject: its sender)."""
        return self.primary[0]

    @lazy
    def model(self) -> str | None:
        """The model at stake: the subject if it is one, else the nearest model on the paths."""
        if not self.is_flow and self.g.kind[self.subject] is ElementKind.MODEL:
            return self.subject
        return self.first(ElementKind.MODEL)

    def consult(self, fact: str, subject: str) -> tuple[str, ...] | None:
        """The witness of another fact, recorded as an input of this finding (None when it does not hold)."""
        self.reads.append((fact, subject))
        f = self.facts.get(fact)
        if subject not in f:
            return None
        path = f.path(subject)
        self.consulted.append(path)
        return path

    @lazy
    def decision(self) -> tuple[str, tuple[str, ...]] | None:
        return self.facts.decision_of(self.focus)

    @lazy
    def action(self) -> tuple[str, tuple[str, ...]] | None:
        return self.facts.action_of(self.focus)
