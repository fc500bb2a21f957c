"""Where the database file lives: network file systems, and who can read the file.

SQLite's write-ahead log needs the processes using a database on one host: "All processes
using a database must be on the same host computer; WAL does not work over a network
filesystem" (https://www.sqlite.org/wal.html), and its locking is unreliable over NFS and
SMB (https://www.sqlite.org/useovernet.html). qmstrack cannot stop anyone from putting the
file on a shared drive, so ``init`` and ``db check`` say so when it is:

- on Windows, a UNC path (``\\\\server\\share\\...``) or a drive letter whose type
  ``GetDriveTypeW`` reports as ``DRIVE_REMOTE`` (a mapped network drive);
- on Linux, the file system type of the mount holding the file, from ``/proc/mounts``
  (``nfs``, ``cifs``/``smb3``, ``sshfs``...). ``QMSTRACK_MOUNTS`` names another mount table
  in that format (for tests).

Who can read the file: on POSIX systems the database is created owner-only (mode 0600);
Windows has no such modes (Python's ``chmod`` only sets the read-only flag), and a file
there is as private as the folder's access rights make it: the user's own profile folder,
where qmstrack keeps it by default, is readable by that user (and administrators) only.
"""

from __future__ import annotations

import os
import stat
import sys
from dataclasses import dataclass
from pathlib import Path, PurePath, PureWindowsPath

from qmstrack.i18n import _

NETWORK_FILE_SYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "ncpfs", "afs", "coda",
    "ceph", "glusterfs", "lustre", "gpfs", "ocfs2", "gfs2", "9p", "davfs", "fuse.sshfs",
    "fuse.glusterfs", "fuse.rclone", "fuse.s3fs", "fuse.davfs2", "fuse.cephfs",
})
DRIVE_REMOTE = 4


def is_unc(path: str | os.PathLike) -> bool:
    """``\\\\server\\share\\x`` or ``//server/share/x`` (not ``\\\\?\\C:\\...``, a local
    long path)."""
    text = os.fspath(path)
    if text.startswith(("\\\\?\\", "//?/", "\\\\.\\")):
        return text[4:].upper().startswith("UNC\\")
    return text.startswith(("\\\\", "//")) and bool(PureWindowsPath(text).drive)


def _unescape(field: str) -> str:
    r"""/proc/mounts writes spaces, tabs, newlines and backslashes as \040 \011 \012 \134."""
    out, i = [], 0
    while i < len(field):
        if field[i] == "\\" and field[i + 1:i + 4].isdigit() and len(field[i + 1:i + 4]) == 3:
            out.append(chr(int(field[i + 1:i + 4], 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_type(path: str | os.PathLike, mounts: str) -> str | None:
    """The file system type of the mount (in a ``/proc/mounts`` text) holding ``path``."""
    target = PurePath(os.fspath(path))
    best: tuple[int, str] | None = None
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = PurePath(_unescape(fields[1]))
        if target == point or point in target.parents:
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return best[1] if best else None


def _existing(path: Path) -> Path:
    """The path itself, or its nearest existing parent (the file may not exist yet)."""
    path = path.absolute()
    for candidate in (path, *path.parents):
        if candidate.exists():
            return candidate.resolve()
    return path


def _windows_drive_is_remote(path: Path) -> bool:
    root = PureWindowsPath(str(path)).anchor
    if sys.platform == "win32" and root:
        import ctypes

        return ctypes.windll.kernel32.GetDriveTypeW(ctypes.c_wchar_p(root)) == DRIVE_REMOTE
    return False


def network_location(path: str | os.PathLike) -> str | None:
    """Why ``path`` is on a network file system (``nfs4``, ``a UNC path``...), or None."""
    if is_unc(path):
        return _("a UNC path")
    place = _existing(Path(path))
    if sys.platform == "win32":
        if is_unc(str(place)):
            return _("a UNC path")
        try:
            return _("a network drive") if _windows_drive_is_remote(place) else None
        except (OSError, AttributeError, ValueError):
            return None
    table = os.environ.get("QMSTRACK_MOUNTS") or "/proc/mounts"
    try:
        with open(table, encoding="utf-8", errors="replace") as fh:
            kind = mount_type(place, fh.read())
    except OSError:
        return None
    if kind and (kind in NETWORK_FILE_SYSTEMS or kind.split(".")[0] in NETWORK_FILE_SYSTEMS):
        return kind
    return None


def network_warning(path: str | os.PathLike) -> str | None:
    """The warning to give about a database on a network file system, if it is on one."""
    where = network_location(path)
    if where is None:
        return None
    return _("The database {path} is on a network file system ({where}). SQLite's "
             "write-ahead log does not work over a network file system, and its locks "
             "are not reliable over SMB or NFS: records can be lost or damaged when two "
             "computers use it. Keep the database on a local disk of one computer, and "
             "share reports and backups instead (https://www.sqlite.org/wal.html).").format(
                 path=path, where=where)


@dataclass(frozen=True)
class Privacy:
    private: bool
    explanation: str


def privacy(path: str | os.PathLike) -> Privacy:
    """Who can read the database file, in a sentence for people."""
    path = Path(path)
    if sys.platform == "win32":
        return Privacy(True, _(
            "On Windows, who can read {path} depends on the folder's access rights: your "
            "own profile folder (the default) is private to you and administrators; a "
            "shared folder is not.").format(path=path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return Privacy(True, "")
    if mode & 0o077:
        return Privacy(False, _(
            "The database {path} can be read by other users (mode {mode:o}); it holds "
            "personal data: run 'chmod 600 {path}'.").format(path=path, mode=mode))
    return Privacy(True, _("The database {path} is readable by its owner only (mode "
                           "{mode:o}).").format(path=path, mode=mode))
