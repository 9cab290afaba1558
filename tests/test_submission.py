"""Every plausible upload grades right or says exactly why: zips, names, encodings, sizes.

These call the upload rules directly (``load_submission`` for local entries, ``choose_files``
as the autograder zip's ``prepare`` does); tests/test_uploads.py runs the same table through
``prepare`` and a few shapes through the Gradescope simulator."""

from __future__ import annotations

import importlib.util
import marshal
import os
import re
import zipfile

import pytest
from conftest import by_name

from autograder.submission import MAX_FILE_BYTES, SubmissionError, choose_files, load_submission, read_folder

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
    with pytest.raises(SubmissionError, match=r"convolution.py is not UTF-8 \(byte 0xe9 on line 1; .*save it as UTF-8 and upload again"):
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
    with pytest.raises(SubmissionError, match="several different files could be convolution.py: Convolution.py, convolution-copy.py; upload exactly one"):
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


SOLUTION = (HW1.solution_dir / "convolution.py").read_bytes()


def choose(candidates: dict[str, bytes], renames=None) -> tuple[bytes, list[str], str]:
    """(the graded convolution.py, the notes, the uploaded path it came from)."""
    sub = choose_files(HW1, candidates, renames)
    return sub.files["convolution.py"], sub.notes, sub.origins["convolution.py"]


@pytest.mark.parametrize(
    "name",
    ["Convolution.py", "convolution (1).py", "convolution - Copy.py", "convolution - Copy (2).py", "Copy of convolution.py",
     "convolution_final.py", "hw1_convolution.py", "my_convolution.py", "convolution-1.py", "convolution_v2.py",
     "convolution.py.txt", "convolution_final (1).py"],
)  # fmt: skip
def test_a_single_near_name_is_graded_with_a_note(name):
    data, notes, origin = choose({f"hw1/{name}": GOOD, "notes.txt": b"x"})
    assert data == GOOD and origin == f"hw1/{name}"
    assert notes == [f"graded 'hw1/{name}' as 'convolution.py' (the file should be named convolution.py)"]


@pytest.mark.parametrize("name", ["test_convolution.py", "convolution_test.py", "conv.py", "convolutions.py", "hw1.py", "public_tests.py", "convolution.ipynb"])
def test_other_names_are_not_guessed(name):
    with pytest.raises(SubmissionError, match=rf"no convolution.py found \(found: {re.escape(name)}\)"):
        choose({name: GOOD})


def test_two_different_candidates_are_refused_naming_both():
    with pytest.raises(SubmissionError, match=r"several different files could be convolution.py: convolution-1.py, a/convolution_final.py; upload exactly one"):
        choose({"a/convolution_final.py": GOOD, "convolution-1.py": GOOD + b"# v1\n"})
    assert choose({"a/convolution_final.py": GOOD, "convolution-1.py": GOOD})[0] == GOOD  # the same bytes: no doubt


def test_two_different_copies_of_the_exact_name():
    with pytest.raises(SubmissionError, match=r"2 different convolution.py found: draft/convolution.py, final/convolution.py; upload one"):
        choose({"draft/convolution.py": GOOD, "final/convolution.py": GOOD + b"# final\n"})
    # the copy nearest the top is graded; a different one deeper down is named in the notes
    data, notes, origin = choose({"convolution.py": GOOD, "old/convolution.py": GOOD + b"# old\n"})
    assert (data, origin) == (GOOD, "convolution.py") and notes == ["graded 'convolution.py'; a different copy in old/convolution.py was not graded"]
    assert choose({"a/convolution.py": GOOD, "b/convolution.py": GOOD})[1] == []  # identical copies


def test_encodings():
    cp1252 = "# -*- coding: cp1252 -*-\n# café\n".encode("cp1252") + SOLUTION
    data, notes, _ = choose({"convolution.py": cp1252})
    assert data.decode("utf-8").splitlines()[:2] == ["# -*- coding: utf-8 -*-", "# café"] and data.endswith(SOLUTION)
    ns: dict = {}
    exec(compile(data, "convolution.py", "exec"), ns)  # valid Python, as the file declared it
    assert ns["conv_output_size"](5, 3) == 3
    bom = b"\xef\xbb\xbf" + SOLUTION
    assert choose({"convolution.py": bom})[0] == SOLUTION
    for text, codec in [("# café\n", "utf-16"), ("# café\n", "utf-16-le")]:
        with pytest.raises(SubmissionError, match=r"^convolution.py is saved as UTF-16 .*: save it as UTF-8 and upload again$"):
            choose({"convolution.py": (text + "x = 1\n" * 20).encode(codec)})
    with pytest.raises(SubmissionError, match=r"^convolution.py is not UTF-8 \(byte 0xe9 on line 3; Windows editors often save as Windows-1252\)"):
        choose({"convolution.py": "import numpy as np\n\n# café\n".encode("cp1252")})
    with pytest.raises(SubmissionError, match=r"declares 'utf-8' but is not \(byte 0xe9 on line 2\)"):
        choose({"convolution.py": "# coding: utf-8\n# café\n".encode("cp1252")})
    with pytest.raises(SubmissionError, match=r"declares the encoding 'klingon'"):
        choose({"convolution.py": b"# coding: klingon\nx = 1\n"})
    with pytest.raises(SubmissionError, match="is a binary file"):
        choose({"convolution.py": bytes(range(256))})
    pyc = importlib.util.MAGIC_NUMBER + bytes(12) + marshal.dumps(compile(SOLUTION, "convolution.py", "exec"))
    with pytest.raises(SubmissionError, match="is a binary file"):  # not "UTF-16": it has NUL bytes, not text
        choose({"convolution.py": pyc})
    with pytest.raises(SubmissionError, match="is saved as UTF-16"):  # no byte-order mark
        choose({"convolution.py": SOLUTION.decode().encode("utf-16-le")})


def test_a_notebook_saved_as_py():
    notebook = b'{\n "cells": [{"cell_type": "code", "source": ["x = None"]}],\n "metadata": {},\n "nbformat": 4\n}\n'
    with pytest.raises(SubmissionError, match=r"^convolution.py holds a Jupyter notebook \(JSON\), not Python: export the code"):
        choose({"convolution.py": notebook})


def test_a_file_over_the_size_cap_says_so(tmp_path):
    big = GOOD + b"#" * (3 << 20)
    folder = tmp_path / "folder"
    (folder / "hw1").mkdir(parents=True)
    (folder / "hw1" / "convolution.py").write_bytes(big)
    message = rf"^convolution.py is 3.0 MB, over the {MAX_FILE_BYTES >> 20} MB limit for a submitted file$"
    with pytest.raises(SubmissionError, match=message):
        load_submission(HW1, folder)
    zipped = make_zip(tmp_path / "big.zip", {"hw1/convolution.py": big})
    with pytest.raises(SubmissionError, match=message):
        load_submission(HW1, zipped)
    (tmp_path / "alone.py").write_bytes(big)
    with pytest.raises(SubmissionError, match=message):
        load_submission(HW1, tmp_path / "alone.py")


def test_powershell_zips_use_backslashes(tmp_path):
    """PowerShell 5.1's Compress-Archive writes ``\\`` separators: read as folders, whether the zip is
    read here or extracted on Linux first (as Gradescope does: one file named with a backslash)."""
    zipped = make_zip(tmp_path / "ps.zip", {"hw1_convolution\\convolution.py": GOOD, "hw1_convolution\\notes.txt": b"x"})
    sub = load_submission(HW1, zipped)
    assert sub.files == {"convolution.py": GOOD} and sub.origins == {"convolution.py": "hw1_convolution/convolution.py"}
    extracted = tmp_path / "extracted"
    extracted.mkdir()
    (extracted / "hw1_convolution\\convolution.py").write_bytes(GOOD)
    (extracted / "..\\..\\evil.py").write_bytes(b"x = 1\n")
    assert read_folder(extracted) == {"hw1_convolution/convolution.py": GOOD}
    assert load_submission(HW1, extracted).origins == {"convolution.py": "hw1_convolution/convolution.py"}


def test_a_zip_inside_the_upload(tmp_path):
    inner = make_zip(tmp_path / "submission.zip", {"convolution.py": GOOD})
    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "submission.zip").write_bytes(inner.read_bytes())
    sub = load_submission(HW1, folder)
    assert sub.files == {"convolution.py": GOOD} and sub.notes == ["graded the contents of submission.zip (a zip inside the upload)"]


def test_instructor_renames(tmp_path):
    data, notes, origin = choose({"hw1.py": GOOD, "notes.txt": b"x"}, {"convolution.py": "hw1.py"})
    assert (data, origin) == (GOOD, "hw1.py") and notes == ["graded 'hw1.py' as 'convolution.py' (instructor's rename)"]
    # a rename wins over the exact name (the instructor chose), and names a path or a file name
    assert choose({"convolution.py": b"x = 1\n", "v2/conv.py": GOOD}, {"convolution.py": "v2/conv.py"})[0] == GOOD
    # a rename of a file the upload does not have changes nothing
    assert choose({"convolution.py": GOOD}, {"convolution.py": "hw1.py"})[1] == []
