#!/usr/bin/env bash
# Install the test tools into .venv and run the whole suite (unit, app, browser).
# Browser tests need Debian's chromium (`apt-get install chromium`); without it they are skipped,
# except under CI, where a missing browser is a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements-dev.txt
exec .venv/bin/python -m pytest "$@"
