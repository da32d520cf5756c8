# Calcflow. `make run` brings the whole system up on this machine; `make test` runs the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help run stop status build test bench bench-scale model-image scale-demo scale-demo-stop clean

help:
	@echo "make run     build and start MariaDB, calcflow-api and nginx (https://127.0.0.1:8443/)"
	@echo "make stop    stop what make run started"
	@echo "make status  show what runs"
	@echo "make test    unit and integration tests (starts its own MariaDB and nginx)"
	@echo "make bench   wrk against the running stack (run make run first)"
	@echo "make model-image  train the example model and build its image on make run's podman"
	@echo "make scale-demo   three Galera nodes, two API hosts, a front nginx and two agents, in network namespaces (root)"
	@echo "make scale-demo-stop  stop it and remove its state (its logs stay in \$$CALCFLOW_STATE_DIR/scale-logs)"
	@echo "make bench-scale  lifecycles a second through the scale demo against make run's single machine (root)"

run:
	@deploy/local/run.sh

stop:
	@deploy/local/stop.sh

scale-demo:
	@deploy/local/scale-demo.sh

scale-demo-stop:
	@deploy/local/scale-demo-stop.sh

status:
	@deploy/local/status.sh

build:
	swift build -c release

test:
	@deploy/local/test.sh

bench:
	@deploy/local/bench.sh

bench-scale:
	@deploy/local/bench-scale.sh

model-image:
	@deploy/local/model-image.sh

clean:
	rm -rf .build
