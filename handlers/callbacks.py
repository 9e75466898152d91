"""callback_data codec: short strings "<feature>:<action>[:<arg>...]" carrying ids only.

Every click is re-authorised server-side; these strings are only hints of what was pressed.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
# Every id column is a 32-bit INTEGER: a bigger number can match no row, and on PostgreSQL it
# does not even reach the query ("value out of int32 range"). Numbers in buttons are ids or
# small choices (an index, a 0/1 flag, a yyyymmdd day), so they all fit in 0..INT32_MAX.
INT32_MAX = 2**31 - 1
_SAFE = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


@dataclass(frozen=True)
class Callback:
    """A decoded button press."""

    feature: str
    action: str
    args: tuple[str, ...] = ()

    def int_arg(self, index: int = 0) -> int:
        """Argument `index` as an int in 0..INT32_MAX (an id, an index or a flag); ValueError
        for anything else, which every feature answers as a stale button (forged data)."""
        value = self.args[index]
        if not value.isascii() or not value.isdigit() or len(value) > 10:
            raise ValueError("not a number")
        number = int(value)
        if number > INT32_MAX:
            raise ValueError("out of range")
        return number

    def id_arg(self, index: int = 0) -> int:
        """Argument `index` as a row id, 1..INT32_MAX; ValueError for anything else."""
        number = self.int_arg(index)
        if number < 1:
            raise ValueError("not an id")
        return number


def encode(feature: str, action: str, *args: str | int) -> str:
    """Build callback_data; refuses anything that could not round-trip or is too long."""
    parts = [feature, action, *(str(a) for a in args)]
    for part in parts:
        if not part or not set(part) <= _SAFE:
            raise ValueError(f"unsafe callback part {part!r}")
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise ValueError("callback_data longer than 64 bytes")
    return data


def decode(data: str | None) -> Callback | None:
    """Parse callback_data; None when it is not in our format (stale or forged)."""
    if not data or len(data.encode()) > MAX_BYTES:
        return None
    parts = data.split(":")
    if len(parts) < 2 or any(not p or not set(p) <= _SAFE for p in parts):
        return None
    return Callback(parts[0], parts[1], tuple(parts[2:]))
