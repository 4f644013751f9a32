#!/usr/bin/env bash
# Makes sure the tools `make test` and `make bench` need are on this machine (idempotent).
#
# - Java 17+ and Maven must already be there (the machine image provides them).
# - redis-server, redis-cli and redis-benchmark (Debian: redis-server, redis-tools) are the
#   oracle for the differential tests and the baseline for the benchmark; installed with apt
#   when missing and we are root.
# - python3 (standard library only) drives tools/cluster.sh, tools/bench.sh and
#   tools/bench-elastic.sh; installed with apt when missing and we are root.
# - Debian's redis-server package starts a system Redis on 6379 when installed. That one
#   would take Kvorum's default port, so it is stopped (and kept from starting during our
#   install in the first place).
set -euo pipefail

fail() { echo "deps: $*" >&2; exit 1; }

# --- Java 17+ and Maven --------------------------------------------------------------------
command -v java >/dev/null 2>&1 || fail "java not found; install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
java_version="$(java -version 2>&1 | awk -F'"' '/version/ {print $2; exit}')"
java_major="${java_version%%.*}"
if [ "$java_major" = "1" ]; then java_major="$(echo "$java_version" | cut -d. -f2)"; fi
[ "${java_major:-0}" -ge 17 ] 2>/dev/null || fail "java $java_version found; Kvorum needs Java 17 or newer"
command -v mvn >/dev/null 2>&1 || fail "mvn not found; install Maven 3.8+ (Debian: apt-get install maven)"

# --- Redis tools ---------------------------------------------------------------------------
missing=()
for tool in redis-server redis-cli redis-benchmark; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done

if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != "0" ]; then
    fail "missing ${missing[*]}; install them as root: apt-get install -y redis-server redis-tools"
  fi
  echo "deps: installing redis-server redis-tools (missing: ${missing[*]})"
  # policy-rc.d answering 101 tells Debian maintainer scripts not to start services, so the
  # package's system Redis never grabs 6379. Only add it if there is none, and remove ours.
  added_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy="yes"
  fi
  remove_policy() { if [ -n "$added_policy" ]; then rm -f /usr/sbin/policy-rc.d; fi; }
  trap remove_policy EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends redis-server redis-tools >/dev/null
fi

# --- python3 --------------------------------------------------------------------------------
if ! command -v python3 >/dev/null 2>&1; then
  [ "$(id -u)" = "0" ] || fail "python3 not found; install it as root: apt-get install -y python3"
  echo "deps: installing python3"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends python3 >/dev/null
fi

# --- no system Redis on 6379 ---------------------------------------------------------------
# Only the packaged service is touched (its pid file), never a redis-server someone started.
system_pid_file=/run/redis/redis-server.pid
if [ -s "$system_pid_file" ] && kill -0 "$(cat "$system_pid_file")" 2>/dev/null; then
  echo "deps: stopping the system redis-server service (it listens on 6379, Kvorum's default port)"
  if [ "$(id -u)" = "0" ]; then
    service redis-server stop >/dev/null 2>&1 || systemctl stop redis-server >/dev/null 2>&1 || true
    if [ -s "$system_pid_file" ] && kill -0 "$(cat "$system_pid_file")" 2>/dev/null; then
      kill "$(cat "$system_pid_file")" 2>/dev/null || true
    fi
    # Keep it from coming back on the next boot of this machine.
    systemctl disable redis-server >/dev/null 2>&1 || update-rc.d redis-server disable >/dev/null 2>&1 || true
  else
    echo "deps: warning: not root, cannot stop it; stop it yourself (sudo service redis-server stop)" >&2
  fi
fi

echo "deps: ok (java $java_version, $(mvn -v 2>/dev/null | head -1 | sed 's/\x1b\[[0-9;]*m//g'), $(redis-server --version | awk '{print $1, $2, $3}'), $(python3 --version))"
