# The two commands of the quick start are `make lab` and `make test`; both set up .venv first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: lab test report lint bench clean-venv

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null || { \
	  echo "etiquette-lab needs Python 3.11 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1 || echo missing)." \
	       "Run: make PYTHON=/path/to/python3.11 ..." >&2; exit 1; }
# pip is quiet for minutes on a first install: say what is happening, so it does not look stuck.
	@if [ -x $(BIN)/python ]; then \
	  echo "updating $(VENV) to match pyproject.toml and constraints.txt (a minute or two)"; \
	else \
	  echo "setting up $(VENV) (first time only, a few minutes)"; \
	fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV): the venv module is missing (Debian/Ubuntu: apt-get install python3-venv)." >&2; \
	  rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[lab,test]'
	@touch $(STAMP)
	@echo "$(VENV) is ready"

# JupyterLab's root is the repository, so that the notebooks' links to ../docs/ open (a root of
# notebooks/ cannot reach them); it starts in the notebooks folder. Jupyter refuses to run as
# root unless told; containers and sandboxes often are root.
lab: $(STAMP)
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks \
	  $$([ "$$(id -u)" = 0 ] && echo --allow-root)

test: $(STAMP)
	$(BIN)/python -m ruff check etiquette_lab tests benchmarks
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest

report: $(STAMP)
	@mkdir -p reports
	$(BIN)/jupyter nbconvert --to html --execute --ExecutePreprocessor.timeout=300 \
	  --ExecutePreprocessor.kernel_name=python3 --output-dir reports notebooks/*.ipynb
	@echo "HTML reports written to reports/"

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

clean-venv:
	rm -rf $(VENV)
