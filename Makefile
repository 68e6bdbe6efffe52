# watchline: the two commands are `make demo` and `make test`.
#   make deps    install missing Debian packages (apt-get; says what it installs)
#   make build   configure and build only; the binary is build/watchline
#   make test    deps + build + the whole test suite through CTest
#   make demo    deps + build + `watchline demo` (simulated perimeter, no camera, no network)
#   make bench   deps + build + the benchmarks (figures go to stdout; see docs/benchmarks.md)
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
GENERATOR := $(shell command -v ninja >/dev/null 2>&1 && echo Ninja || echo "Unix Makefiles")
CTEST_ARGS ?=

.PHONY: all deps configure build test demo bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD_DIR)/CMakeCache.txt:
	cmake -S . -B $(BUILD_DIR) -G "$(GENERATOR)" -DCMAKE_BUILD_TYPE=RelWithDebInfo

configure: $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: deps
	@$(MAKE) --no-print-directory build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 600 $(CTEST_ARGS)

demo: deps
	@$(MAKE) --no-print-directory build
	./$(BUILD_DIR)/watchline demo

bench: deps
	@$(MAKE) --no-print-directory build
	bash bench/run.sh

clean:
	rm -rf $(BUILD_DIR)
