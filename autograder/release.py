"""Build what `make release` ships: starters, student bundles, otter-grader autograder zips.

Steps, in order, per assignment:

1. ``generate_starter``: the solution with every ``### BEGIN SOLUTION`` ... ``### END SOLUTION``
   region replaced by ``raise NotImplementedError`` (module-level regions are dropped); the
   committed ``starter/`` copy must equal it (``check_starter``).
2. ``build_student_bundle``: ``dist/student/<hw>.zip`` with the starter, the handout, the public
   tests and the self-check, then ``check_leaks`` on its contents.
3. ``build_autograder_zip``: ``otter generate`` on a staging folder holding one thin otter test
   file per question, the otter config (our plugin, hidden-test visibility) and the engine plus
   the assignment's tests under ``files/``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from . import checklib, tables
from .config import ROOT, Assignment, all_assignments
from .grade import all_cases, case_points, graded_cases
from .report import WHEN_STUDENTS_SEE

DIST = ROOT / "dist"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUDENT_CHECK = Path(__file__).with_name("student_check.py")
# never mutants.py (nor a solution): in the zip, diagnoses come from the release's table (tables.py)
ENGINE_FILES = [
    "__init__.py", "anatomy.py", "checklib.py", "config.py", "diagnose.py", "grade.py", "otter_plugin.py", "proxy.py",
    "refkit.py", "report.py", "sandbox.py", "landlock.py", "lifetime.py", "resources.py", "view.py", "seccomp_filter.py",
    "submission.py", "tables.py", "verdicts.py", "wire.py", "worker.py",
]  # fmt: skip
# On Gradescope there is no GPU: install PyTorch's CPU-only wheel, not the multi-GB CUDA build.
GRADESCOPE_REQUIREMENTS = """\
--extra-index-url https://download.pytorch.org/whl/cpu
torch==2.13.0+cpu
numpy==2.4.6
scipy==1.17.1
pyseccomp==0.1.2
"""


PRACTICE_HINTS = {
    "torch": "PyTorch is not installed, so only the plain public checks run. For the comparisons with PyTorch: "
    "pip install torch --index-url https://download.pytorch.org/whl/cpu",
    "captum": "Captum is not installed, so only the plain public checks run. For the comparisons with Captum: "
    "pip install captum==0.9.0 (after PyTorch)",
}


class ReleaseError(RuntimeError):
    """The release cannot be built (a leak, a stale starter, a malformed solution)."""


# ---------------------------------------------------------------- 1. starters


def generate_starter(solution: str, filename: str = "solution") -> str:
    """Replace solution regions with ``raise NotImplementedError``; fail on malformed markers."""
    out: list[str] = []
    in_region, function = False, "this function"
    for number, line in enumerate(solution.splitlines(keepends=True), start=1):
        stripped = line.strip()
        match = re.match(r"\s*def (\w+)", line)
        if match and not in_region:
            function = match.group(1)
        if stripped == BEGIN:
            if in_region:
                raise ReleaseError(f"{filename}:{number}: nested {BEGIN}")
            in_region = True
            indent = line[: len(line) - len(line.lstrip())]
            if indent:
                out.append(f'{indent}raise NotImplementedError("{function} is not implemented yet")\n')
        elif stripped == END:
            if not in_region:
                raise ReleaseError(f"{filename}:{number}: {END} without {BEGIN}")
            in_region = False
        elif not in_region:
            out.append(line)
    if in_region:
        raise ReleaseError(f"{filename}: {BEGIN} without {END}")
    return "".join(out)


def solution_regions(solution: str) -> list[str]:
    """The lines inside solution regions (what must never reach a student)."""
    lines, inside = [], False
    for line in solution.splitlines():
        if line.strip() == BEGIN:
            inside = True
        elif line.strip() == END:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def write_starters(assignments: list[Assignment]) -> None:
    for a in assignments:
        a.starter_dir.mkdir(parents=True, exist_ok=True)
        for name in a.files:
            text = generate_starter((a.solution_dir / name).read_text(encoding="utf-8"), name)
            (a.starter_dir / name).write_text(text, encoding="utf-8")


def check_starter(a: Assignment) -> None:
    """The committed starter must be exactly what the solution generates (no drift)."""
    for name in a.files:
        expected = generate_starter((a.solution_dir / name).read_text(encoding="utf-8"), name)
        path = a.starter_dir / name
        if not path.is_file() or path.read_text(encoding="utf-8") != expected:
            raise ReleaseError(f"{path} is out of date with solutions/{a.name}/{name}: run `make starter`")


# ---------------------------------------------------------------- 2. student bundles and the leak check


_BOILERPLATE = re.compile(r"^(import |from \S+ import |def \w+\(|class \w+[(:]|@\w+$|return$)")


def _distinctive(lines: list[str], allowed: set[str], min_len: int, boilerplate: bool = True) -> set[str]:
    """The lines that identify a file: long enough, not comments, not already public, and (for
    tests and mutants) not imports or bare def/class headers: shared boilerplate gives nothing away."""
    keep = set()
    for line in lines:
        s = line.strip()
        if len(s) >= min_len and not s.startswith("#") and s not in allowed and not (boilerplate and _BOILERPLATE.match(s)):
            keep.add(s)
    return keep


def check_leaks(a: Assignment, bundle: dict[str, bytes]) -> None:
    """Fail if a bundle holds a solution body or a hidden test: file names and distinctive lines."""
    bundle_lines: dict[str, set[str]] = {
        name: {line.strip() for line in data.decode("utf-8", "replace").splitlines()} for name, data in bundle.items()
    }
    starter_lines = {line.strip() for name in a.files for line in generate_starter((a.solution_dir / name).read_text()).splitlines()}
    public_text = (a.directory / "tests" / "public.py").read_text()
    shipped_code = public_text.splitlines() + Path(checklib.__file__).read_text().splitlines() + STUDENT_CHECK.read_text().splitlines()
    public_lines = {line.strip() for line in shipped_code}  # what every bundle shows anyway
    secrets: dict[str, set[str]] = {}
    for name in a.files:
        secrets[f"solutions/{a.name}/{name}"] = _distinctive(solution_regions((a.solution_dir / name).read_text()), starter_lines, 12, boilerplate=False)
    hidden_path = a.directory / "tests" / "hidden.py"
    secrets[str(hidden_path.relative_to(ROOT))] = _distinctive(hidden_path.read_text().splitlines(), public_lines, 24)
    shipped = starter_lines | public_lines | {line.strip() for p in a.directory.glob("student/*.py") for line in p.read_text().splitlines()}
    for mutant in sorted(a.directory.glob("mutants/*.py")):  # a bug, worked out, is an answer too
        secrets[str(mutant.relative_to(ROOT))] = _distinctive(mutant.read_text().splitlines(), shipped, 24)
    problems = []
    for name, lines in bundle_lines.items():
        if "hidden" in Path(name).name.lower() or "mutant" in name.lower():
            problems.append(f"{name}: a hidden-test or mutant file name")
        for origin, secret in secrets.items():
            leaked = sorted(lines & secret)
            if leaked:
                problems.append(f"{name}: {len(leaked)} line(s) from {origin}, e.g. {leaked[0]!r}")
    if problems:
        raise ReleaseError(f"student bundle for {a.name} leaks:\n  " + "\n  ".join(problems))


def student_bundle_files(a: Assignment) -> dict[str, bytes]:
    """The files of a student bundle, by name inside the bundle."""
    public_cases = [c for c in all_cases(a) if not c.hidden]
    meta = {
        "name": a.name,
        "title": a.title,
        "files": a.files,
        "questions": [{"id": q.id, "title": q.title, "points": q.points} for q in a.questions],
        "public_checks": len(public_cases),
        "forbidden_imports": {name: a.forbidden_for(name) for name in a.files},
        "when_results": WHEN_STUDENTS_SEE[a.hidden_results],
        "practice_requires": {module: PRACTICE_HINTS.get(module, f"{module} is not installed: pip install {module}") for module in a.practice_requires},
    }
    files = {name: (a.starter_dir / name).read_bytes() for name in a.files}
    files.update(
        {
            "README.md": (a.directory / "README.md").read_bytes(),
            "check.py": STUDENT_CHECK.read_bytes(),
            "checklib.py": Path(checklib.__file__).read_bytes(),
            "public_tests.py": (a.directory / "tests" / "public.py").read_bytes(),
            "assignment.json": json.dumps(meta, indent=2).encode(),
        }
    )
    practice = a.directory / "tests" / "practice.py"
    if practice.is_file():  # the randomized comparisons of check.py --torch (public libraries only)
        files["practice_tests.py"] = practice.read_bytes()
    for extra in sorted(a.directory.glob("student/*")):  # support modules and data for students
        files[extra.name] = extra.read_bytes()
    for notebook in sorted(a.directory.glob("*.ipynb")):  # the assignment's exploration notebook
        files[notebook.name] = notebook.read_bytes()
    return files


def _write_zip(path: Path, files: dict[str, bytes], prefix: str = "") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(prefix + name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name], zipfile.ZIP_DEFLATED)
    tmp.replace(path)


def build_student_bundle(a: Assignment, dist: Path = DIST) -> Path:
    check_starter(a)
    files = student_bundle_files(a)
    check_leaks(a, files)
    path = dist / "student" / f"{a.name}.zip"
    _write_zip(path, files, prefix=f"{a.name}/")
    return path


# ---------------------------------------------------------------- 3. otter autograder zips


def otter_test_files(a: Assignment) -> dict[str, str]:
    """One exception-format otter test file per question: each case asserts the engine's verdict."""
    cases = graded_cases(a)
    points = case_points(a, cases)
    files = {}
    for q in a.questions:
        lines = [
            f'"""{a.name} {q.id} ({q.title}): thin otter wrapper; the checks run in the ConvLab engine."""',
            "",
            "from otter.test_files import test_case",
            "",
            "OK_FORMAT = False",
            f"name = {q.id!r}",
            "",
        ]
        for i, case in enumerate(c for c in cases if c.question == q.id):
            lines += [
                f"@test_case(name={case.title!r}, points={round(points[case.id], 6)!r}, hidden={case.hidden!r})",
                f"def case_{i}(_convlab):",
                f"    _convlab.require({case.id!r})",
                "",
            ]
        files[f"{q.id}.py"] = "\n".join(lines)
    return files


def _engine_tree(a: Assignment, target: Path) -> None:
    """Copy the engine and the assignment's config and tests (never solutions or mutants), and
    write the release-time table (CPU references, mutant outcomes for diagnoses: ``tables``)."""
    engine = target / "autograder"
    engine.mkdir(parents=True)
    for name in ENGINE_FILES:
        shutil.copy2(Path(__file__).with_name(name), engine / name)
    assignment = target / "assignments" / a.name
    (assignment / "tests").mkdir(parents=True)
    shutil.copy2(a.directory / "assignment.toml", assignment / "assignment.toml")
    for which in ("public.py", "hidden.py"):
        shutil.copy2(a.directory / "tests" / which, assignment / "tests" / which)
    if (a.directory / "student").is_dir():
        shutil.copytree(a.directory / "student", assignment / "student", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    tables.write_table(a, assignment)


def build_autograder_zip(a: Assignment, dist: Path = DIST) -> Path:
    dist = Path(dist).resolve()  # otter generate runs in the staging folder
    stage = dist / "build" / f"{a.name}-otter"
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "tests").mkdir(parents=True)
    for name, text in otter_test_files(a).items():
        (stage / "tests" / name).write_text(text)
    config = {
        "lang": "python",
        "plugins": [{"autograder.otter_plugin.ConvLabPlugin": {"assignment": a.name}}],
        # otter's own rows never reach students: the plugin (otter run) and `finish` (Gradescope)
        # replace them with the engine's results.json, whose hidden tests get `hidden_results`
        "show_stdout": False,
        "show_hidden": False,
        "show_all_public": False,
        "force_public_test_summary": True,
        "points_possible": a.max_score,
        "print_summary": True,
    }
    (stage / "otter_config.json").write_text(json.dumps(config, indent=2))
    (stage / "requirements.txt").write_text(GRADESCOPE_REQUIREMENTS + "".join(f"{r}\n" for r in a.grading_requirements))
    _engine_tree(a, stage / "convlab")
    out = dist / "autograder" / f"{a.name}-autograder.zip"
    out.parent.mkdir(parents=True, exist_ok=True)
    otter = Path(sys.executable).with_name("otter")
    cmd = [str(otter), "generate", "--tests-dir", "tests", "--output-path", str(out), "--python-version", "3.11", "convlab"]
    done = subprocess.run(cmd, cwd=stage, capture_output=True, text=True)
    if done.returncode != 0:
        raise ReleaseError(f"otter generate failed for {a.name}:\n{done.stdout}\n{done.stderr}")
    _add_engine_path_to_setup(out, a.files)
    return out


CONVLAB_SETUP = """#!/usr/bin/env bash
# ConvLab: make the engine shipped in files/convlab importable in otter's environment
set -e
mamba run -n otter-env python -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'convlab.pth').write_text('/autograder/source/files/convlab')"
"""
RUN_OTTER = b"python /autograder/source/run_otter.py"
# Gradescope stops a run at 10 minutes and then shows nothing: otter gets 9, then `finish`
# makes sure results.json exists and lists every question.
CONVLAB_RUN = b"""# ConvLab: grade only the expected files of the upload; the rest is listed as ignored
python -m autograder.otter_plugin prepare /autograder
timeout --kill-after=10 540 python /autograder/source/run_otter.py
python -m autograder.otter_plugin finish /autograder $?"""


def _add_engine_path_to_setup(zip_path: Path, files: list[str]) -> None:
    """Wire the ConvLab steps into otter's zip: ``setup.sh`` runs ``convlab_setup.sh`` (the
    engine becomes importable), ``run_autograder`` runs ``prepare``, otter, then ``finish``."""
    with zipfile.ZipFile(zip_path) as zf:
        contents = {info.filename: zf.read(info) for info in zf.infolist()}
    contents["convlab_setup.sh"] = CONVLAB_SETUP.encode()
    contents["setup.sh"] += b"\nbash /autograder/source/convlab_setup.sh\n"
    if RUN_OTTER not in contents["run_autograder"]:
        raise ReleaseError("otter's run_autograder changed: cannot add the ConvLab steps")
    contents["run_autograder"] = contents["run_autograder"].replace(RUN_OTTER, CONVLAB_RUN)
    tmp = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if name in ("run_autograder", "setup.sh", "convlab_setup.sh") else 0o644) << 16
            zf.writestr(info, data, zipfile.ZIP_DEFLATED)
    tmp.replace(zip_path)


# ---------------------------------------------------------------- all of it


def build_release(names: list[str] | None = None, dist: Path = DIST) -> list[Path]:
    """Build every assignment's bundle and autograder zip; raise on the first problem."""
    built = []
    for a in all_assignments():
        if names and a.name not in names and a.short_name not in names:
            continue
        built.append(build_student_bundle(a, dist))
        built.append(build_autograder_zip(a, dist))
    return built
