#!/usr/bin/env bash
# Install the test tools into .venv and run the whole suite (unit, app, browser) in a random order;
# pytest-randomly prints the seed at the top ("Using --randomly-seed=N"): pass it back to repeat an order.
# PYTHON and VENV pick another interpreter and its own folder (scripts/venv.sh), e.g. Python 3.12:
#   PYTHON=python3.12 VENV=.venv312 bash scripts/test.sh
# Browser tests need Debian's chromium (`apt-get install chromium`); without it they are skipped,
# except under CI, where a missing browser is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements-dev.txt
exec "$venv/bin/python" -m pytest "$@"
