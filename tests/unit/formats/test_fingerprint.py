"""A story's identity by content: KOReader's partial MD5 for a file, and a story folder's."""

from __future__ import annotations

import hashlib
import os
import random
import threading
from pathlib import Path

import pytest

from reader.formats import fingerprint as fingerprint_module
from reader.formats.fingerprint import fingerprint, folder_fingerprint, partial_md5

#: Where KOReader's util.partialMD5 samples, written out by hand rather than computed.
OFFSETS = [
    0,
    1024,
    4096,
    16384,
    65536,
    262144,
    1048576,
    4194304,
    16777216,
    67108864,
    268435456,
    1073741824,
]


def expected_partial_md5(data: bytes) -> str:
    """The partial MD5 of ``data``, from slices of the whole content."""
    digest = hashlib.md5()
    for offset in OFFSETS:
        sample = data[offset : offset + 1024]
        if not sample:
            break
        digest.update(sample)
    return digest.hexdigest()


def random_bytes(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1025, 4096, 4097, 5000, 70_000, 300_000])
def test_partial_md5_samples_the_offsets(tmp_path: Path, size: int) -> None:
    data = random_bytes(size)
    path = tmp_path / "story.epub"
    path.write_bytes(data)
    assert partial_md5(path) == expected_partial_md5(data)
    assert fingerprint(path) == partial_md5(str(path))


def test_empty_file_is_the_md5_of_nothing(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert partial_md5(path) == "d41d8cd98f00b204e9800998ecf8427e" == md5_hex(b"")


def test_small_files_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    assert partial_md5(path) == md5_hex(b"abc")
    data = bytes(range(256)) * 4 + b"xyz"  # 1027 bytes: all of the first KiB, then the last 3
    path.write_bytes(data)
    assert partial_md5(path) == md5_hex(data[:1024] + b"xyz")


def test_sparse_file_of_5_mb(tmp_path: Path) -> None:
    path = tmp_path / "big.epub"
    size = 5 * 2**20 + 123
    with path.open("wb") as handle:
        handle.write(b"head" * 300)
        for offset in (4096, 1048576 - 10, 4194304 + 5):  # markers in some samples, one across a seam
            handle.seek(offset)
            handle.write(f"marker at {offset}".encode())
        handle.truncate(size)
    data = path.read_bytes()
    assert len(data) == size
    assert partial_md5(path) == expected_partial_md5(data)
    assert partial_md5(path) != expected_partial_md5(data[: 4 * 2**20])  # the 4 MiB sample counts


def test_appending_past_the_last_sample_keeps_the_digest(tmp_path: Path) -> None:
    path = tmp_path / "story.epub"
    path.write_bytes(random_bytes(6000))
    before = partial_md5(path)
    with path.open("ab") as handle:
        handle.write(b"highlights")
    assert partial_md5(path) == before


def test_same_content_at_two_paths_is_the_same(tmp_path: Path) -> None:
    data = random_bytes(70_000)
    (tmp_path / "one.epub").write_bytes(data)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "renamed.epub").write_bytes(data)
    assert fingerprint(tmp_path / "one.epub") == fingerprint(tmp_path / "sub" / "renamed.epub")


@pytest.mark.parametrize("position", [0, 500, 1023])
def test_one_byte_changed_in_the_first_kib_differs(tmp_path: Path, position: int) -> None:
    data = bytearray(random_bytes(70_000))
    (tmp_path / "a.epub").write_bytes(data)
    data[position] ^= 0xFF
    (tmp_path / "b.epub").write_bytes(data)
    assert partial_md5(tmp_path / "a.epub") != partial_md5(tmp_path / "b.epub")


def test_missing_file_and_directory_give_none(tmp_path: Path) -> None:
    assert partial_md5(tmp_path / "missing.epub") is None
    assert fingerprint(tmp_path / "missing.epub") is None
    assert partial_md5(tmp_path) is None


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_gives_none_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "story.txt"
    os.mkfifo(fifo)
    results: list[str | None] = []
    thread = threading.Thread(target=lambda: results.append(fingerprint(fifo)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    if thread.is_alive():  # it blocked: let it go so the test run does not hang
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        thread.join(timeout=5)
        pytest.fail("reading a FIFO blocked")
    assert results == [None]


def test_device_gives_none() -> None:
    if not os.path.exists(os.devnull) or os.name != "posix":
        pytest.skip("no /dev/null device")
    assert partial_md5(os.devnull) is None


def test_read_error_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")

    def refuse(*args: object) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(fingerprint_module.os, "read", refuse)
    assert partial_md5(path) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_file_gives_none(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")
    path.chmod(0)
    try:
        assert partial_md5(path) is None
    finally:
        path.chmod(0o644)


def test_permission_denied_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"abc")

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(fingerprint_module.os, "open", refuse)
    assert partial_md5(path) is None
    assert folder_fingerprint(tmp_path) is None


# ---------------------------------------------------------------- story folders


def make_folder(folder: Path, chapters: dict[str, bytes], story_yaml: str | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in chapters.items():
        (folder / name).write_bytes(data)
    if story_yaml is not None:
        (folder / "story.yaml").write_text(story_yaml, encoding="utf-8")
    return folder


def test_folder_with_an_id_is_the_md5_of_the_id(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "story", {"01.txt": b"one", "02.txt": b"two"}, "id: royalroad-12345\n")
    expected = md5_hex(b"id:royalroad-12345")
    assert folder_fingerprint(folder) == expected
    assert fingerprint(folder) == expected
    (folder / "02.txt").write_bytes(b"two, edited")
    (folder / "03.txt").write_bytes(b"three")
    assert folder_fingerprint(folder) == expected


def test_folder_id_may_be_unicode(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "s", {"01.txt": b"one"}, "title: T\nid: 'ねこ 42'\n")
    assert folder_fingerprint(folder) == md5_hex("id:ねこ 42".encode())


def test_folder_without_an_id_hashes_its_chapters_in_order(tmp_path: Path) -> None:
    chapters = {"1.txt": b"first", "2.txt": b"second", "10.txt": b"tenth"}
    folder = make_folder(tmp_path / "story", chapters, "title: A Story\n")
    parts = [md5_hex(chapters[name]) for name in ("1.txt", "2.txt", "10.txt")]  # natural order
    assert folder_fingerprint(folder) == md5_hex("\n".join(parts).encode())

    same = make_folder(tmp_path / "elsewhere" / "copy", chapters)
    assert folder_fingerprint(same) == folder_fingerprint(folder)

    swapped = make_folder(tmp_path / "swapped", {"1.txt": b"second", "2.txt": b"first", "10.txt": b"tenth"})
    assert folder_fingerprint(swapped) != folder_fingerprint(folder)

    (folder / "2.txt").write_bytes(b"secone")
    assert folder_fingerprint(folder) != folder_fingerprint(same)


def test_folder_ignores_files_that_are_not_chapters(tmp_path: Path) -> None:
    chapters = {"01.md": b"one", "02.md": b"two"}
    folder = make_folder(tmp_path / "a", chapters)
    plain = folder_fingerprint(folder)
    (folder / "cover.jpg").write_bytes(b"\xff\xd8")
    (folder / ".03.md").write_bytes(b"hidden")
    assert folder_fingerprint(folder) == plain


@pytest.mark.parametrize(
    "story_yaml",
    [
        "",
        "title: no id here\n",
        "id: 12345\n",  # not a string
        "id: ''\n",
        "id: [a, b]\n",
        "- id: a list\n",
        "just a string\n",
        "id: [unclosed\n",
        "\tid: tab\n",
        "id: &a [*a]\n",
    ],
)
def test_folder_without_a_usable_id_hashes_its_chapters(tmp_path: Path, story_yaml: str) -> None:
    chapters = {"01.txt": b"one", "02.txt": b"two"}
    folder = make_folder(tmp_path / "s", chapters, story_yaml)
    assert folder_fingerprint(folder) == md5_hex(f"{md5_hex(b'one')}\n{md5_hex(b'two')}".encode())


def test_story_yaml_that_is_not_utf8_or_too_big_is_ignored(tmp_path: Path) -> None:
    chapters = {"01.txt": b"one"}
    expected = md5_hex(md5_hex(b"one").encode())
    folder = make_folder(tmp_path / "s", chapters)
    (folder / "story.yaml").write_bytes(b"id: \xff\xfe\xfa\n")
    assert folder_fingerprint(folder) == expected
    (folder / "story.yaml").write_text("id: big\n" + "# padding\n" * 110_000, encoding="utf-8")
    assert (folder / "story.yaml").stat().st_size > 2**20
    assert folder_fingerprint(folder) == expected


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_story_yaml_fifo_does_not_block(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "s", {"01.txt": b"one"})
    os.mkfifo(folder / "story.yaml")
    results: list[str | None] = []
    thread = threading.Thread(target=lambda: results.append(folder_fingerprint(folder)), daemon=True)
    thread.start()
    thread.join(timeout=5)
    if thread.is_alive():
        os.close(os.open(folder / "story.yaml", os.O_WRONLY | os.O_NONBLOCK))
        thread.join(timeout=5)
        pytest.fail("reading a FIFO story.yaml blocked")
    assert results == [md5_hex(md5_hex(b"one").encode())]


def test_empty_or_missing_folder_gives_none(tmp_path: Path) -> None:
    assert folder_fingerprint(tmp_path / "missing") is None
    (tmp_path / "empty").mkdir()
    assert folder_fingerprint(tmp_path / "empty") is None
    assert fingerprint(tmp_path / "empty") is None
    only_yaml = make_folder(tmp_path / "only-yaml", {}, "title: nothing\n")
    assert folder_fingerprint(only_yaml) is None


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root reads anything")
def test_unreadable_folder_gives_none(tmp_path: Path) -> None:
    folder = make_folder(tmp_path / "s", {"01.txt": b"one", "02.txt": b"two"})
    folder.chmod(0)
    try:
        assert folder_fingerprint(folder) is None
    finally:
        folder.chmod(0o755)


def test_unreadable_chapter_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = make_folder(tmp_path / "s", {"01.txt": b"one", "02.txt": b"two"})
    real = fingerprint_module.partial_md5

    def flaky(path: str | os.PathLike[str]) -> str | None:
        return None if Path(path).name == "02.txt" else real(path)

    monkeypatch.setattr(fingerprint_module, "partial_md5", flaky)
    assert folder_fingerprint(folder) is None
