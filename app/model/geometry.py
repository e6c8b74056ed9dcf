"""Plane geometry on layout coordinates, shared by the canvas and the report (Qt-free)."""

from __future__ import annotations


def clip_segment(x0: float, y0: float, dx: float, dy: float,
                 left: float, top: float, right: float, bottom: float) -> tuple[float, float] | None:
    """Liang–Barsky: the parameters ``(t0, t1)`` of the part of the segment
    ``(x0, y0) + t·(dx, dy)``, 0 ≤ t ≤ 1, inside the box; None when it misses the box."""
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0 - left), (dx, right - x0), (-dy, y0 - top), (dy, bottom - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            if t > t0:
                t0 = t
        elif t < t1:
            t1 = t
        if t0 > t1:
            return None
    return t0, t1
