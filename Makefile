# talkinghead: set-up and common tasks. Everything installs into a local virtual environment (.venv)
# from PyPI only; `pip install torch==2.13.0` comes first so pip takes the CPU build and never a CUDA one.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
EXTRAS ?= dev

.PHONY: help install models demo test test-all bench clean

help:
	@echo "make demo     install, fetch the face model, render a talking video from examples/"
	@echo "make test     install, fetch the face model, run the test suite"
	@echo "make install  create $(VENV) and install talkinghead[$(EXTRAS)] into it"
	@echo "make models   provision model files (talkinghead fetch-models)"
	@echo "make bench    run the benchmarks in benchmarks/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-$(EXTRAS): pyproject.toml | $(BIN)/python
	$(PIP) install --upgrade pip
	$(PIP) install torch==2.13.0
	$(PIP) install -e ".[$(EXTRAS)]"
	touch $@

install: $(VENV)/.installed-$(EXTRAS)

models: install
	$(BIN)/talkinghead fetch-models

demo: models
	@mkdir -p out
	$(BIN)/talkinghead generate examples/portrait.jpg examples/speech.wav -o out/demo.mp4 --overwrite

test: models
	$(BIN)/python -m pytest -q

test-all: models
	$(BIN)/python -m pytest -q --runslow

bench: install
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache out
