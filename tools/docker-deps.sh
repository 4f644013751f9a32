#!/usr/bin/env bash
# Makes sure the container tests can run here (idempotent; CI runs it through `make test`):
#
# - a Docker engine: installs Debian's docker.io, docker-compose and debootstrap if missing (as
#   root), and starts dockerd in the background if no engine answers;
# - the local base image kvorum/base-jre17 (docker/build-base-image.sh), because CI machines
#   reach no container registry. It takes a few minutes the first time, then is kept.
#
# The Kvorum image itself is built by the container tests from the freshly packaged jar.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fail() { echo "docker-deps: $*" >&2; exit 1; }

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker >/dev/null 2>&1 || need+=(docker.io)
command -v docker-compose >/dev/null 2>&1 || docker compose version >/dev/null 2>&1 || need+=(docker-compose)
command -v debootstrap >/dev/null 2>&1 || need+=(debootstrap)
if [ "${#need[@]}" -gt 0 ]; then
  [ "$(id -u)" = 0 ] || fail "missing ${need[*]}; install as root: apt-get install -y ${need[*]}"
  echo "docker-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # policy-rc.d 101: the package must not try to start the daemon through an init system that
  # is not there; we start dockerd ourselves below.
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy=yes
  fi
  apt-get install -y -qq --no-install-recommends "${need[@]}" iptables ca-certificates >/dev/null
  [ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || fail "no Docker engine answers and we are not root to start dockerd"
  command -v dockerd >/dev/null 2>&1 || fail "dockerd not found"
  echo "docker-deps: starting dockerd (log: /var/log/kvorum-dockerd.log)"
  nohup dockerd >/var/log/kvorum-dockerd.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || fail "dockerd did not come up; see /var/log/kvorum-dockerd.log"
fi

docker/build-base-image.sh
