"""The bounds a zip file meets before anything of it is inflated to disk or to memory.

Shared by :mod:`qmstrack.sheet_reader` (XLSX, XLSM and ODS workbooks) and
:mod:`qmstrack.verify` (zipped evidence bundles). A decompression bomb is a small file that
inflates enormously: a member is refused when it would inflate more than ``MAX_RATIO``
times its packed size, once it is larger than ``RATIO_FLOOR_BYTES`` (small files of
repeated text compress that well honestly; zlib's own limit for deflate is about 1032 to 1).
"""

from __future__ import annotations

MAX_RATIO = 250
RATIO_FLOOR_BYTES = 16 << 20


def ratio(size: int, packed: int) -> int:
    """How many times ``packed`` bytes inflate to ``size`` (rounded down)."""
    return size // max(packed, 1)


def inflates_too_much(size: int, packed: int) -> bool:
    """Whether ``packed`` bytes inflating to ``size`` bytes is a decompression bomb."""
    return size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(packed, 1)
