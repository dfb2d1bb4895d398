# Palisade: the two commands a fresh machine needs are `make demo` and `make check`.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
PREFIX     ?= /usr/local
DESTDIR    ?=
JOBS       ?= $(shell nproc)
CC         ?= clang
CMAKE_CC   := $(if $(filter default,$(origin CC)),clang,$(CC))

.PHONY: all deps build build-asan check unit integration demo bench install fuzz valgrind format clean help

all: build

help:
	@echo "make deps        install missing Debian packages (root)"
	@echo "make build       release build in $(BUILD)/"
	@echo "make check       deps + sanitizer build + every test (unit, fuzz corpora, integration)"
	@echo "make unit        unit tests only (sanitizer build)"
	@echo "make integration integration tests only (sanitizer build)"
	@echo "make demo        deps + build + an end-to-end demonstration"
	@echo "make bench       benchmarks; results in bench/RESULTS.md"
	@echo "make fuzz        libFuzzer binaries in $(FUZZ_BUILD)/"
	@echo "make valgrind    unit tests and fuzz corpora under valgrind (build-valgrind/)"
	@echo "make install     install to DESTDIR/PREFIX (default /usr/local)"

deps:
	@scripts/deps.sh

build:
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=$(CMAKE_CC) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

build-asan:
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPAL_SANITIZE=ON -DCMAKE_C_COMPILER=$(CMAKE_CC) >/dev/null
	@cmake --build $(ASAN_BUILD) -j $(JOBS)

check: deps build-asan
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit
	@cd $(ASAN_BUILD) && ctest --output-on-failure -L integration

unit: build-asan
	@cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit

integration: build-asan
	@cd $(ASAN_BUILD) && ctest --output-on-failure -L integration

demo: deps build
	@scripts/demo.sh $(BUILD)

bench: deps build
	@bench/run.sh $(BUILD)

fuzz:
	@cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPAL_SANITIZE=ON -DPAL_FUZZ=ON -DCMAKE_C_COMPILER=clang >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS)
	@echo "fuzzers: $(FUZZ_BUILD)/tests/fuzz_* (corpora in tests/fuzz/corpus/)"

valgrind:
	@scripts/valgrind.sh build-valgrind

install: build
	@DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

format:
	@find src tests bench -name '*.[ch]' -not -name 'vmlinux.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-valgrind
