# Two commands a new user needs: `make demo` and `make test`. Both set everything up first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench tensorboard lab notebooks clean

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else "this workshop needs Python 3.11 to 3.13; set PYTHON=python3.X")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/workshop run demo

test: setup
	$(BIN)/python -m pytest -q -n auto --maxprocesses 4 --dist loadfile  # a file per worker (its fixtures made once)

bench: setup
	$(BIN)/workshop bench

tensorboard: setup
	$(BIN)/workshop tensorboard

lab: setup
	$(BIN)/workshop lab

# regenerate notebooks/*.ipynb from the lessons' sources (workshop/lessons/*.py); commit both
notebooks: setup
	$(BIN)/python -m workshop.lessons.literate

clean:
	rm -rf $(VENV) .pytest_cache
