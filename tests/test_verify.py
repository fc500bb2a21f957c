"""``qmstrack verify`` on any BagIt bag (RFC 8493), and on damaged or hostile bundles.

The bags are built here, one per case of the Library of Congress BagIt conformance suite
(github.com/LibraryOfCongress/bagit-conformance-suite: ``valid``, ``invalid`` and
``warning`` bags for BagIt 0.97 and 1.0), with the names of its cases, plus qmstrack's own
rule: a valid bag whose manifests use only MD5 or SHA-1, or a holey one, passes with a
warning and exit 3. Every bag that passes prints its fingerprint.
"""

from __future__ import annotations

import hashlib
import lzma
import shutil
import zipfile
from collections import namedtuple
from pathlib import Path

import pytest

from qmstrack.errors import IntegrityFailure
from qmstrack.exitcodes import ExitCode
from qmstrack.verify import extract_zip

FILES = {"data/hello.txt": b"hello\n", "data/dir1/test3.txt": b"test three\n",
         "data/with space.txt": b"a file name with a space\n"}


def digest(algorithm: str, data: bytes) -> str:
    return hashlib.new(algorithm, data).hexdigest()


def write_manifest(root: Path, name: str, algorithm: str, paths: list[str],
                   encoding: str = "utf-8", sep: str = "  ") -> None:
    lines = "".join(f"{digest(algorithm, (root / p).read_bytes())}{sep}{p}\n" for p in paths)
    (root / name).write_bytes(lines.encode(encoding))


def make_bag(root: Path, *, version: str = "1.0", algorithms: tuple[str, ...] = ("sha512",),
             tag_algorithms: tuple[str, ...] | None = None, files: dict | None = None,
             info: str | None = "Payload-Oxum: auto\nContact-Name: Ani Lestari\n",
             encoding: str = "UTF-8", declaration: bytes | None = None) -> Path:
    """A bag as a BagIt tool would write it; the tests then damage it one way or another."""
    files = FILES if files is None else files
    root.mkdir(parents=True)
    (root / "data").mkdir()
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    (root / "bagit.txt").write_bytes(declaration or (
        f"BagIt-Version: {version}\nTag-File-Character-Encoding: {encoding}\n").encode())
    codec = encoding.lower()
    for algorithm in algorithms:
        write_manifest(root, f"manifest-{algorithm}.txt", algorithm, sorted(files), codec)
    if info is not None:
        oxum = f"{sum(len(d) for d in files.values())}.{len(files)}"
        (root / "bag-info.txt").write_bytes(info.replace("auto", oxum).encode(codec))
    retag(root, tag_algorithms if tag_algorithms is not None else algorithms)
    return root


def retag(root: Path, algorithms: tuple[str, ...] | None = None) -> None:
    """Write the tag manifests again (after a tag file was changed)."""
    if algorithms is None:
        algorithms = tuple(p.name[len("tagmanifest-"):-4]
                           for p in root.glob("tagmanifest-*.txt"))
    for old in root.glob("tagmanifest-*.txt"):
        old.unlink()
    tag_files = sorted(p.name for p in root.iterdir()
                       if p.is_file() and not p.name.startswith("tagmanifest-"))
    codec = "utf-8"
    declared = (root / "bagit.txt").read_bytes().split(b"Encoding: ")[-1].strip()
    if declared.lower().startswith((b"utf-16", b"iso-8859")):
        codec = declared.decode().lower()
    for algorithm in algorithms:
        write_manifest(root, f"tagmanifest-{algorithm}.txt", algorithm, tag_files, codec)


Verified = namedtuple("Verified", "code stderr fingerprint")


def verify(cli, path: Path) -> Verified:
    result = cli("verify", str(path))
    assert "Traceback" not in result.output
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("Fingerprint")]
    return Verified(result.exit_code, result.stderr,
                    lines[0].rsplit(" ", 1)[-1] if lines else "")


def computed_fingerprint(root: Path) -> str:
    """The SHA-256 tag manifest of every tag file, one 'checksum  path' line each."""
    lines = "".join(f"{digest('sha256', p.read_bytes())}  {p.name}\n"
                    for p in sorted(root.iterdir())
                    if p.is_file() and not p.name.startswith("tagmanifest-"))
    return hashlib.sha256(lines.encode()).hexdigest()


def assert_invalid(cli, bag: Path, *reasons: str) -> str:
    got = verify(cli, bag)
    assert got.code == ExitCode.FAILED, got.stderr
    assert got.stderr.startswith("Error: "), got.stderr
    assert "Bag valid" not in got.stderr and not got.fingerprint
    for reason in reasons:
        assert reason in got.stderr, got.stderr
    return got.stderr


# --- valid ---------------------------------------------------------------------------


@pytest.mark.parametrize(("version", "algorithm"), [("1.0", "sha512"), ("1.0", "sha256"),
                                                    ("0.97", "sha256"), ("0.97", "sha512")])
def test_valid_basic_bag_passes_with_its_fingerprint(cli, tmp_path, version, algorithm):
    bag = make_bag(tmp_path / "basic-bag", version=version, algorithms=(algorithm,),
                   tag_algorithms=(algorithm, "sha256"))
    got = verify(cli, bag)
    assert got.code == ExitCode.OK, got.stderr
    assert f"Bag valid: 3 files (BagIt {version}, {algorithm.upper()})." in got.stderr
    assert "Warning" not in got.stderr
    expected = hashlib.sha256((bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    assert got.fingerprint == expected
    assert "SHA-256 of tagmanifest-sha256.txt" in got.stderr


def test_valid_bag_without_a_sha256_tag_manifest_gets_a_computed_fingerprint(cli, tmp_path):
    bag = make_bag(tmp_path / "basicBag", algorithms=("sha512",))
    got = verify(cli, bag)
    assert got.code == ExitCode.OK, got.stderr
    assert got.fingerprint == computed_fingerprint(bag)
    assert "computed by qmstrack" in got.stderr
    # Without any tag manifest at all, too.
    (bag / "tagmanifest-sha512.txt").unlink()
    again = verify(cli, bag)
    assert again.code == ExitCode.OK and again.fingerprint == computed_fingerprint(bag)


@pytest.mark.parametrize("version", ["0.97", "1.0"])
def test_valid_minimal_bag_without_bag_info(cli, tmp_path, version):
    bag = make_bag(tmp_path / "minimal-bag", version=version, info=None,
                   files={"data/README": b"x"})
    assert verify(cli, bag).code == ExitCode.OK


def test_valid_bag_in_a_bag(cli, tmp_path):
    inner = make_bag(tmp_path / "inner")
    files = {f"data/inner/{p.relative_to(inner).as_posix()}": p.read_bytes()
             for p in sorted(inner.rglob("*")) if p.is_file()}
    assert verify(cli, make_bag(tmp_path / "bag-in-a-bag", files=files)).code == ExitCode.OK


def test_valid_bag_with_encoded_names(cli, tmp_path):
    """1.0 decodes %25, %0A and %0D in manifest paths, and nothing else."""
    files = {"data/100%.txt": b"a", "data/%7Etest1.txt": b"b", "data/dir1/~test3.txt": b"c"}
    bag = make_bag(tmp_path / "bag-with-encoded-names", files=files)
    lines = "".join(f"{digest('sha512', data)}  {rel.replace('100%', '100%25')}\n"
                    for rel, data in files.items())
    (bag / "manifest-sha512.txt").write_text(lines)
    retag(bag)
    got = verify(cli, bag)
    assert got.code == ExitCode.OK, got.stderr
    # In 0.97 nothing is decoded: "100%25.txt" is another file, which is missing.
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    retag(bag)
    assert_invalid(cli, bag, "missing: data/100%25.txt", "extra: data/100%.txt")


@pytest.mark.parametrize("encoding", ["UTF-16", "ISO-8859-1"])
def test_valid_bag_with_tag_files_in_another_encoding(cli, tmp_path, encoding):
    info = "Source-Organization: Dinas Pendidikan Provinsi Kalimantan Timur\n" \
           "Internal-Sender-Description: Bukti mutu – periode 2026\n"
    if encoding == "ISO-8859-1":
        info = info.replace("–", "-") + "Contact-Name: José Núñez\n"
    bag = make_bag(tmp_path / f"{encoding}-encoded-tag-files", encoding=encoding, info=info)
    got = verify(cli, bag)
    assert got.code == ExitCode.OK, got.stderr


def test_valid_bag_with_uncommon_metadata_separators_and_repeated_labels(cli, tmp_path):
    info = ("Payload-Oxum: auto\nTest-Tag: 1\nTest-Tag:   2\nTest-Tag : 3\nTest-Tag\t:\t4\n"
            "External-Description: a long value\n  continued on the next line\n")
    bag = make_bag(tmp_path / "uncommon-metadata-separators", version="0.97", info=info)
    assert verify(cli, bag).code == ExitCode.OK


def test_valid_bag_with_crlf_and_cr_line_endings(cli, tmp_path):
    bag = make_bag(tmp_path / "crlf", declaration=b"BagIt-Version: 1.0\r\n"
                   b"Tag-File-Character-Encoding: UTF-8\r\n")
    manifest = bag / "manifest-sha512.txt"
    manifest.write_bytes(manifest.read_bytes().replace(b"\n", b"\r"))
    retag(bag)
    assert verify(cli, bag).code == ExitCode.OK


# --- invalid -------------------------------------------------------------------------


@pytest.mark.parametrize(("case", "declaration"), [
    ("bagit-with-invalid-whitespace",
     b"BagIt-Version : 1.0\nTag-File-Character-Encoding : UTF-8\n"),
    ("bagit-with-trailing-space", b"BagIt-Version: 1.0 \nTag-File-Character-Encoding: UTF-8\n"),
    ("bom-in-bagit.txt", b"\xef\xbb\xbfBagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n"),
    ("baginfo-missing-encoding", b"BagIt-Version: 0.97\n"),
    ("invalid-version-number", b"BagIt-Version: .97\nTag-File-Character-Encoding: UTF-8\n"),
    ("unknown-encoding", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: KLINGON-8\n"),
    ("unknown-version", b"BagIt-Version: 7.0\nTag-File-Character-Encoding: UTF-8\n"),
])
def test_invalid_bag_declaration_is_refused(cli, tmp_path, case, declaration):
    bag = make_bag(tmp_path / case, declaration=declaration)
    stderr = assert_invalid(cli, bag, "is not a valid BagIt bag", "bagit.txt")
    assert stderr.count("Error:") == 1


def test_invalid_missing_bagit_txt_and_payload_folder(cli, tmp_path):
    bag = make_bag(tmp_path / "missing-bagit.txt")
    (bag / "bagit.txt").unlink()
    assert_invalid(cli, bag, "there is no bagit.txt")
    other = make_bag(tmp_path / "no-data")
    shutil.rmtree(other / "data")
    assert_invalid(cli, other, "there is no payload folder data/")
    no_manifest = make_bag(tmp_path / "no-manifest")
    (no_manifest / "manifest-sha512.txt").unlink()
    assert_invalid(cli, no_manifest, "no payload manifest")


@pytest.mark.parametrize("version", ["0.97", "1.0"])
def test_invalid_corrupt_data_file_extra_file_and_missing_file(cli, tmp_path, version):
    bag = make_bag(tmp_path / "corrupt-data-file", version=version)
    (bag / "data" / "hello.txt").write_bytes(b"HELLO\n")
    (bag / "data" / "bar").write_bytes(b"extra-file-in-bag")
    (bag / "data" / "dir1" / "test3.txt").unlink()
    assert_invalid(cli, bag, "altered: data/hello.txt", "extra: data/bar",
                   "missing: data/dir1/test3.txt")


@pytest.mark.parametrize("version", ["0.97", "1.0"])
def test_invalid_corrupt_tag_file_and_missing_bag_info(cli, tmp_path, version):
    bag = make_bag(tmp_path / "corrupt-tag-file", version=version)
    info = bag / "bag-info.txt"
    info.write_text(info.read_text() + "Contact-Email: forged@example.id\n")
    assert_invalid(cli, bag, "altered: bag-info.txt")
    info.unlink()
    assert_invalid(cli, bag, "missing: bag-info.txt")


@pytest.mark.parametrize("path", ["../../../README.md", "/tmp/foo", "~/foo", "~root/foo",
                                  "C:\\Windows\\System32\\setx.exe", "data/../../etc/passwd",
                                  "\\\\?\\UNC\\server\\setx.exe"])
@pytest.mark.parametrize("where", ["manifest", "fetch"])
def test_invalid_out_of_scope_file_paths(cli, tmp_path, path, where):
    bag = make_bag(tmp_path / "out-of-scope", version="0.97")
    if where == "manifest":
        with open(bag / "manifest-sha512.txt", "a") as f:
            f.write(f"{digest('sha512', b'x')}  {path}\n")
    else:
        (bag / "fetch.txt").write_text(f"http://localhost:8989/test.txt - {path}\r\n")
    retag(bag)
    assert_invalid(cli, bag, "leaves the bag")
    assert not (tmp_path / "README.md").exists()


def test_invalid_fetch_of_a_file_outside_the_payload_or_in_no_manifest(cli, tmp_path):
    bag = make_bag(tmp_path / "fetch-tag-file")
    (bag / "fetch.txt").write_text("http://localhost/bag-info.txt 10 bag-info.txt\n"
                                   "http://localhost/other.txt - data/other.txt\n"
                                   "garbage\n")
    retag(bag)
    assert_invalid(cli, bag, "fetch.txt names bag-info.txt, outside the payload",
                   "fetch.txt names data/other.txt, which no manifest lists",
                   "fetch.txt, line 3: not 'url length path'")


@pytest.mark.parametrize("version", ["0.97", "1.0"])
def test_invalid_same_filename_listed_twice_with_different_hashes(cli, tmp_path, version):
    bag = make_bag(tmp_path / "twice", version=version, algorithms=("sha256", "sha512"))
    with open(bag / "manifest-sha256.txt", "a") as f:
        f.write(f"{digest('sha256', b'other')}  data/hello.txt\n")
    retag(bag)
    assert_invalid(cli, bag, "manifest-sha256.txt lists data/hello.txt more than once")


def test_invalid_same_filename_listed_twice_with_the_same_hash_in_1_0(cli, tmp_path):
    bag = make_bag(tmp_path / "same-filename-listed-twice-with-the-same-hash")
    with open(bag / "manifest-sha512.txt", "a") as f:
        f.write(f"{digest('sha512', FILES['data/hello.txt'])}  data/hello.txt\n")
    retag(bag)
    assert_invalid(cli, bag, "lists data/hello.txt more than once")


def test_invalid_not_all_manifests_list_all_files_in_1_0(cli, tmp_path):
    bag = make_bag(tmp_path / "notAllManifestsListAllFiles", algorithms=("sha256", "sha512"))
    write_manifest(bag, "manifest-sha256.txt", "sha256", ["data/hello.txt"])
    retag(bag)
    assert_invalid(cli, bag, "manifest-sha256.txt does not list data/dir1/test3.txt")
    # Before 1.0, one manifest listing a file is enough.
    (bag / "bagit.txt").write_text("BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n")
    retag(bag)
    assert verify(cli, bag).code == ExitCode.OK


def test_invalid_tag_manifest_listing_a_payload_file_or_a_bad_line(cli, tmp_path):
    bag = make_bag(tmp_path / "tag-lists-payload")
    with open(bag / "tagmanifest-sha512.txt", "a") as f:
        f.write(f"{digest('sha512', FILES['data/hello.txt'])}  data/hello.txt\n")
    with open(bag / "manifest-sha512.txt", "a") as f:
        f.write("not-a-checksum data/hello.txt\n")
    assert_invalid(cli, bag, "a tag manifest lists tag files only",
                   "manifest-sha512.txt, line 4: not a SHA512 checksum and a path")


def test_invalid_symbolic_link_in_the_payload(cli, tmp_path):
    bag = make_bag(tmp_path / "link")
    (bag / "data" / "passwd").symlink_to("/etc/passwd")
    assert_invalid(cli, bag, "symbolic link: data/passwd")


# --- warning -------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["0.97", "1.0"])
@pytest.mark.parametrize("algorithms", [("md5",), ("sha1",), ("md5", "sha1")])
def test_warning_weak_manifests_only_exit_3_with_the_fingerprint(cli, tmp_path, version,
                                                                 algorithms):
    bag = make_bag(tmp_path / "made-with-md5", version=version, algorithms=algorithms)
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION, got.stderr
    assert "Warning: The bag's manifests use only" in got.stderr
    assert "cannot show that nothing was changed on purpose" in got.stderr
    assert "Bag valid: 3 files" in got.stderr
    assert got.fingerprint == computed_fingerprint(bag)


def test_a_tampered_export_re_manifested_with_md5_exits_3_with_another_fingerprint(
        cli, tmp_path):
    bag = make_bag(tmp_path / "export", algorithms=("sha256",))
    original = verify(cli, bag)
    assert original.code == ExitCode.OK
    (bag / "data" / "hello.txt").write_bytes(b"forged\n")
    (bag / "manifest-sha256.txt").unlink()
    write_manifest(bag, "manifest-md5.txt", "md5", sorted(FILES))
    info = bag / "bag-info.txt"
    info.write_text(info.read_text().replace("Payload-Oxum: 42.3", "Payload-Oxum: 43.3"))
    retag(bag, ("md5",))
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION, got.stderr
    assert "only MD5" in got.stderr
    assert got.fingerprint and got.fingerprint != original.fingerprint


@pytest.mark.parametrize("version", ["0.97", "1.0"])
def test_warning_holey_bag(cli, tmp_path, version):
    bag = make_bag(tmp_path / "holey-bag", version=version, algorithms=("sha256",))
    (bag / "fetch.txt").write_text(
        "http://localhost:8989/holey-bag/data/dir1/test3.txt - data/dir1/test3.txt\r\n"
        "http://localhost:8989/holey-bag/data/hello.txt 6 data/hello.txt\r\n")
    (bag / "data" / "dir1" / "test3.txt").unlink()
    retag(bag)
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION, got.stderr
    assert "holey: 1 of the files fetch.txt names are still to be fetched (first " \
           "data/dir1/test3.txt)" in got.stderr
    assert got.fingerprint == hashlib.sha256(
        (bag / "tagmanifest-sha256.txt").read_bytes()).hexdigest()
    # A file fetch.txt names that is there is checked all the same.
    (bag / "data" / "hello.txt").write_bytes(b"forged")
    assert_invalid(cli, bag, "altered: data/hello.txt")


def test_warning_made_with_md5sum_tools_and_relative_paths(cli, tmp_path):
    bag = make_bag(tmp_path / "made-with-md5sum-tools", version="0.97",
                   algorithms=("sha256",))
    write_manifest(bag, "manifest-sha256.txt", "sha256",
                   ["./data/hello.txt", "data/dir1/test3.txt", "data/with space.txt"],
                   sep=" *")
    retag(bag)
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION, got.stderr
    assert "marks paths with '*'" in got.stderr
    assert "writes paths starting with './'" in got.stderr


def test_warning_same_filename_listed_twice_with_the_same_hash_in_0_97(cli, tmp_path):
    bag = make_bag(tmp_path / "same-hash", version="0.97")
    with open(bag / "manifest-sha512.txt", "a") as f:
        f.write(f"{digest('sha512', FILES['data/hello.txt'])}  data/hello.txt\n")
    retag(bag)
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION
    assert "lists data/hello.txt twice, with the same checksum" in got.stderr


def test_warning_special_system_files_and_unlisted_tag_files(cli, tmp_path):
    files = {"data/.DS_Store": b"", "data/Thumbs.db": b"", "data/hello.txt": b"hi"}
    bag = make_bag(tmp_path / "special-system-files", version="0.97", files=files)
    (bag / "debug").write_text("left by a tool\n")
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION
    assert "data/.DS_Store is a file the operating system writes" in got.stderr
    assert "The tag file debug is listed by no tag manifest" in got.stderr


def test_warning_normalization_twins_are_one_file(cli, tmp_path):
    """NFC and NFD spellings of one name read as one path (0.97 warns, like the suite)."""
    nfc = "data/Nu\u0301n\u0303ez".encode().decode()
    import unicodedata

    composed = unicodedata.normalize("NFC", nfc)
    bag = make_bag(tmp_path / "normalization", version="0.97", files={composed: b"n"})
    with open(bag / "manifest-sha512.txt", "a") as f:
        f.write(f"{digest('sha512', b'n')}  {unicodedata.normalize('NFD', composed)}\n")
    retag(bag)
    got = verify(cli, bag)
    assert got.code == ExitCode.ATTENTION, got.stderr
    assert "twice, with the same checksum" in got.stderr


# --- damaged bundles (issue 22) --------------------------------------------------------


def test_garbage_payload_oxum_and_a_wrong_one(cli, tmp_path):
    bag = make_bag(tmp_path / "oxum", info="Payload-Oxum: lots.of.bytes\n")
    assert_invalid(cli, bag, "the Payload-Oxum 'lots.of.bytes' is not 'octets.files'")
    wrong = make_bag(tmp_path / "wrong-oxum", info="Payload-Oxum: 999.3\n")
    assert_invalid(cli, wrong, "says 999 bytes in 3 files; the payload holds")


def test_undecodable_tag_files(cli, tmp_path):
    bag = make_bag(tmp_path / "undecodable", info=None)
    (bag / "bag-info.txt").write_bytes(b"Contact-Name: \xff\xfe\x81 broken\n")
    retag(bag)
    stderr = assert_invalid(cli, bag, "bag-info.txt is not valid UTF-8 text")
    assert stderr.count("Error:") == 1
    manifest = make_bag(tmp_path / "undecodable-manifest")
    (manifest / "manifest-sha512.txt").write_bytes(b"\xc3\x28 data/hello.txt\n")
    assert_invalid(cli, manifest, "manifest-sha512.txt is not valid UTF-8 text")
    declaration = make_bag(tmp_path / "undecodable-bagit",
                           declaration=b"BagIt-Version: 1.0\nTag-File-Character-Encoding: \xff\n")
    assert_invalid(cli, declaration, "bagit.txt is not UTF-8 text")


@pytest.mark.parametrize("name", ["bag-info.txt", "manifest-sha256.txt", "fetch.txt",
                                  "bagit.txt"])
def test_a_tag_file_that_is_a_folder(cli, tmp_path, name):
    bag = make_bag(tmp_path / "folder", algorithms=("sha512",), info=None)
    if (bag / name).exists():
        (bag / name).unlink()
    (bag / name).mkdir()
    assert_invalid(cli, bag, f"{name} is a folder, not a file")


def zipped(bag: Path, out: Path, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for p in sorted(bag.rglob("*")):
            if p.is_file():
                zf.write(p, f"{bag.name}/{p.relative_to(bag).as_posix()}")
    return out


def damage_member(archive: Path, member: str) -> None:
    """Overwrite the middle of a member's compressed bytes."""
    with zipfile.ZipFile(archive) as zf:
        info = zf.getinfo(member)
    data = bytearray(archive.read_bytes())
    name_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little")
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    for i in range(start + 2, start + min(info.compress_size, 40)):
        data[i] ^= 0x5A
    archive.write_bytes(bytes(data))


@pytest.mark.parametrize("compression", [zipfile.ZIP_DEFLATED, zipfile.ZIP_LZMA,
                                         zipfile.ZIP_BZIP2])
def test_damaged_compressed_data_is_one_sentence(cli, tmp_path, compression):
    files = {"data/registers.csv": b"ref_no,status\n" + b"R-2026-001,completed\n" * 2000}
    bag = make_bag(tmp_path / "bundle", files=files)
    archive = zipped(bag, tmp_path / "bundle.zip", compression)
    assert verify(cli, archive).code == ExitCode.OK
    damage_member(archive, "bundle/data/registers.csv")
    stderr = assert_invalid(cli, archive, "bundle/data/registers.csv", "cannot be read")
    assert stderr.count("Error:") == 1 and len(stderr.strip().splitlines()) == 1


def test_lzma_error_is_named(tmp_path):
    """The exception LZMA raises becomes the sentence (lzma.LZMAError, not a traceback)."""
    bag = make_bag(tmp_path / "bundle", files={"data/a.txt": b"a" * 100_000})
    archive = zipped(bag, tmp_path / "bundle.zip", zipfile.ZIP_LZMA)
    damage_member(archive, "bundle/data/a.txt")
    with zipfile.ZipFile(archive) as zf, pytest.raises((lzma.LZMAError, zipfile.BadZipFile)):
        zf.read("bundle/data/a.txt")
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IntegrityFailure, match="cannot be read, the zip file is damaged"):
        extract_zip(archive, target)
    assert not list(target.rglob("*.txt")), "nothing is extracted from a damaged zip"


def test_a_truncated_zip_is_one_sentence(cli, tmp_path):
    bag = make_bag(tmp_path / "bundle")
    archive = zipped(bag, tmp_path / "bundle.zip")
    archive.write_bytes(archive.read_bytes()[:-30])
    got = verify(cli, archive)
    assert got.code == ExitCode.FAILED and got.stderr.startswith("Error: ")


def test_a_zip_bomb_is_refused_by_its_ratio_before_anything_is_written(tmp_path):
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle/bagit.txt", "BagIt-Version: 1.0\nTag-File-Character-Encoding: "
                                        "UTF-8\n")
        zf.writestr("bundle/data/zeros", b"\0" * (40 << 20))
    assert bomb.stat().st_size < 100_000
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IntegrityFailure, match="inflates 1,0[0-9]{2} times"):
        extract_zip(bomb, target)
    assert list(target.iterdir()) == [], "nothing written before the check"


def test_a_zip_directory_that_lies_about_sizes_is_caught_by_the_stream(tmp_path):
    """The declared size says 1 byte; zipfile stops there and the CRC check fails."""
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bundle/data/big", b"\0" * (1 << 20))
    data = bytearray(archive.read_bytes())
    size = (1 << 20).to_bytes(4, "little")
    data = data.replace(size, (1).to_bytes(4, "little"))
    archive.write_bytes(bytes(data))
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IntegrityFailure, match="cannot be read|not a readable zip"):
        extract_zip(archive, target)
    assert not (target / "bundle" / "data" / "big").exists()


def test_the_extracted_size_is_capped_by_the_free_space(tmp_path, monkeypatch):
    bag = make_bag(tmp_path / "bundle", files={"data/a.bin": bytes(range(256)) * 4096})
    archive = zipped(bag, tmp_path / "bundle.zip")
    usage = shutil.disk_usage(tmp_path)
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: usage._replace(
        free=(64 << 20) + 500_000))
    target = tmp_path / "out"
    target.mkdir()
    with pytest.raises(IntegrityFailure, match="more than the 500,000 bytes that can be "
                                               "extracted"):
        extract_zip(archive, target)
    assert list(target.iterdir()) == []
