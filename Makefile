# Initialization, Executed: every target a contributor or CI needs.
# `make help` lists them.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MKDOCS := $(VENV)/bin/mkdocs
HOST ?= 127.0.0.1:8000

export NO_MKDOCS_2_WARNING := 1
export JUPYTER_PLATFORM_DIRS := 1
export PYDEVD_DISABLE_FILE_VALIDATION := 1

CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: help setup posts site serve test clean clean-cache new-post import-notebook lab

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' -v host='$(HOST)' '{gsub(/\$$\(HOST\)/, host, $$2); printf "  make %-16s %s\n", $$1, $$2}'

setup: $(PY_STAMP) $(NODE_STAMP) ## Install Python packages (.venv) and MathJax (node_modules)

# torch is pinned to its CPU build (torch==2.13.0+cpu), which lives on PyTorch's own wheel
# index, not on PyPI (PyPI's torch pulls several GB of CUDA packages). A machine whose pip
# already finds the pinned wheel locally (find-links) gets no extra index it might not reach.
TORCH_PIN = $(shell grep -E '^torch==' requirements.txt)
TORCH_INDEX = $(shell $(PYTHON_BOOT) -m pip install --dry-run --no-deps --no-index --quiet --ignore-installed \
	'$(TORCH_PIN)' >/dev/null 2>&1 || echo --extra-index-url https://download.pytorch.org/whl/cpu)

$(PY_STAMP): requirements.txt
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt $(TORCH_INDEX)
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

posts: setup ## Execute changed posts (cached; POSTS="slug ..." for some) into docs/blog/posts, docs/notebooks
	$(PY) scripts/build_posts.py $(POSTS)

# Under the checkout's build lock (.build/lock: a second `make site`, `make test` or a save
# during `make serve` waits for this one); MkDocs builds into a fresh folder in .build/ that
# replaces site/ in one rename, only if everything succeeded. Warnings fail the build
# (--strict); MkDocs' INFO lines are left out.
site: setup ## Execute the posts and build the site strictly into site/ (the old site/ is kept if anything fails)
	$(PY) scripts/build_site.py $(POSTS)

# No `posts` prerequisite: hooks/execute_on_serve.py executes the posts on every build, and a
# failing post must not stop the server (its last good page stays served while it is fixed).
# --dirty: a save rebuilds only the pages whose source changed (hooks/serve_incremental.py makes
# each of them the page a full build writes, and runs a full build when a save changes more).
serve: setup ## Build and serve on http://$(HOST) with live reload (re-executes edited posts)
	$(MKDOCS) serve --strict --dirty --dev-addr $(HOST) --livereload

new-post: setup ## Scaffold posts_src/<slug>.md from TITLE="..." (a post that builds as it is)
	@test -n "$(TITLE)" || { echo 'usage: make new-post TITLE="Why LSUV works"' >&2; exit 2; }
	@# $(value ...) and single quotes: a title may contain $, quotes or backticks
	$(PY) scripts/new_post.py '$(subst ','\'',$(value TITLE))'

import-notebook: setup ## Turn a notebook into a post: NB=path/to/any.ipynb (reports what is left to do)
	@test -n "$(NB)" || { echo 'usage: make import-notebook NB=path/to/notebook.ipynb' >&2; exit 2; }
	$(PY) scripts/import_notebook.py "$(NB)"

LAB_PORT ?= 8888
lab: setup ## JupyterLab on posts_src/ (posts open as notebooks with the site's macros and values)
	JUPYTERLAB_SETTINGS_DIR=scripts/lab/user-settings JUPYTERLAB_WORKSPACES_DIR=.build/lab-workspaces \
	$(VENV)/bin/jupyter lab --config=scripts/lab/jupyter_server_config.py --port=$(LAB_PORT)

$(CHROMIUM):
	@echo "Installing Debian's chromium (the browser tests drive it)"
	$(SUDO) apt-get update -qq
	$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

test: setup $(CHROMIUM) ## Run the test suite (executor, fixture site, browser, strict build of the real site)
	$(PY) scripts/build_site.py --then $(PY) scripts/run_tests.py

.PHONY: check-seeds
SEEDS ?= 8
check-seeds: setup ## Re-execute posts under SEEDS other seeds (default 8; POSTS="slug ...") and report claims that flip
	$(PY) scripts/check_seeds.py --seeds $(SEEDS) $(POSTS)

.PHONY: bench
BENCH_ARGS ?=
bench: setup ## Benchmark the build (against mkdocs-jupyter), the edit loop of make serve, the reader (BENCH_ARGS="--edit-loop-only")
	$(PY) scripts/bench.py $(BENCH_ARGS)

clean: ## Remove build outputs and the execution cache (keeps .venv and node_modules)
	rm -rf site .build .cache docs/blog/posts docs/notebooks docs/checks.md

.PHONY: lint
lint: setup ## Run every pre-commit hook on every file (what CI runs; fixers rewrite files, then fail)
	$(VENV)/bin/pre-commit run --all-files --show-diff-on-failure

clean-cache: ## Remove the execution cache (every post executes again on the next build)
	rm -rf .cache/posts
