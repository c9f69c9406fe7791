# `make run` and `make test` work on a fresh machine: each creates .venv and installs first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
PORT ?= 8501

.PHONY: run test lint format bench clean

$(INSTALLED): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(INSTALLED)

run: $(INSTALLED)
	$(BIN)/python -m data_model init
	$(BIN)/python -m data_model seed --if-empty
	$(BIN)/python -m streamlit run serve.py --server.headless true --server.port $(PORT)

test: $(INSTALLED) lint
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(INSTALLED)
	$(BIN)/python bench/ingest.py
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/hostile.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
