# kis-bot: `make run` runs the bot (without TELEGRAM_BOT_TOKEN: the offline sandbox with a web
# chat), `make test` runs every check. Both set themselves up.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install run sandbox chromium test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "kis-bot needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# With a token (environment or .env, read the way the bot reads it) serve Telegram; without
# one start the offline sandbox at http://127.0.0.1:8080 (KISBOT_SANDBOX_PORT).
run: install
	@if $(BIN)/python -c 'import sys; from bot.settings import Settings; sys.exit(0 if Settings().token else 1)' 2>/dev/null; \
	then exec $(BIN)/kisbot run; else exec $(BIN)/kisbot sandbox; fi

sandbox: install
	@$(BIN)/kisbot sandbox

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads browsers).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests (once)..."; \
		SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		{ $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
			chromium fonts-noto-color-emoji >/dev/null; } \
		|| echo "Could not install chromium: the browser tests will be skipped (they fail with CI=true)."; }

# lint-imports checks the layer contracts in pyproject.toml ([tool.importlinter]).
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy

pytest: install chromium
	$(BIN)/pytest -q

test: lint typecheck pytest

bench: install
	@for script in bench/start_throughput.py bench/memory.py bench/herd.py bench/staff_queries.py bench/broadcast.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
