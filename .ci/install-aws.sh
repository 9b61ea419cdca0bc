#!/usr/bin/env bash
# Make sure the moto server the AWS integration tests start (tests/support/moto_server.py) is
# installed. `pip install -e '.[test]'` already brings moto[server]; this is the fallback for an
# environment installed without the test extra. Idempotent; needs only PyPI.
set -euo pipefail

if command -v moto_server >/dev/null 2>&1; then
  echo "moto_server already installed: moto $(python -c 'import moto; print(moto.__version__)')"
else
  python -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.0,<6'
  echo "installed moto $(python -c 'import moto; print(moto.__version__)')"
fi
