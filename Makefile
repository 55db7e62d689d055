# Two commands on a fresh machine with Python 3.11+ and make:  make build  /  make test
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: build test browser lint clean benchmark

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,docs]'
	touch $(STAMP)

## build: the graph and every output in dist/
build: $(STAMP)
	$(PY) build_graph.py

## browser: Debian's chromium for the view tests (installed with apt-get when run as root)
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	else echo "The view tests need Chromium: run  sudo apt-get install -y chromium  and retry." >&2; exit 1; fi

## test: the whole suite
test: $(STAMP) browser
	$(PY) -m pytest -q

benchmark: $(STAMP)
	$(PY) benchmarks/run.py

clean:
	rm -rf dist .pytest_cache
