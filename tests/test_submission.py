"""Malformed submissions get a clear message, never a crash: zips, names, encodings."""

from __future__ import annotations

import os
import zipfile

import pytest
from conftest import by_name

from autograder.submission import SubmissionError, load_submission

HW1 = by_name("hw1")
GOOD = b"def conv_output_size(n, k, stride=1, padding=0, dilation=1):\n    return 1\n"


def make_zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_bomb_is_refused(tmp_path):
    bomb = make_zip(tmp_path / "bomb.zip", {f"junk{i}.bin": b"\0" * (3 << 19) for i in range(20)} | {"convolution.py": GOOD})
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(SubmissionError, match="expands to more than"):
        load_submission(HW1, bomb)
    # a single oversized member is skipped without being decompressed
    big = make_zip(tmp_path / "big.zip", {"huge.bin": b"\0" * (200 << 20), "convolution.py": GOOD})
    assert load_submission(HW1, big).files == {"convolution.py": GOOD}


def test_zip_traversal_absolute_and_symlink_members_are_ignored(tmp_path):
    path = tmp_path / "sneaky.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("../../convolution.py", b"x = 'traversal'\n")
        zf.writestr("/abs/convolution.py", b"x = 'absolute'\n")
        link = zipfile.ZipInfo("convolution.py")
        link.external_attr = 0o120777 << 16  # a symlink to /etc/passwd
        zf.writestr(link, "/etc/passwd")
    with pytest.raises(SubmissionError, match="no convolution.py found"):
        load_submission(HW1, path)
    assert not (tmp_path.parent / "convolution.py").exists()


def test_corrupt_zip_and_notebook_and_encoding(tmp_path):
    (tmp_path / "broken.zip").write_bytes(b"PK\x03\x04 garbage")
    with pytest.raises(SubmissionError, match="not a valid zip"):
        load_submission(HW1, tmp_path / "broken.zip")
    (tmp_path / "nb.ipynb").write_text("{}")
    with pytest.raises(SubmissionError, match="is a notebook"):
        load_submission(HW1, tmp_path / "nb.ipynb")
    (tmp_path / "latin.py").write_bytes("x = 'café'\n".encode("latin-1"))
    with pytest.raises(SubmissionError, match="not a UTF-8 text file"):
        load_submission(HW1, tmp_path / "latin.py")
    (tmp_path / "empty.py").write_bytes(b"  \n")
    with pytest.raises(SubmissionError, match="is empty"):
        load_submission(HW1, tmp_path / "empty.py")


def test_wrong_names(tmp_path):
    one = tmp_path / "one"
    one.mkdir()
    (one / "Convolution (1).py").write_bytes(GOOD)
    sub = load_submission(HW1, one)
    assert sub.files == {"convolution.py": GOOD} and "should be named convolution.py" in sub.notes[0]
    two = tmp_path / "two"
    two.mkdir()
    (two / "Convolution.py").write_bytes(GOOD)
    (two / "convolution-copy.py").write_bytes(GOOD)
    assert load_submission(HW1, two).files == {"convolution.py": GOOD}  # the same bytes twice: no doubt
    (two / "convolution-copy.py").write_bytes(GOOD + b"\n# another version\n")
    with pytest.raises(SubmissionError, match="several files could be convolution.py"):
        load_submission(HW1, two)
    other = tmp_path / "other"
    other.mkdir()
    (other / "homework.py").write_bytes(GOOD)
    with pytest.raises(SubmissionError, match=r"no convolution.py found \(found: homework.py\)"):
        load_submission(HW1, other)


def test_symlinked_entry_is_refused(tmp_path):
    os.symlink("/etc/passwd", tmp_path / "link.py")
    with pytest.raises(SubmissionError, match="symbolic link"):
        load_submission(HW1, tmp_path / "link.py")
