# Two entry points: `make run` (kiosk + simulators + local central) and `make test`.
# Each does the whole set-up on a fresh Debian machine first; a second call is quick.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
APT_STAMP := $(VENV)/.apt-stamp
PIP_STAMP := $(VENV)/.pip-stamp
APT_PACKAGES := fonts-wqy-microhei fonts-noto-cjk libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 \
    libfontconfig1 libdbus-1-3 libglib2.0-0 libzbar0 libxcb-cursor0 libnss3 libasound2 libpulse0 cups-client poppler-utils \
    speech-dispatcher speech-dispatcher-espeak-ng espeak-ng libspeechd2 libpipewire-0.3-0 \
    chromium chromium-driver
# The fleet page's browser test (tests/central/test_fleet_browser.py): headless Chromium
# driven by Selenium through Debian's chromium-driver (no browser download).
# Voice guidance (ui/voice.py): Qt's speechd engine needs libspeechd2, speaking needs the
# daemon and espeak-ng (Mandarin and English); QtMultimedia looks for PipeWire at load.

PACKAGES := kiosk ui drivers printing offline_queue central bench

.PHONY: run test lint security fault fault-payment bench setup bytecode translations screenshots clean dist update-drill

setup: $(PIP_STAMP)

$(APT_STAMP): Makefile  # a package added here is installed on the next call
	@mkdir -p $(VENV)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi
	@touch $@

$(PIP_STAMP): $(APT_STAMP) pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@$(MAKE) -s bytecode
	@touch $@

# An editable install gets no bytecode from pip, and with $$PYTHONDONTWRITEBYTECODE set
# every start would compile the sources again (~20 ms of the kiosk's cold start).
bytecode:
	@$(BIN)/python -m compileall -q $(PACKAGES)

run: setup bytecode
	$(BIN)/kiosk run --simulate

# Lint and type-check first (seconds), then the suite (minutes): fail fast.
test: setup lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m "not slow"

lint: setup
	$(BIN)/ruff check $(PACKAGES)
	$(BIN)/mypy $(PACKAGES)

# The security suite alone (issue #8; `make test` runs it too).
security: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m security tests/security

# The long fault campaign (2,000 SIGKILL cycles; `make test` runs a shorter one).
fault: setup
	KIOSK_FAULT_CYCLES=2000 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m fault tests/fault

# Card payments under kill -9 at every step of the order state machine, then rounds
# killed at random instants (issue #11 §4; `make test` runs three of the points).
fault-payment: setup
	KIOSK_PAYMENT_KILL_ROUNDS=20 QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -m fault tests/fault/test_payment_crash.py tests/fault/test_payment_faults.py

bench: setup bytecode
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# English is the source language, so only Chinese has a catalogue. lupdate keeps existing
# translations, marks new strings unfinished (tests/ui/test_i18n.py then fails until
# they are translated) and drops strings no longer in the code.
translations: setup
	$(BIN)/pyside6-lupdate -silent -no-obsolete -locations relative -source-language en \
	    -target-language zh_CN $$(find ui -name '*.py' | LC_ALL=C sort) -ts ui/i18n/kiosk_zh_CN.ts
	$(BIN)/pyside6-lrelease -silent ui/i18n/kiosk_zh_CN.ts -qm ui/i18n/kiosk_zh_CN.qm

# Every screen in both languages and both orientations, into docs/screenshots/
# (<screen>-<zh|en>-<portrait|landscape>.png); stale ones are deleted.
screenshots: setup
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m kiosk.scenario.screenshots

# The program and every dependency as wheels, for `deploy/install.sh --wheels DIR` on a
# terminal with no network beyond the Debian mirror (issue #14 §1).
DIST ?= dist/wheels
# Signed (issue #14 §3): manifest.json + manifest.json.sig with the release key
# RELEASE_KEY (a development key is generated there if absent); the public half it
# prints goes into the terminals' [update] release_public_key (`kiosk update --from`).
RELEASE_KEY ?= dist/release-key.pem
dist: setup
	rm -rf $(DIST) && mkdir -p $(DIST)
	$(BIN)/python -m pip wheel -q --wheel-dir $(DIST) .
	$(BIN)/kiosk release-sign $(DIST) --key $(RELEASE_KEY) --generate
	@echo "wheels in $(DIST): deploy/install.sh --wheels $(DIST); kiosk update --from $(DIST)"

# The update drill at every step (issue #14 §3; `make test` kills it at two of them).
update-drill: setup
	KIOSK_UPDATE_KILL_STEPS=all QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider tests/deploy/test_update.py

clean:
	rm -rf $(VENV) build dist *.egg-info
