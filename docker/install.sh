#!/bin/sh
# Build the bot's virtualenv: pinned dependencies first ("deps"), then the bot itself ("app").
# The Dockerfile's build stage runs this script (two steps, so the dependency layer stays cached
# while the code changes), and tests/integration/test_docker_recipe.py runs the Dockerfile's
# same RUN lines, so the image's recipe is exercised without a Docker engine.
#
# usage: docker/install.sh VENV_DIR PROJECT_DIR [deps|app|all]
set -eu
venv="${1:?usage: install.sh VENV_DIR PROJECT_DIR [deps|app|all]}"
project="${2:?usage: install.sh VENV_DIR PROJECT_DIR [deps|app|all]}"
step="${3:-all}"
pip="$venv/bin/python -m pip --no-input --disable-pip-version-check"

if [ "$step" = deps ] || [ "$step" = all ]; then
    python3 -m venv "$venv"
    # The complete, pinned dependency set (requirements/*.txt hold every transitive package).
    $pip install --require-virtualenv -r "$project/requirements/runtime.txt"
fi
if [ "$step" = app ] || [ "$step" = all ]; then
    # --no-deps: nothing unpinned can sneak in through the project's own metadata.
    $pip install --require-virtualenv --no-deps "$project"
    # Byte-compile now: at run time the image is read-only for the non-root user.
    "$venv/bin/python" -m compileall -q "$venv/lib" >/dev/null
fi
