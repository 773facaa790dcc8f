"""The control channel between the scenario runner and the kiosk it runs as a child
process (docs/automation.md, "The kiosk as a child process").

Two anonymous socket pairs join the processes; the child inherits its ends (never a
listening socket, never an address on disk or on the network), so nothing but these
two processes can write to them. On each, a frame is a 4-byte big-endian length and a
pickle. Pickle, not JSON: the scenario verbs run unchanged in the child and use the
simulated hall (which lives in the runner, so it survives the kiosk being killed)
through `Remote` references, and they compare what comes back by identity (enum
members: `sim.presenter is Presenter.PRESENTED`), read dataclasses and catch the
simulators' own exceptions, all of which pickle round-trips.

- the control pair: the runner sends ("init", {...}), ("verb", name, arg) and
  ("close",); the child answers each with one reply tuple (see child.py).
- the hall pair: the child asks, the runner's `HallServer` answers. A request names
  an object by reference number (0: the hall) and an operation: getattr, setattr,
  call, getitem, len, bool, repr, or `watch` (the printers' news, in one round trip).
  Data comes back as a value (scalars, paths, enums, dates, containers and
  dataclasses of those, exceptions); anything else as a new `Remote`.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import pickle
import select
import socket
import struct
import threading
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from typing import Any

_HEADER = struct.Struct(">I")
MAX_FRAME = 64 * 1024 * 1024  # a frame larger than this is a broken peer, not a message


class ChannelClosed(ConnectionError):
    """The other process is gone (it exited or was killed)."""


class ChannelTimeout(TimeoutError):
    pass


class Channel:
    """Length-prefixed pickles over one end of a socket pair."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self._send_lock = threading.Lock()

    def send(self, obj: Any, pickler: type[pickle.Pickler] = pickle.Pickler) -> None:
        buf = io.BytesIO()
        pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(obj)
        data = buf.getvalue()
        with self._send_lock:
            try:
                self.sock.sendall(_HEADER.pack(len(data)) + data)
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None

    def recv(self, timeout: float | None = None,
             unpickler: type[pickle.Unpickler] = pickle.Unpickler) -> Any:
        if timeout is not None:
            ready, _, _ = select.select([self.sock], [], [], timeout)
            if not ready:
                raise ChannelTimeout(f"no answer within {timeout:.0f} s")
        (size,) = _HEADER.unpack(self._exactly(_HEADER.size))
        if size > MAX_FRAME:
            raise ChannelClosed(f"frame of {size} bytes: the peer is broken")
        return unpickler(io.BytesIO(self._exactly(size))).load()

    def _exactly(self, n: int) -> bytes:
        chunks: list[bytes] = []
        while n:
            try:
                chunk = self.sock.recv(min(n, 1 << 20))
            except OSError as exc:
                raise ChannelClosed(str(exc)) from None
            if not chunk:
                raise ChannelClosed("the other process closed the channel")
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        try:  # wake a thread blocked in recv() on this socket, then let go of it
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        try:
            self.sock.close()
        except OSError:
            pass


# -- the hall, served by the runner ---------------------------------------------------

_SCALARS = (type(None), bool, int, float, complex, str, bytes, bytearray, PurePath, Enum,
            dt.date, dt.time, dt.timedelta, Decimal, BaseException)


def _is_engine(obj: Any) -> bool:
    return type(obj).__module__.startswith("sqlalchemy.engine") and hasattr(obj, "url") \
        and hasattr(obj, "dispose")


def is_data(obj: Any, depth: int = 0) -> bool:
    """Whether `obj` goes to the child as a value (a copy) rather than a reference."""
    if isinstance(obj, _SCALARS) or _is_engine(obj):
        return True
    if depth > 8:
        return False
    if isinstance(obj, (list, tuple, set, frozenset)):
        return all(is_data(x, depth + 1) for x in obj)
    if isinstance(obj, dict):
        return all(is_data(k, depth + 1) and is_data(v, depth + 1) for k, v in obj.items())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return all(is_data(getattr(obj, f.name), depth + 1) for f in dataclasses.fields(obj))
    return False


def _engine_from_url(url: str) -> Any:
    """The child's own engine on the hall's central database (same settings)."""
    from central.db import make_engine

    return make_engine(url)


class _HallPickler(pickle.Pickler):
    """A SQLAlchemy engine (the hall's central database) travels as its URL."""

    def reducer_override(self, obj: Any) -> Any:
        if _is_engine(obj):
            return _engine_from_url, (obj.url.render_as_string(hide_password=False),)
        return NotImplemented


class HallServer:
    """Answers the child's requests about the hall, on a thread of the runner."""

    def __init__(self, hall: Any, channel: Channel) -> None:
        self.channel = channel
        self._objects: dict[int, Any] = {0: hall}
        self._ids: dict[int, int] = {id(hall): 0}  # id(obj) -> reference (objects kept alive)
        self.thread = threading.Thread(target=self._serve, name="scenario-hall-server",
                                       daemon=True)

    def start(self) -> HallServer:
        self.thread.start()
        return self

    def _serve(self) -> None:
        server = self

        class Unpickler(pickle.Unpickler):
            def persistent_load(self, pid: Any) -> Any:  # a Remote the child passed back
                return server._objects[int(pid)]

        while True:
            try:
                request = self.channel.recv(unpickler=Unpickler)
            except (ChannelClosed, EOFError, pickle.UnpicklingError):
                return
            reply = self._answer(request)
            try:
                self.channel.send(reply, _HallPickler)
            except ChannelClosed:
                return
            except Exception as exc:  # noqa: BLE001 - an unpicklable answer is reported
                self.channel.send(("raise", RuntimeError(
                    f"the runner cannot send {type(exc).__name__}: {exc}")))

    def _answer(self, request: tuple[Any, ...]) -> tuple[str, Any]:
        try:
            op, ref, *rest = request
            obj = self._objects[ref]
            if op == "getattr":
                result = getattr(obj, rest[0])
            elif op == "setattr":
                setattr(obj, rest[0], rest[1])
                result = None
            elif op == "call":
                result = obj(*rest[0], **rest[1])
            elif op == "getitem":
                result = obj[rest[0]]
            elif op == "len":
                result = len(obj)
            elif op == "bool":
                result = bool(obj)
            elif op == "repr":
                result = repr(obj)
            elif op == "watch":
                result = _printers_news(obj, rest[0])
            else:
                raise ValueError(f"unknown hall operation {op!r}")
        except Exception as exc:  # noqa: BLE001 - the child raises it where it asked
            return ("raise", exc if _picklable(exc) else RuntimeError(f"{type(exc).__name__}: {exc}"))
        if is_data(result):
            return ("value", result)
        return ("ref", self._ref(result))

    def _ref(self, obj: Any) -> int:
        ref = self._ids.get(id(obj))
        if ref is None:
            ref = len(self._objects)
            self._objects[ref] = obj
            self._ids[id(obj)] = ref
        return ref


def _printers_news(hall: Any, receipts_seen: int) -> tuple[list[str], list[PurePath]]:
    """The text of each receipt cut since `receipts_seen`, and every A4 PDF so far."""
    docs = hall.printer.documents
    return [d.text for d in docs[receipts_seen:]], list(hall.a4.documents())


def _picklable(exc: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001
        return False
    return True


# -- the hall, as the child sees it ---------------------------------------------------

class HallClient:
    """The child's end of the hall pair; `root` is the hall itself."""

    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._lock = threading.Lock()  # one request in flight: replies come in order
        self.root = Remote(self, 0)

    def request(self, *request: Any) -> Any:
        with self._lock:
            self.channel.send(request, _RemotePickler)
            kind, payload = self.channel.recv()
        if kind == "value":
            return payload
        if kind == "ref":
            return Remote(self, payload)
        raise payload


class _RemotePickler(pickle.Pickler):
    def persistent_id(self, obj: Any) -> Any:
        if isinstance(obj, Remote):
            return str(object.__getattribute__(obj, "_ref"))
        return None


class Remote:
    """An object of the runner's hall, used as if it were here: attribute reads and
    writes, calls, indexing, len and truth go to the runner and back."""

    __slots__ = ("_client", "_ref")

    def __init__(self, client: HallClient, ref: int) -> None:
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_ref", ref)

    def _ask(self, op: str, *args: Any) -> Any:
        return object.__getattribute__(self, "_client").request(
            op, object.__getattribute__(self, "_ref"), *args)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name)

    def __setattr__(self, name: str, value: Any) -> None:
        self._ask("setattr", name, value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self._ask("call", args, kwargs)

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key)

    def __len__(self) -> int:
        return int(self._ask("len"))

    def __bool__(self) -> bool:
        return bool(self._ask("bool"))

    def __repr__(self) -> str:
        return f"<remote {self._ask('repr')}>"

    def _runner_printers_news(self, receipts_seen: int) -> tuple[list[str], list[PurePath]]:
        """(texts of receipts cut since `receipts_seen`, all A4 PDFs): the hall only."""
        return self._ask("watch", receipts_seen)
