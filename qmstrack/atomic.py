"""Files replaced whole: every file qmstrack writes for people or for itself goes through here.

A file is written under a new hidden temporary name beside its target
(``.<name>.<random>.partial``, made by ``tempfile.mkstemp``: created with ``O_EXCL``, so
never through a link someone planted, never shared with another process writing the same
target, and readable by its owner only), flushed to disk, given its final permissions and
renamed over the target (``os.replace``, atomic on POSIX). A reader sees the old file or the
new one, never half of one. Any failure, an interruption included, removes the temporary
file and leaves the old target as it was. A target that is a symbolic link is replaced by
the new file; the file the link pointed to is never written.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

SUFFIX = ".partial"


def default_mode() -> int:
    """The permissions a new file gets from the process's umask (``0o666 & ~umask``)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


class AtomicFile:
    """A file being written under a temporary name; :meth:`commit` puts it in place.

    ``mode`` is applied just before the rename (``None`` keeps mkstemp's 0o600). ``binary``
    opens the temporary file for bytes; otherwise it is text in ``encoding`` with
    ``newline``. The temporary file is made beside ``target``, or in ``temp_dir`` when the
    target's name is only known once the content is (pass it to :meth:`commit` then; the
    folder must be on the target's file system). Also a context manager: the file is
    committed when the block ends normally and discarded when it raises.
    """

    def __init__(self, target: str | os.PathLike[str] | None = None, *,
                 mode: int | None = None, binary: bool = False, encoding: str = "utf-8",
                 newline: str | None = "\n", temp_dir: str | os.PathLike[str] | None = None):
        if target is None and temp_dir is None:
            raise ValueError("AtomicFile needs a target or a temp_dir.")
        self.target = Path(target) if target is not None else None
        self.mode = mode
        directory = Path(temp_dir) if temp_dir is not None else Path(target or ".").parent
        name = self.target.name if self.target is not None else "incoming"
        import tempfile  # not at the top: the commands that write no file skip its imports

        fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=SUFFIX)
        self.temp = Path(temp)
        try:
            if binary:
                self.file: IO[Any] = os.fdopen(fd, "wb")
            else:
                self.file = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        except BaseException:
            os.close(fd)
            self.temp.unlink(missing_ok=True)
            raise
        self._done = False
        self._prepared = False

    def prepare(self) -> None:
        """Flush the content to disk and close the file, so that :meth:`commit` is only the
        rename (which needs no free space); on failure the temporary file is removed."""
        if self._prepared:
            return
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            if self.mode is not None:
                os.chmod(self.temp, self.mode)
        except BaseException:
            self.discard()
            raise
        self._prepared = True

    def commit(self, target: str | os.PathLike[str] | None = None) -> Path:
        """Flush the file to disk and rename it over its target; return the target.

        On any failure the temporary file is removed and the exception raised again.
        """
        if self._done:
            raise ValueError(f"{self.temp} was already committed or discarded.")
        final = Path(target) if target is not None else self.target
        if final is None:
            self.discard()
            raise ValueError("AtomicFile.commit needs the target's name.")
        self.prepare()
        try:
            os.replace(self.temp, final)
        except BaseException:
            self.discard()
            raise
        self._done = True
        return final

    def discard(self) -> None:
        """Close and remove the temporary file; the target is left as it was."""
        self._done = True
        try:
            self.file.close()
        except OSError:
            pass
        self.temp.unlink(missing_ok=True)

    def __enter__(self) -> AtomicFile:
        return self

    def __exit__(self, exc_type, *_) -> None:
        if self._done:
            return
        if exc_type is None:
            self.commit()
        else:
            self.discard()


@contextmanager
def atomic_write(target: str | os.PathLike[str], *, mode: int | None = None,
                 binary: bool = False, encoding: str = "utf-8",
                 newline: str | None = "\n") -> Iterator[IO[Any]]:
    """``with atomic_write(path) as f: f.write(...)``: ``path`` is replaced when the block
    ends, or left untouched when it raises."""
    with AtomicFile(target, mode=mode, binary=binary, encoding=encoding,
                    newline=newline) as pending:
        yield pending.file


def write_atomically(target: str | os.PathLike[str], data: str | bytes, *,
                     mode: int | None = None, encoding: str = "utf-8") -> Path:
    """Replace ``target`` with ``data`` (text or bytes) in one step; return the target."""
    binary = isinstance(data, bytes)
    with AtomicFile(target, mode=mode, binary=binary, encoding=encoding) as pending:
        pending.file.write(data)
    return Path(target)
