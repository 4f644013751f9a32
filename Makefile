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

.PHONY: help deps build run cluster test bench clean

help:
	@echo "make deps     install/check what tests and benchmarks need (java 17, mvn, redis-server/cli/benchmark)"
	@echo "make build    compile and package: $(JAR) (+ server/target/lib/) and bin/kvorum"
	@echo "make run      build, then run one node in the foreground: RESP 127.0.0.1:6379, data in ./data"
	@echo "make cluster  build, then three nodes joined as a cluster in the foreground: RESP 127.0.0.1:6379-6381, data in ./data/cluster"
	@echo "make test     deps, then every module's tests and the cross-process tests (mvn verify)"
	@echo "make bench    deps + build, then redis-benchmark against redis-server and Kvorum side by side"
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

test: deps
	$(MVN) -B -ntp $(MVN_FLAGS) verify

bench: deps build
	tools/bench.sh

clean:
	$(MVN) -q -B $(MVN_FLAGS) clean
