# The two commands of the README: `make demo` and `make test`. Both do all set-up themselves.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEBS := libblas3 liblapack3 bubblewrap
DATA ?= data
PYTEST_ARGS ?=

.PHONY: demo test system venv clean-data help

help:
	@echo "make demo   build a small but complete release into ./$(DATA) with the offline generator"
	@echo "make test   run the whole test suite"

# Debian packages: openseespy needs BLAS/LAPACK to import; bubblewrap isolates untrusted programs.
system:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# torch is pinned and installed first: a CPU wheel of 2.13.0 is on these machines, anything else pulls CUDA.
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q "torch==2.13.0"
	$(PY) -m pip install -q -e ".[train,ray,test]"
	@touch $(STAMP)

venv: system $(STAMP)

demo: venv
	$(VENV)/bin/civilinstruct build manifests/demo.yaml --data $(DATA)
	$(VENV)/bin/civilinstruct catalog $(DATA)

test: venv
	$(PY) -m pytest -n 2 $(PYTEST_ARGS)

clean-data:
	rm -rf $(DATA)
