#!/usr/bin/env bash
# Makes (idempotently) the Python virtual environment the conformance suite and the moto
# benchmark use, with the pinned packages of conformance/requirements.txt from PyPI.
# Usage: scripts/python-env.sh VENV_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
venv="$1"
stamp="$venv/.requirements"
if [ -x "$venv/bin/python" ] && cmp -s conformance/requirements.txt "$stamp"; then
  exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install -q --disable-pip-version-check -r conformance/requirements.txt
cp conformance/requirements.txt "$stamp"
