# The README's two commands: `make run` and `make test`. Both build .venv from this repo's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
QUESTION ?= What is 347 multiplied by 29?

.PHONY: run test check install install-test clean

run: install
	$(BIN)/moss-agent ask "$(QUESTION)"

test: install-test check
	$(BIN)/python -m pytest

# Types first: mypy over agent, tools and plugins as pyproject.toml configures it, zero errors.
check: install-test
	$(BIN)/python -m mypy

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# torch comes from its CPU build first; the project's own dependency on torch is a range.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install "torch==2.13.0"
	$(BIN)/python -m pip install -e .
	touch $@

# llama-cpp-python compiles llama.cpp (minutes, once); GGML_NATIVE=OFF keeps the build portable
# to any AVX2-era x86-64 machine rather than tuned to the one that built it.
# The serve browser test drives Debian's Chromium (Playwright downloads no browser): as root,
# install it when it is missing; elsewhere say how (the test is skipped outside CI).
$(VENV)/.installed-test: $(VENV)/.installed
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(BIN)/python -m pip install -e ".[test,llamacpp]"
	@command -v chromium >/dev/null 2>&1 || { if [ "$$(id -u)" = 0 ]; then \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium; \
	else echo "note: chromium is missing: sudo apt-get install chromium (the browser test needs it)"; fi; }
	touch $@

clean:
	rm -rf $(VENV)
