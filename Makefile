# ConvLab: `make release` and `make test` are all a user needs on a fresh machine.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HW ?= hw1
JOBS ?= 2
SUBMISSIONS ?=
OUT ?=
ONLY ?=
RENAME ?=
ROSTER ?=
FORMAT ?= canvas
NAMES ?=

# Kernels, runtime files and temporary directories stay inside the checkout.
export TMPDIR := $(CURDIR)/.tmp
export JUPYTER_RUNTIME_DIR := $(CURDIR)/.tmp/jupyter-runtime
export MPLBACKEND := Agg
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: venv release grade gradebook report gradescope test lint bench starter clean

$(STAMP): requirements.txt
	@mkdir -p $(TMPDIR)
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	# make the engine importable from the venv (no build step, works from any directory)
	$(PY) -c "import site, pathlib; pathlib.Path(site.getsitepackages()[0], 'convlab.pth').write_text('$(CURDIR)\n')"
	touch $(STAMP)

venv: $(STAMP)
	@mkdir -p $(TMPDIR) $(JUPYTER_RUNTIME_DIR)

release: venv
	$(PY) -m autograder release

# SUBMISSIONS: a Gradescope export (zip or folder) or a folder of NAME.py / NAME/ / NAME.zip;
# ONLY=sid_or_email regrades one student; RENAME="[WHO:]convolution.py=hw1.py"; ROSTER=roster.csv
grade: venv
	$(PY) -m autograder grade $(HW) $(if $(SUBMISSIONS),"$(SUBMISSIONS)") --jobs $(JOBS) $(if $(OUT),--out "$(OUT)") \
		$(if $(ONLY),--only "$(ONLY)") $(if $(RENAME),--rename "$(RENAME)") $(if $(ROSTER),--roster "$(ROSTER)")

# the LMS upload of a graded folder: FORMAT=canvas (Canvas's gradebook import) or csv
gradebook: venv
	$(PY) -m autograder gradebook $(if $(OUT),"$(OUT)",$(HW)) --format $(FORMAT)

# try an upload as Gradescope runs it: make gradescope HW=hw1 SUBMISSION=path/to/upload [VIEW=student|published]
# (VIEW: also print what the student sees, before or after grades are published)
gradescope: venv
	$(PY) -m autograder gradescope $(HW) $(SUBMISSION) $(if $(filter student,$(VIEW)),--as-student) $(if $(filter published,$(VIEW)),--as-student --published)

# NAMES=1 lists the students concerned by each line (office hours)
report: venv
	$(PY) -m autograder report $(HW) $(if $(OUT),"$(OUT)") $(if $(NAMES),--names)

starter: venv
	$(PY) -m autograder starter

test: venv
	$(PY) -m ruff check .
	$(PY) -m pytest -n 6 --maxschedchunk 2 -v -p no:cacheprovider --durations=25 tests

lint: venv
	$(PY) -m ruff check .

bench: venv
	$(PY) -m autograder.bench --batch 100 --export 300 --jobs 2

clean:
	rm -rf dist .tmp
