# Kvorum developer entry points. `make help` lists them.
#
# MVN_FLAGS adds Maven flags to every Maven call, e.g. `make build MVN_FLAGS=-o` to build
# offline from ~/.m2.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

MVN ?= mvn
MVN_FLAGS ?=
JAR := server/target/kvorum.jar

.PHONY: help deps docker-deps build run cluster test bench bench-elastic clean base-image image compose-up compose-down soak

DOCKER_IMAGE ?= kvorum/kvorum:dev
# docker-compose (Debian's package) or the compose plugin of a newer Docker
COMPOSE ?= $(shell command -v docker-compose >/dev/null 2>&1 && echo docker-compose || echo docker compose)
COMPOSE_FILE := -p kvorum -f docker/compose.yml

help:
	@echo "make deps     install/check what tests and benchmarks need (java 17, mvn, redis-server/cli/benchmark)"
	@echo "make build    compile and package: $(JAR) (+ server/target/lib/) and bin/kvorum"
	@echo "make run      build, then run one node in the foreground: RESP 127.0.0.1:6379, data in ./data"
	@echo "make cluster  build, then three nodes joined as a cluster in the foreground: RESP 127.0.0.1:6379-6381, data in ./data/cluster"
	@echo "make test     deps + docker-deps, then every module's tests, the cross-process and the container fault tests (mvn verify)"
	@echo "make image    build, then the node image $(DOCKER_IMAGE) (BASE_IMAGE=... to pick the JRE 17 base)"
	@echo "make base-image  the local JRE 17 base image kvorum/base-jre17 from Debian packages (no registry needed)"
	@echo "make compose-up   image, then a 3-node cluster in containers: redis-cli -c -p 7001"
	@echo "make compose-down stop it and delete its volumes"
	@echo "make soak     build, then the container fault scenarios for longer (SOAK_SECONDS per scenario, default 300)"
	@echo "make bench    deps + build, then redis-benchmark against redis-server and Kvorum side by side"
	@echo "make bench-elastic  deps + build, then a 5th node joins 4 nodes holding BENCH_ELASTIC_GB (1) GiB each: move time, throughput during it"
	@echo "make clean    remove build outputs (keeps ./data and bench-results/)"

deps:
	@tools/deps.sh

build:
	$(MVN) -q -B -ntp $(MVN_FLAGS) -DskipTests install
	@chmod +x bin/kvorum
	@if [ ! -f "$(JAR)" ]; then \
	  echo "build: Maven succeeded but $(JAR) was not produced (the server module packages it)" >&2; \
	  exit 1; \
	fi
	@echo "build: $(JAR) ready; start a node with: bin/kvorum server"

run: build
	exec bin/kvorum server

cluster: build
	exec tools/cluster.sh

docker-deps:
	@tools/docker-deps.sh

test: deps docker-deps
	$(MVN) -B -ntp $(MVN_FLAGS) verify

base-image:
	docker/build-base-image.sh

image: build
	IMAGE=$(DOCKER_IMAGE) docker/build-image.sh

compose-up: image
	IMAGE=$(DOCKER_IMAGE) $(COMPOSE) $(COMPOSE_FILE) up -d
	@echo "compose-up: 3 nodes on 127.0.0.1:7001-7003 (they settle in about 30 s): redis-cli -c -p 7001"

compose-down:
	$(COMPOSE) $(COMPOSE_FILE) down -v

SOAK_SECONDS ?= 300
soak: deps docker-deps build
	$(MVN) -B -ntp $(MVN_FLAGS) -pl it-tests verify -Dtest='FaultScenariosTest' \
	  -Dsurefire.failIfNoSpecifiedTests=false -Dkvorum.faults.seconds=$(SOAK_SECONDS)

bench: deps build
	tools/bench.sh

bench-elastic: deps build
	tools/bench-elastic.sh

clean:
	$(MVN) -q -B $(MVN_FLAGS) clean
