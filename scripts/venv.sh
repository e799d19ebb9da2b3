# Sourced by app.sh and test.sh: create a virtual environment and install a requirements file once per change of it.
# PYTHON names the interpreter (default python3) and VENV the folder (default .venv), so a second Python
# gets its own folder:  PYTHON=python3.12 VENV=.venv312 bash scripts/test.sh
requirements="$1"
python="${PYTHON:-python3}"
venv="${VENV:-.venv}"
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
stamp="$venv/.installed-$(cat requirements*.txt | sha256sum | cut -c1-16)-${requirements%.txt}"
if [ ! -f "$stamp" ]; then
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  "$venv/bin/python" -m pip install --quiet -r "$requirements"
  touch "$stamp"
fi
