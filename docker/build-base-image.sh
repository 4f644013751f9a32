#!/usr/bin/env bash
# Builds the local JRE 17 base image kvorum/base-jre17 from Debian packages (debootstrap + docker
# import), for machines that reach no container registry (CI, this project's sandboxes). The
# Dockerfile takes it through --build-arg BASE_IMAGE=kvorum/base-jre17. Idempotent: an existing
# image is kept (FORCE=1 rebuilds it).
#
# Besides the JRE the image holds redis-cli (the HEALTHCHECK and the test fixture's probes) and
# iptables (the fault tests cut links between containers with it).
set -euo pipefail

IMAGE=${BASE_IMAGE_NAME:-kvorum/base-jre17}
SUITE=${DEBIAN_SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
PACKAGES=openjdk-17-jre-headless,redis-tools,iptables,procps,ca-certificates

if [ "${FORCE:-0}" != 1 ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
  echo "build-base-image: $IMAGE exists (FORCE=1 rebuilds it)"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "build-base-image: needs debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "build-base-image: debootstrap needs root" >&2; exit 1; }

ROOTFS=$(mktemp -d /tmp/kvorum-rootfs.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT
echo "build-base-image: debootstrap $SUITE into $ROOTFS (a few minutes)"
debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$ROOTFS" "$MIRROR"
# Shrink: package caches and docs are not needed at run time.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/* \
       "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/usr/share/locale/*
tar -C "$ROOTFS" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'CMD ["/bin/bash"]' \
  - "$IMAGE"
echo "build-base-image: $IMAGE built"
