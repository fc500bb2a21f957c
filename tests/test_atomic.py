"""Files replaced whole (qmstrack.atomic): old or new, never half, no temp left behind."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap

import pytest

from qmstrack.atomic import AtomicFile, atomic_write, default_mode, write_atomically


def mode(path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def names(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def old(tmp_path):
    target = tmp_path / "report.md"
    target.write_text("the old report\n", encoding="utf-8")
    return target


def test_writes_under_a_hidden_owner_only_temp_beside_the_target(tmp_path):
    target = tmp_path / "rejects.csv"
    with AtomicFile(target) as pending:
        pending.file.write("row,error\n")
        assert pending.temp.parent == tmp_path
        assert pending.temp.name.startswith(".rejects.csv.")
        assert pending.temp.name.endswith(".partial")
        assert mode(pending.temp) == 0o600
        assert not target.exists(), "the target appears only when complete"
    assert target.read_text(encoding="utf-8") == "row,error\n"
    assert mode(target) == 0o600
    assert names(tmp_path) == ["rejects.csv"]


def test_two_writers_of_one_target_never_share_a_temp(tmp_path):
    target = tmp_path / "backup.db"
    first, second = AtomicFile(target, binary=True), AtomicFile(target, binary=True)
    try:
        assert first.temp != second.temp
    finally:
        first.discard()
        second.discard()
    assert names(tmp_path) == []


def test_failure_in_the_middle_keeps_the_old_file_and_no_temp(old):
    with pytest.raises(ValueError, match="bad row"), atomic_write(old) as fh:
        fh.write("half of the new")
        raise ValueError("bad row")
    assert old.read_text(encoding="utf-8") == "the old report\n"
    assert names(old.parent) == ["report.md"]


def test_interrupt_in_the_middle_keeps_the_old_file_and_no_temp(old):
    with pytest.raises(KeyboardInterrupt), atomic_write(old) as fh:
        fh.write("half of the new")
        raise KeyboardInterrupt
    assert old.read_text(encoding="utf-8") == "the old report\n"
    assert names(old.parent) == ["report.md"]


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_failure_while_putting_it_in_place_keeps_the_old_file_and_no_temp(old, monkeypatch,
                                                                          step):
    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(f"qmstrack.atomic.os.{step}", broken)
    with pytest.raises(OSError, match="No space left"):
        write_atomically(old, "the new report\n", mode=0o644)
    monkeypatch.undo()
    assert old.read_text(encoding="utf-8") == "the old report\n"
    assert names(old.parent) == ["report.md"]


def test_killed_writer_leaves_the_old_file_whole(old):
    """A kill cannot be cleaned up after; the target still holds the old content and the
    only trace is a hidden ``.partial`` file."""
    script = textwrap.dedent(f"""
        import sys, time
        from qmstrack.atomic import AtomicFile
        pending = AtomicFile({str(old)!r})
        pending.file.write("half of the new")
        pending.file.flush()
        print("ready", flush=True)
        time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
        proc.stdout.close()
    assert old.read_text(encoding="utf-8") == "the old report\n"
    left = [n for n in names(old.parent) if n != "report.md"]
    assert len(left) == 1 and left[0].startswith(".report.md.") and left[0].endswith(".partial")


def test_mode_is_applied_whatever_the_umask(tmp_path):
    previous = os.umask(0o077)
    try:
        assert default_mode() == 0o600
        assert os.umask(0o077) == 0o077, "default_mode gives the umask back"
        write_atomically(tmp_path / "public.html", "<p>ok</p>", mode=0o644)
        write_atomically(tmp_path / "private.csv", "nip\n")
        write_atomically(tmp_path / "store.bin", b"\x00\x01", mode=0o400)
    finally:
        os.umask(previous)
    assert mode(tmp_path / "public.html") == 0o644
    assert mode(tmp_path / "private.csv") == 0o600
    assert mode(tmp_path / "store.bin") == 0o400
    assert (tmp_path / "store.bin").read_bytes() == b"\x00\x01"
    previous = os.umask(0o022)
    try:
        assert default_mode() == 0o644
    finally:
        os.umask(previous)


def test_a_target_that_is_a_link_is_replaced_not_followed(tmp_path):
    precious = tmp_path / "thesis.docx"
    precious.write_text("do not overwrite", encoding="utf-8")
    target = tmp_path / "summary.txt"
    target.symlink_to(precious)
    write_atomically(target, "today's summary\n")
    assert not target.is_symlink()
    assert target.read_text(encoding="utf-8") == "today's summary\n"
    assert precious.read_text(encoding="utf-8") == "do not overwrite"


def test_planted_links_at_temp_names_are_never_written_through(tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("do not overwrite", encoding="utf-8")
    target = tmp_path / "out.csv"
    for planted in (f".out.csv.{os.getpid()}.partial", ".out.csv.partial", "out.csv.partial"):
        (tmp_path / planted).symlink_to(precious)
    write_atomically(target, "a,b\n")
    assert target.read_text(encoding="utf-8") == "a,b\n"
    assert precious.read_text(encoding="utf-8") == "do not overwrite"


def test_text_options_are_kept(tmp_path):
    target = tmp_path / "rejects.csv"
    with atomic_write(target, encoding="utf-8-sig", newline="") as fh:
        fh.write("a\r\nb\n")
    assert target.read_bytes() == b"\xef\xbb\xbfa\r\nb\n"
    write_atomically(target, "baris\n")
    assert target.read_bytes() == b"baris\n"


def test_a_name_known_only_at_the_end(tmp_path):
    """Content-addressed files: the temp waits in a given folder; commit names the target."""
    incoming = tmp_path / "tmp"
    incoming.mkdir()
    (tmp_path / "ab").mkdir()
    pending = AtomicFile(binary=True, mode=0o400, temp_dir=incoming)
    pending.file.write(b"%PDF-1.4")
    assert [p.parent for p in incoming.iterdir()] == [incoming]
    with pytest.raises(ValueError, match="target"):
        AtomicFile().discard()
    final = pending.commit(tmp_path / "ab" / "abcdef")
    assert final.read_bytes() == b"%PDF-1.4" and mode(final) == 0o400
    assert names(incoming) == []
    with pytest.raises(ValueError, match="already committed"):
        pending.commit(tmp_path / "ab" / "again")
    pending.discard()
    assert final.exists(), "discarding after the commit leaves the target alone"

    nameless = AtomicFile(temp_dir=incoming)
    with pytest.raises(ValueError, match="target's name"):
        nameless.commit()
    assert names(incoming) == [], "a refused commit removes the temp"


def test_a_missing_folder_is_an_os_error_and_writes_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "no" / "such" / "file.txt", "x")
    assert names(tmp_path) == []


def test_prepare_puts_the_content_on_disk_and_commit_only_renames(old):
    pending = AtomicFile(old, mode=0o640)
    pending.file.write("the new report\n")
    pending.prepare()
    assert pending.file.closed and mode(pending.temp) == 0o640
    assert pending.temp.read_text(encoding="utf-8") == "the new report\n"
    assert old.read_text(encoding="utf-8") == "the old report\n"
    pending.prepare()  # twice is once
    assert pending.commit() == old
    assert old.read_text(encoding="utf-8") == "the new report\n"
    assert names(old.parent) == ["report.md"]
