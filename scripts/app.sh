#!/usr/bin/env bash
# Install MNIST Studio into .venv (first run only, or when requirements change) and start the app.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/venv.sh requirements.txt
exec .venv/bin/streamlit run app.py "$@"
