#!/usr/bin/env bash
# Runs the scikit-learn retraining integration test (test/integration/retraining-sklearn.test.ts).
# Call it from .ci/run after `apt-get install -y python3-sklearn python3-onnx`; it needs no build.
# Exits non-zero when the packages are missing (a skipped check must not look like a pass).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! /usr/bin/python3 -c 'import sklearn, onnx, numpy' 2>/dev/null; then
  echo "ci-sklearn: /usr/bin/python3 cannot import sklearn, onnx and numpy; install python3-sklearn python3-onnx" >&2
  exit 1
fi
export PYTHONDONTWRITEBYTECODE=1
SLIPWAY_SKLEARN=1 npx vitest run test/integration/retraining-sklearn.test.ts "$@"
