#!/usr/bin/env bash
# Builds the Kvorum node image (default tag kvorum/kvorum:dev) from server/target/kvorum.jar,
# server/target/lib/ and bin/kvorum: run `make build` (or package the server module) first.
#
# Only those files are sent to the engine (a tar stream as the build context), not the whole
# checkout with its data and build directories.
#
#   BASE_IMAGE  JRE 17 image to build on (default: kvorum/base-jre17 if present locally,
#               else eclipse-temurin:17-jre, the Dockerfile's own default)
#   IMAGE       tag to build (default kvorum/kvorum:dev)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

IMAGE=${IMAGE:-kvorum/kvorum:dev}
if [ -z "${BASE_IMAGE:-}" ]; then
  if docker image inspect kvorum/base-jre17 >/dev/null 2>&1; then
    BASE_IMAGE=kvorum/base-jre17
  else
    BASE_IMAGE=eclipse-temurin:17-jre
  fi
fi
for f in server/target/kvorum.jar server/target/lib bin/kvorum; do
  [ -e "$f" ] || { echo "build-image: $f is missing: run 'make build' first" >&2; exit 1; }
done

echo "build-image: $IMAGE on $BASE_IMAGE"
tar -c server/target/kvorum.jar server/target/lib bin/kvorum docker/Dockerfile \
  | docker build -q -f docker/Dockerfile --build-arg BASE_IMAGE="$BASE_IMAGE" -t "$IMAGE" -
