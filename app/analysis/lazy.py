"""``lazy``: a property computed on first use and then stored on the instance.

``functools.cached_property`` does the same but, on Python 3.11, takes a lock
on every first use; an analysis of a large model makes hundreds of thousands
of such first uses (every finding's context), and the lock was a tenth of the
run. The objects here belong to one analysis run (or are shared read-only
after it), so two threads computing the same value at once only waste work:
they store equal results.
"""

from __future__ import annotations

from typing import Any, Callable, Generic, TypeVar, overload

T = TypeVar("T")


class lazy(Generic[T]):  # noqa: N801 - reads like the decorator it replaces
    """Non-data descriptor: once computed, the value in the instance's ``__dict__`` wins."""

    def __init__(self, fn: Callable[[Any], T]):
        self.fn = fn
        self.name = fn.__name__
        self.__doc__ = fn.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> "lazy[T]": ...

    @overload
    def __get__(self, obj: object, owner: type | None = None) -> T: ...

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.fn(obj)
        return value
