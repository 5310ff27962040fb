# Boxkeeper: one entry point for a fresh machine (Debian 12, root or sudo).
#   make run    install what is missing, build, open the app on the demo folder
#   make test   install what is missing, build, run every test (what CI runs)
#   make bench  benchmarks (figures side by side with a reference measured in the same run)

SHELL := /bin/bash
.DEFAULT_GOAL := help
export CARGO_TERM_COLOR ?= never

APT_PACKAGES := libwebkit2gtk-4.1-dev libgtk-3-dev librsvg2-dev libayatana-appindicator3-dev \
	libsoup-3.0-dev libtesseract-dev libleptonica-dev tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra \
	libclang-dev clang xvfb xauth webkit2gtk-driver imagemagick poppler-utils pkg-config
TOOLS := $(CURDIR)/.tools
PDFIUM := $(TOOLS)/pdfium/libpdfium.so
PYPDFIUM2_VERSION := 5.15.2
TAURI_DRIVER_VERSION := 2.1.0
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APP := target/debug/boxkeeper-app
# Where tauri-driver is (cargo install puts it in ~/.cargo/bin).
export PATH := $(HOME)/.cargo/bin:$(PATH)
export BOXKEEPER_PDFIUM_DIR := $(TOOLS)/pdfium

.PHONY: help deps apt npm pdfium sdk-venv tauri-driver ui app cli run test test-rust test-ui test-e2e test-llm lint bench bench-dropbox bench-extract bench-review bindings clean

help:
	@echo "make run    install, build and open the app on the demo folder"
	@echo "make test   install, build and run every test"
	@echo "make bench  run the benchmarks (make bench-dropbox, make bench-extract, make bench-review: one part)"
	@echo "make test-llm  the LLM extractor against a real local server (optional, slow)"

## Installing ---------------------------------------------------------------------------

deps: apt npm pdfium tauri-driver sdk-venv

# Debian packages: only what is missing, so a machine that has them does no network work.
apt:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "install ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

npm: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# libpdfium.so comes from the pypdfium2 wheel on PyPI (Debian has no pdfium).
pdfium: $(PDFIUM)

$(PDFIUM):
	@mkdir -p $(TOOLS)/pdfium $(TOOLS)/wheel
	python3 -m pip download --quiet --no-deps --only-binary=:all: --platform manylinux_2_17_x86_64 \
		pypdfium2==$(PYPDFIUM2_VERSION) -d $(TOOLS)/wheel
	cd $(TOOLS)/wheel && python3 -m zipfile -e pypdfium2-*.whl unpacked
	cp $(TOOLS)/wheel/unpacked/pypdfium2_raw/libpdfium.so $(PDFIUM)
	rm -rf $(TOOLS)/wheel

# The official Dropbox SDK, whose validators check the emulator's JSON (make test-rust).
DROPBOX_SDK_VERSION := 12.2.4
VENV := $(CURDIR)/.venv
sdk-venv: $(VENV)/.dropbox-$(DROPBOX_SDK_VERSION)

$(VENV)/.dropbox-$(DROPBOX_SDK_VERSION):
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check dropbox==$(DROPBOX_SDK_VERSION)
	@touch $@

tauri-driver:
	@command -v tauri-driver >/dev/null || cargo install tauri-driver --locked --version $(TAURI_DRIVER_VERSION)

## Building -----------------------------------------------------------------------------

ui: npm
	npm run build

# The app embeds ui/dist, so it is built after the UI.
app: ui
	cargo build -p boxkeeper-app -p boxkeeper-cli

cli:
	cargo build -p boxkeeper-cli

# Regenerate ui/src/bindings.ts from the Rust types (a test fails when it is stale).
bindings:
	BOXKEEPER_WRITE_BINDINGS=1 cargo test -p boxkeeper-app --lib bindings_are_up_to_date

## Running ------------------------------------------------------------------------------

# Opens the app: on the demo folder the first time, then on the folder chosen last. Without a
# display (a server, CI) it runs under Xvfb and says so.
run: apt npm pdfium app
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
		$(APP); \
	else \
		echo "no display: running under Xvfb (screenshot: import -display :\$$N -window root shot.png)"; \
		xvfb-run -a -s '-screen 0 1280x800x24' $(APP); \
	fi

## Testing ------------------------------------------------------------------------------

test: deps app lint test-rust test-ui test-e2e
	@echo "all tests passed"

lint: ui
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

test-rust: sdk-venv
	BOXKEEPER_SDK_PYTHON=$(VENV)/bin/python BOXKEEPER_DROPBOX_SAMPLES=$(abspath $(CURDIR)/../shared/dropbox) \
		cargo test --workspace

test-ui: npm
	npm run check
	npm test

test-e2e: app tauri-driver
	cargo test -p boxkeeper-app --test e2e -- --nocapture

# Optional: the LLM extractor against a real local server (llama-cpp-python with the 135M
# SmolLM2 model from PyPI; builds llama.cpp from source, about 5 minutes the first time).
# It proves the protocol, not the quality.
test-llm: pdfium
	scripts/test-llm.sh

## Benchmarks ---------------------------------------------------------------------------

bench: apt npm pdfium app
	cargo run --release -p boxkeeper-bench -- --files 100000

bench-dropbox:
	cargo run --release -p boxkeeper-bench -- --files 100000 --only dropbox

# Extraction: field accuracy next to invoice2data (installed in .venv-bench), text pages/s
# next to pdftotext, OCR pages/s next to the tesseract CLI. Writes artifacts/bench-extract.md.
bench-extract: apt pdfium
	cargo run --release -p boxkeeper-bench -- --only extract

# The review workspace with 100,000 documents and 500,000 line items: list queries and the
# PO view (p95, goal < 50 ms) next to a bare page read, opening a document view (goal
# < 200 ms) next to pdftoppm, exporting every line item next to a bare csv floor.
# Writes artifacts/bench-review.md.
bench-review: apt pdfium
	cargo run --release -p boxkeeper-bench -- --only review

clean:
	cargo clean
	rm -rf ui/dist node_modules $(TOOLS) artifacts
