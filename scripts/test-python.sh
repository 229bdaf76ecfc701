#!/usr/bin/env bash
# Prints the path of a Python that has what the tests' outside checks import (TensorBoard's reader,
# NumPy, Pillow, PyTorch, safetensors: scripts/test-requirements.txt; TensorBoardLoggerTest, NpyTest
# and TorchRoundTripTest run them), making it first when missing: a virtual environment under
# ${XDG_CACHE_HOME:-~/.cache}/nabla/test-python (or $NABLA_TEST_PYTHON_DIR), installed with pip as
# configured on the machine (the pinned versions, --retries 0: an unreachable index fails fast).
# Exits 1, saying why on stderr, when it cannot; run-tests then runs the suite without those checks
# (they skip); after pip failed, it does not try again until the requirements change or
# $dir.failed is removed. It only ever replaces a directory that is a virtual environment (pyvenv.cfg).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
requirements="$root/scripts/test-requirements.txt"
dir=${NABLA_TEST_PYTHON_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/nabla/test-python}
python="$dir/bin/python"
stamp="$dir/requirements.txt"   # what the environment was made from
failed="$dir.failed"             # what pip could not install here: not tried again on every run

usable() { # made from these requirements, and finds every module (without importing them: fast)
    [[ -x $python ]] && cmp -s "$requirements" "$stamp" && "$python" -c '
import importlib.util, sys
sys.exit(any(importlib.util.find_spec(m) is None for m in ("numpy", "PIL", "tensorboard", "torch", "safetensors")))'
}

if ! usable; then
    command -v python3 >/dev/null || { echo "test-python: no python3 on PATH" >&2; exit 1; }
    if cmp -s "$requirements" "$failed"; then
        echo "test-python: pip could not install these requirements here before; remove $failed to try again" >&2
        exit 1
    fi
    if [[ -e $dir && ! -f $dir/pyvenv.cfg ]]; then
        echo "test-python: $dir exists and is not a virtual environment; not touching it (set NABLA_TEST_PYTHON_DIR)" >&2
        exit 1
    fi
    rm -rf "$dir"
    if ! python3 -m venv "$dir" >&2; then
        # Debian's python3 makes venvs only with python3-venv: installed here when we may (root, apt-get)
        rm -rf "$dir"
        if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1 \
                && apt-get update >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y python3-venv >&2 \
                && python3 -m venv "$dir" >&2; then
            :
        else
            echo "test-python: python3 -m venv failed (Debian: apt-get install python3-venv)" >&2
            exit 1
        fi
    fi
    if ! "$dir/bin/pip" install -qq --retries 0 --disable-pip-version-check -r "$requirements" >&2; then
        echo "test-python: pip could not install $(tr '\n' ' ' < "$requirements")" >&2
        rm -rf "$dir"
        mkdir -p "$(dirname "$failed")" && cp "$requirements" "$failed"
        exit 1
    fi
    cp "$requirements" "$stamp"
    rm -f "$failed"
    usable || { echo "test-python: the new environment in $dir does not import them" >&2; exit 1; }
fi
echo "$python"
