"""Fill a ``bytes`` object in place, so that a large frame body is copied once, by the kernel.

A ``bytes`` object is immutable for Python code, but CPython's own ``os.read`` creates one
with ``PyBytes_FromStringAndSize(NULL, n)`` and reads into its storage before anyone sees
it. :func:`new_bytes` does the same through ``ctypes``: it returns a fresh, unshared object
and a writable view of its storage, which the frame reader fills with ``readinto``. The
object is handed out only when full, and nothing else holds it while it is written.

Where that is not available (another interpreter, no ``ctypes``), it falls back to a
``bytearray`` and one extra copy in :func:`freeze`.
"""

from __future__ import annotations

__all__ = ["freeze", "new_bytes", "zero_copy"]

try:
    import ctypes
    import sys

    if sys.implementation.name != "cpython":
        raise ImportError("not CPython")
    _from_size = ctypes.pythonapi.PyBytes_FromStringAndSize
    _from_size.restype = ctypes.py_object
    _from_size.argtypes = (ctypes.c_void_p, ctypes.c_ssize_t)
    _DATA_OFFSET = bytes.__basicsize__ - 1  # offsetof(PyBytesObject, ob_sval)
    zero_copy = True
except (ImportError, AttributeError, OSError):  # pragma: no cover - other interpreters
    zero_copy = False


def new_bytes(n: int) -> tuple[bytes | bytearray, memoryview]:
    """A new object of ``n`` bytes and a writable view of them; :func:`freeze` it when full.

    ``n`` must be at least 2: CPython shares its empty and one-byte ``bytes`` objects.
    """
    if n < 2:
        raise ValueError("new_bytes needs n >= 2")
    if zero_copy:
        data = _from_size(None, n)
        storage = (ctypes.c_char * n).from_address(id(data) + _DATA_OFFSET)
        return data, memoryview(storage).cast("B")
    data = bytearray(n)
    return data, memoryview(data)


def freeze(data: bytes | bytearray) -> bytes:
    """The filled object as ``bytes`` (the same object when it already is)."""
    return data if type(data) is bytes else bytes(data)
