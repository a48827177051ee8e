# privguard -- the two commands: `make run` (the main job) and `make test`
# (every test). Both install the Debian packages they need first.
#
#   make run     build (Release) and start the service with sample data
#   make demo    scan the sample conversation and print a readable summary
#   make test    build with ASan+UBSan (clang) and run every test under CTest,
#                including the fuzz seed replays; starts the services tests need
#   make eval    precision/recall on the labelled set, findings on the negatives
#   make bench   the scanning benchmark (docs/benchmarks.md)
#   make bench-stream  messages/s through JetStream, one then two workers
#                (docs/deploy.md; STREAM_MESSAGES, default 500000)
#   make fuzz    long libFuzzer runs (FUZZ_SECONDS each, default 600)

SHELL      := /bin/bash
JOBS       ?= 2
BUILD      ?= build
TBUILD     ?= build-test
FBUILD     ?= build-fuzz
SHARED     ?= $(abspath ../shared/corpus)
FUZZ_SECONDS ?= 600
STREAM_MESSAGES ?= 500000

.PHONY: all deps build run demo test eval bench bench-stream fuzz clean

all: build

deps:
	@./scripts/install-deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DPVG_BUILD_TESTS=OFF \
	    -DPVG_SHARED_DIR=$(SHARED)/.. >/dev/null
	@cmake --build $(BUILD) -j$(JOBS) --target privguard_cli

run: build
	@./$(BUILD)/privguard serve --demo

demo: build
	@./$(BUILD)/privguard demo examples/conversation.jsonl

test: deps
	@cmake -S . -B $(TBUILD) -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=Debug \
	    -DPVG_ASAN=ON -DPVG_UBSAN=ON -DPVG_BUILD_TESTS=ON -DPVG_BUILD_FUZZERS=ON \
	    -DPVG_SHARED_DIR=$(abspath ..)/shared >/dev/null
	@cmake --build $(TBUILD) -j$(JOBS)
	@./scripts/run-tests.sh $(TBUILD)

eval: build
	@./scripts/eval.sh $(BUILD)

bench: build
	@PVG_SHARED=$(SHARED) ./$(BUILD)/privguard bench

bench-stream: build
	@cmake --build $(BUILD) -j$(JOBS) --target bench_stream
	@./scripts/nats-test.sh run -- ./$(BUILD)/bench/stream/bench_stream \
	    --messages $(STREAM_MESSAGES) --workers 1,2 --cli ./$(BUILD)/privguard

fuzz: deps
	@cmake -S . -B $(FBUILD) -DCMAKE_C_COMPILER=clang-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DPVG_ASAN=ON -DPVG_UBSAN=ON -DPVG_BUILD_TESTS=OFF -DPVG_BUILD_FUZZERS=ON >/dev/null
	@cmake --build $(FBUILD) -j$(JOBS)
	@./scripts/fuzz.sh $(FBUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(TBUILD) $(FBUILD)
