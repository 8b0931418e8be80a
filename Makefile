# Massage Chart: `make run` opens the app on the demo practice, `make test` runs the whole suite.
# Everything is installed into .venv by these rules; nothing needs installing by hand.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check
export QT_QPA_PLATFORM ?= $(if $(DISPLAY)$(WAYLAND_DISPLAY),,offscreen)

# The demo practice lives in its own database in your user data folder, apart from real records.
# Override with `make run RUN_DB=path/or/url`.
RUN_DB = $(shell $(PY) -c "from massage_chart.storage.database import user_data_dir; print(user_data_dir() / 'demo.db')")

.PHONY: run test check lint typecheck contracts bench clean venv package package-tools screenshots

$(PY):
	@$(PYTHON) -c "import sys; sys.exit(0 if sys.version_info >= (3, 11) else 'Massage Chart needs Python 3.11 or newer; set PYTHON=python3.11')"
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	@touch $@ $(VENV)/.installed-run

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[dev]'
	@touch $@ $(VENV)/.installed-test $(VENV)/.installed-run

$(VENV)/.installed-package: pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[package]'
	@touch $@ $(VENV)/.installed-run

venv: $(VENV)/.installed-run

run: $(VENV)/.installed-run
	@$(PY) -m massage_chart.platform_check
	$(PY) -m massage_chart demo --if-empty --db "$(RUN_DB)"
	$(PY) -m massage_chart --db "$(RUN_DB)"

# The suite includes building the app and its .deb (tests/packaging/test_frozen.py, a few minutes)
# where the Debian packaging tools are installed (`make package-tools`; CI installs them).
test: $(VENV)/.installed-test $(VENV)/.installed-package
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -n 2 --dist loadfile

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check massage_chart tests scripts benchmarks
	$(PY) -m ruff format --check massage_chart tests scripts benchmarks

typecheck: $(VENV)/.installed-dev
	$(PY) -m mypy

contracts: $(VENV)/.installed-dev
	$(VENV)/bin/lint-imports

check: lint typecheck contracts test

# Every figure of the performance budget beside its baseline (benchmarks/bench.py; about 25
# minutes the first time, while it builds the practices it keeps in out/bench). BENCH_ARGS narrows
# it: make bench BENCH_ARGS="--scales 1,10 --backends sqlite".
bench: $(VENV)/.installed-test
	$(PY) -m benchmarks.bench $(BENCH_ARGS)

# The installable app: dist/massage-chart (one folder, no Python needed) and dist/*.deb.
# Installs PyInstaller into .venv and the Debian packaging tools with apt-get when missing.
# The user guide's screenshots (docs/screenshots/guide_*.png, the visit window in each state
# at 1366x768 and 1920x1080 in docs/screenshots/workspace/, and the main windows in dark mode in
# docs/screenshots/dark/), from the demo practice: under a
# real X server when xvfb-run is installed, else offscreen. PDF pages need pdftoppm (poppler-utils).
screenshots: $(VENV)/.installed-run
	$(if $(shell command -v xvfb-run),xvfb-run -a -s "-screen 0 1920x1080x24" env QT_QPA_PLATFORM=xcb,env QT_QPA_PLATFORM=offscreen) \
		sh -c '$(PY) scripts/guide_screenshots.py docs/screenshots && \
		$(PY) scripts/guide_screenshots.py --dark docs/screenshots/dark'

package: $(VENV)/.installed-package
	PY=$(PY) packaging/build.sh

package-tools:
	packaging/linux/install-tools.sh

clean:
	rm -rf $(VENV) build dist .mypy_cache .ruff_cache .pytest_cache
