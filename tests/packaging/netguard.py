"""Block and record every attempt to use the network from Python code.

Two layers, because either alone can be bypassed:

* ``socket.socket``, ``socket.create_connection``, ``getaddrinfo`` and the
  ``gethostby*`` resolvers are replaced (what code written the usual way
  calls);
* a ``sys.addaudithook`` hook sees CPython's own ``socket.*`` audit events,
  raised inside the C implementation, so it also catches ``_socket`` used
  directly or a ``socket`` class captured before the patch.

Unix-domain sockets stay allowed: Qt and D-Bus use them on the local machine
only. Every blocked attempt raises ``OSError`` *and* is recorded, so code that
swallows the error still fails the test. Qt's own C++ sockets are invisible
here; tests/packaging checks those at the system-call level with strace.
"""

from __future__ import annotations

import errno
import socket
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator

LOCAL_FAMILIES = {socket.AF_UNIX}
_RESOLVERS = ("getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo")
_AUDIT_EVENTS = {
    "socket.__new__",
    "socket.connect",
    "socket.bind",
    "socket.sendto",
    "socket.sendmsg",
    "socket.getaddrinfo",
    "socket.gethostbyname",
    "socket.gethostbyaddr",
    "socket.getnameinfo",
}


@dataclass
class Attempts:
    """What tried to reach the network while the guard was on."""

    records: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, what: str) -> None:
        with self.lock:
            self.records.append(what)


# The audit hook cannot be removed once installed (CPython design), so one hook
# is installed for the process and consults the active guard, if any.
_active: Attempts | None = None
_hook_installed = False


def _family_of(args: tuple) -> int | None:
    # socket.__new__ audit args: (sock, family, type, proto); connect/bind: (sock, address)
    if len(args) >= 2 and isinstance(args[1], int):
        return args[1]
    if args and isinstance(args[0], socket.socket):
        return args[0].family
    return None


def _audit(event: str, args: tuple) -> None:
    guard = _active
    if guard is None or event not in _AUDIT_EVENTS:
        return
    if event.startswith("socket.get"):
        guard.add(f"{event}{args!r}")
        raise OSError(errno.EACCES, f"network blocked by test: {event}")
    family = _family_of(args)
    if family in LOCAL_FAMILIES:
        return
    if event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg") and isinstance(
        args[-1] if args else None, (str, bytes)
    ):
        return  # a Unix-domain address (a path), on an already-allowed socket
    guard.add(f"{event} family={family!r}")
    raise OSError(errno.EACCES, f"network blocked by test: {event}")


def _install_hook() -> None:
    global _hook_installed
    if not _hook_installed:
        sys.addaudithook(_audit)
        _hook_installed = True


@contextmanager
def blocked_network(monkeypatch) -> Iterator[Attempts]:
    """Within the block, any internet-family socket or name lookup raises and is recorded."""
    global _active
    attempts = Attempts()
    real_socket = socket.socket

    class GuardedSocket(real_socket):  # type: ignore[misc, valid-type]
        def __init__(self, family=-1, type=-1, proto=-1, fileno=None):
            fam = socket.AF_INET if family == -1 else family
            if fileno is None and fam not in LOCAL_FAMILIES:
                attempts.add(f"socket.socket(family={fam!r}, type={type!r})")
                raise OSError(errno.EACCES, "network blocked by test: socket.socket")
            super().__init__(family, type, proto, fileno)

    def refuse(name: str):
        def blocked(*args, **kwargs):
            attempts.add(f"socket.{name}{args!r}")
            raise OSError(errno.EACCES, f"network blocked by test: socket.{name}")

        return blocked

    monkeypatch.setattr(socket, "socket", GuardedSocket)
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket, "create_server", refuse("create_server"))
    for name in _RESOLVERS:
        monkeypatch.setattr(socket, name, refuse(name))
    _install_hook()
    _active = attempts
    try:
        yield attempts
    finally:
        _active = None
