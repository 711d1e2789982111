# The README's two set-up commands: `make run` and `make test`. Both install what they need.
VENV ?= .venv
PY := $(VENV)/bin/python
ZHIZAO := $(VENV)/bin/zhizao
PYTHON ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
# Test workers: one per core by default (make test TEST_WORKERS=0 runs in one process).
TEST_WORKERS ?= auto
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp

.PHONY: install run test lint schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

install: $(STAMP) $(NODE_STAMP)

# A local .env with a fresh secret key, made once and kept (so sessions survive restarts).
.env:
	@$(PYTHON) -c "import secrets; print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@printf 'DEBUG=false\nALLOWED_HOSTS=127.0.0.1,localhost\n' >> .env
	@echo "已生成 .env（随机 SECRET_KEY）。"

run: install .env
	$(ZHIZAO) migrate --no-input
	$(ZHIZAO) plan load default --keep-existing
	$(ZHIZAO) cultivation types load
	$(ZHIZAO) collectstatic --no-input --verbosity 0
	@$(ZHIZAO) demo
	@$(ZHIZAO) recompute
	@$(ZHIZAO) publish 2021-2023 --keep-existing
	@echo "智造平台已启动：http://$(HOST):$(PORT)/  （Ctrl+C 停止）"
	@$(ZHIZAO) worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  $(VENV)/bin/gunicorn zhizao.wsgi --bind $(HOST):$(PORT) --workers 2 --access-logfile - --log-level warning

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Tests run without a .env: they set their own key and use a throwaway database.
test: install lint
	SECRET_KEY=test-only-secret $(ZHIZAO) check --fail-level WARNING
	SECRET_KEY=test-only-secret $(ZHIZAO) makemigrations --check --dry-run
	SECRET_KEY=test-only-secret $(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup

schema: install
	SECRET_KEY=test-only-secret $(ZHIZAO) spectacular --file openapi.yaml --validate

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache

bench: install
	$(PY) bench/bench_plan.py
	$(PY) bench/bench_import.py
	$(PY) bench/bench_demo.py
