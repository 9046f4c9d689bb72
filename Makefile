# `make run` and `make test` work on a fresh clone: they create .venv, install, prepare the offline
# model and build the index when needed. Each step is idempotent, so re-running costs seconds.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 7860

.PHONY: install model ingest index run test eval clean-index

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（找不到 $(PYTHON)）；可用 make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first and pinned: an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

install: $(STAMP)

model: install
	$(BIN)/sme-assistant models prepare

ingest index: model
	$(BIN)/sme-assistant ingest

run: index
	$(BIN)/python app.py --host $(HOST) --port $(PORT)

test: model
	$(BIN)/python -m pytest -q

eval: index
	$(BIN)/python -m eval

clean-index:
	rm -rf index/chroma
