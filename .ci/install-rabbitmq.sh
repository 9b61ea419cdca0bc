#!/usr/bin/env bash
# Install Debian's rabbitmq-server for the broker tests, idempotently.
#
# The tests start their own nodes (tests/support/rabbitmq_cluster.py) on non-default ports with
# their own data directories, so the package's service must not keep running on 5672/25672/4369
# after the install: Debian's postinst starts it, we stop it again (and its epmd) by PID.
set -euo pipefail

if command -v rabbitmq-server >/dev/null 2>&1 && command -v rabbitmqctl >/dev/null 2>&1; then
  echo "rabbitmq-server already installed: $(dpkg-query -W -f='${Version}' rabbitmq-server 2>/dev/null || echo unknown)"
else
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  # Keep the package from starting its service during install where the policy layer allows it.
  export DEBIAN_FRONTEND=noninteractive RUNLEVEL=1
  if ! apt-cache show rabbitmq-server >/dev/null 2>&1; then
    $SUDO apt-get update -qq
  fi
  $SUDO apt-get install -y -qq --no-install-recommends rabbitmq-server >/dev/null
  echo "installed rabbitmq-server $(dpkg-query -W -f='${Version}' rabbitmq-server)"
fi

# Stop a default node if the package (or anything else) left one running; tests use their own.
if command -v service >/dev/null 2>&1; then
  service rabbitmq-server stop >/dev/null 2>&1 || true
fi
if pgrep -u rabbitmq -f 'beam.*rabbit' >/dev/null 2>&1; then
  for pid in $(pgrep -u rabbitmq -f 'beam.*rabbit'); do kill "$pid" 2>/dev/null || true; done
fi
if pgrep -u rabbitmq -x epmd >/dev/null 2>&1; then
  for pid in $(pgrep -u rabbitmq -x epmd); do kill "$pid" 2>/dev/null || true; done
fi
echo "rabbitmq-server ready (no default node running; tests start their own)"
