#!/usr/bin/env bash
# Make sure Google's Pub/Sub emulator, which tests/support/pubsub_emulator.py starts, is installed.
# The machine image ships it (Debian package google-cloud-cli-pubsub-emulator from Google's apt
# repository, plus a Java runtime). Idempotent: on the image this only checks. On a fresh Debian
# machine it installs Java from Debian, and the emulator if Google's apt repository is configured;
# otherwise it fails loudly, because the tests FAIL under CI=true without the emulator.
set -euo pipefail

EMULATOR=/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator
SUDO=$([ "$(id -u)" = 0 ] && echo "" || echo sudo)

if ! command -v java >/dev/null 2>&1; then
  echo "installing a Java runtime for the emulator (Debian openjdk-17-jre-headless)"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq openjdk-17-jre-headless
fi

if [ ! -x "$EMULATOR" ]; then
  if apt-cache policy google-cloud-cli-pubsub-emulator 2>/dev/null | grep -q packages.cloud.google.com; then
    $SUDO apt-get install -y -qq google-cloud-cli-pubsub-emulator
  else
    echo "ERROR: $EMULATOR is missing and Google's apt repository is not configured." >&2
    echo "Add 'deb https://packages.cloud.google.com/apt cloud-sdk main' (with Google's key) and run" >&2
    echo "'apt-get install google-cloud-cli-pubsub-emulator', or 'gcloud components install pubsub-emulator'." >&2
    exit 1
  fi
fi

echo "pubsub emulator: $(dpkg-query -W -f='${Package} ${Version}' google-cloud-cli-pubsub-emulator 2>/dev/null \
  || echo "$EMULATOR"), $(java -version 2>&1 | head -1)"
