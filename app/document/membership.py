"""Boundary membership and nesting changes, checked before they become a patch.

Membership is explicit in the model: a boundary lists the elements directly
inside it, and a nested boundary names its ``parent``. In the editor it follows
geometry: the GUI works out which boundary now contains what and asks for that
here. This module turns such a request into new :class:`Boundary` objects and
refuses requests that would break the model's rules (an element in two
boundaries, a boundary inside itself, unknown ids, nesting deeper than the
file format allows).

Giving an element to a boundary takes it away from the boundary it was in
("take" semantics), so the caller only says where things are now.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Optional

from pydantic import ValidationError

from app.model import Boundary
from app.model.validate import MAX_BOUNDARY_DEPTH


class CommandError(ValueError):
    """An edit that cannot be made; the message says what and where, in the user's words."""


def describe_validation_error(exc: ValidationError, what: str) -> str:
    """A one-line, readable version of a pydantic error about ``what``."""
    parts = []
    for err in exc.errors(include_url=False)[:3]:
        loc = ".".join(str(p) for p in err["loc"]) or what
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown field"
        parts.append(f"{loc}: {msg}")
    return f"{what}: " + "; ".join(parts)


def validated(cls, data: dict, what: str):
    """``cls.model_validate(data)``, with failures reported as :class:`CommandError`."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise CommandError(describe_validation_error(exc, what)) from None


def membership_changes(
    document,
    members: Mapping[str, Iterable[str]] | None = None,
    parents: Mapping[str, Optional[str]] | None = None,
    *,
    new_boundaries: Mapping[str, Boundary] | None = None,
    new_elements: Iterable[str] = (),
) -> dict[str, Boundary]:
    """New boundary objects after setting ``members`` and ``parents``.

    ``members``: boundary id → the elements directly inside it from now on.
    ``parents``: boundary id → the id of the boundary it now sits in (``None``: top level).
    ``new_boundaries`` / ``new_elements``: items the same command is adding.
    Returns only the boundaries that change (including ones that lose a member
    to another boundary). Raises :class:`CommandError` for an impossible request.
    """
    members = {b: tuple(dict.fromkeys(ms)) for b, ms in (members or {}).items()}
    parents = dict(parents or {})
    added = dict(new_boundaries or {})
    added_elements = set(new_elements)

    def boundary(bid: str) -> Optional[Boundary]:
        return added.get(bid) or document.boundary(bid)

    for bid in (*members, *parents):
        if boundary(bid) is None:
            raise CommandError(f'no boundary with id "{bid}"')

    # members: every element at most once among the boundaries being set
    claimed: dict[str, str] = {}
    for bid, ms in members.items():
        for eid in ms:
            if document.element(eid) is None and eid not in added_elements:
                raise CommandError(f'boundary "{bid}": no element with id "{eid}"')
            if eid in claimed:
                raise CommandError(f'element "{eid}" cannot be directly inside both "{claimed[eid]}" and "{bid}"')
            claimed[eid] = bid

    final_members: dict[str, tuple[str, ...]] = dict(members)
    # take: an element given to a boundary leaves the one it was in
    for eid, bid in claimed.items():
        owner = document.boundary_of(eid)
        if owner is not None and owner != bid and owner not in members and owner not in added:
            current = final_members.get(owner, document.boundary(owner).members)
            final_members[owner] = tuple(m for m in current if m != eid)

    # parents: no cycles, no runaway depth
    for bid, pid in parents.items():
        if pid is not None and boundary(pid) is None:
            raise CommandError(f'boundary "{bid}": no boundary with id "{pid}" to sit in')

    def parent_of(bid: str) -> Optional[str]:
        if bid in parents:
            return parents[bid]
        b = boundary(bid)
        return b.parent if b is not None else None

    for bid in parents:
        seen = [bid]
        node = parent_of(bid)
        while node is not None:
            if node in seen:
                raise CommandError(f'boundary "{bid}" cannot sit inside itself (via {" → ".join(seen + [node])})')
            seen.append(node)
            if len(seen) > MAX_BOUNDARY_DEPTH:
                raise CommandError(f"boundaries cannot be nested deeper than {MAX_BOUNDARY_DEPTH} levels")
            node = parent_of(node)

    out: dict[str, Boundary] = {}
    for bid in {*final_members, *parents}:
        base = boundary(bid)
        new_members = final_members.get(bid, base.members)
        new_parent = parents.get(bid, base.parent)
        if bid in added or tuple(sorted(new_members)) != tuple(base.members) or new_parent != base.parent:
            data = base.model_dump()
            data["members"] = list(new_members)
            data["parent"] = new_parent
            out[bid] = validated(Boundary, data, f'boundary "{bid}"')
    return out


def assignment_members(document, assignment: Mapping[str, Optional[str]]) -> dict[str, tuple[str, ...]]:
    """``{element: boundary or None}`` → the ``members`` request that puts each element there."""
    out: dict[str, list[str]] = {}
    for eid, bid in assignment.items():
        if document.element(eid) is None:
            raise CommandError(f'no element with id "{eid}"')
        owner = document.boundary_of(eid)
        if owner == bid:
            continue
        if owner is not None:
            out.setdefault(owner, list(document.boundary(owner).members))
        if bid is not None:
            if document.boundary(bid) is None:
                raise CommandError(f'no boundary with id "{bid}"')
            out.setdefault(bid, list(document.boundary(bid).members))
    for eid, bid in assignment.items():
        for ms in out.values():
            if eid in ms:
                ms.remove(eid)
        if bid is not None and bid in out:
            out[bid].append(eid)
    return {b: tuple(ms) for b, ms in out.items()}
