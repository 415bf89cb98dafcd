# ctip - counter-trafficking case and data system.
#
#   make            build build/ctip (release)
#   make run        install what is missing, build, load demo data, run the server (ctip serve)
#   make test       install what is missing, build with ASan+UBSan, run every test
#   make fuzz       build the importers' fuzz targets (clang/libFuzzer) and run them briefly
#   make bench      run the benchmarks in bench/
#   make format     clang-format every C file
#   make clean

CC      ?= gcc
# `make V=1` shows the full commands
Q       := $(if $(V),,@)
PKGS    := sqlite3 libutf8proc jansson libsodium libmicrohttpd xlsxwriter libzip expat libpq
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wformat=2 -Wvla -Wno-unused-parameter
# lib/ has a folder per subsystem (docs/DESIGN.md); headers are included by name
LIB_DIRS := $(sort $(shell find lib -type d -not -path 'lib/sql*'))
LIB_INC  := $(addprefix -I,$(LIB_DIRS))
BASE    := -std=c17 -pthread -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 $(LIB_INC) -Iserver -Ibuild/gen
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# jemalloc: an import allocates and frees tens of millions of small strings across two threads;
# with glibc's allocator that was a quarter of the reader's time (docs/BENCHMARKS.md).
# GLPK (the LP of the MLE-existence test of ctip estimate) ships no pkg-config file
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcsv -lglpk -lm -pthread
REL_LIBS   = $(PKG_LIBS) -ljemalloc
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

CFLAGS_RELEASE := $(BASE) $(WARN) -O2 -g -DCTIP_VERSION=\"$(VERSION)\"
CFLAGS_ASAN    := $(BASE) $(WARN) -O1 -g -fno-omit-frame-pointer \
                  -fsanitize=address,undefined -fno-sanitize-recover=all -DCTIP_VERSION=\"$(VERSION)\"

LIB_SRC   := $(sort $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c)))
CLI_SRC   := $(sort $(wildcard cli/*.c))
# the server (ctip serve) is linked into the command, not into the library of the unit tests
SRV_SRC   := $(sort $(wildcard server/*.c))
UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
# the web UI (web/, without npm's working files) is served from the binary
WEB_IN    := $(sort $(shell find web -type f -not -path '*/node_modules/*' -not -name 'package*.json' 2>/dev/null))
EMBED_IN  := $(sort $(wildcard lib/sql/*.sql lib/sql/pg/*.sql data/vocab/*.csv data/geo/*.csv data/risk/*.csv) $(WEB_IN))
GEN       := build/gen/embedded.c

.PHONY: all run test deps fuzz bench format format-check clean check-clang cppcheck valgrind
all: build/ctip

deps:
	@sh scripts/install-deps.sh

# --- generated: data files and migrations compiled into the binary -----------------
build/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(Q)$(CC) -std=c17 -O2 -Wall -Wextra -Werror -o $@ $<
$(GEN): build/tools/embed $(EMBED_IN)
	@mkdir -p $(@D)
	$(Q)build/tools/embed $(EMBED_IN) > $@.tmp && mv $@.tmp $@

# a converter of CSV to XLSX for the import tests and benchmarks (tools/csv2xlsx.c)
build/tools/csv2xlsx: tools/csv2xlsx.c lib/io/csv_read.c lib/core/error.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(WARN) -O2 $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)

# the encoding guess measured line by line (bench/encoding_guess.sh)
build/tools/guess_encoding: tools/guess_encoding.c lib/io/import_src.c lib/io/csv_read.c \
                            lib/io/xlsx_read.c lib/core/text.c lib/core/error.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(BASE) $(WARN) -O2 $(PKG_CFLAGS) -o $@ $^ $(PKG_LIBS)

# --- release build --------------------------------------------------------------
REL_OBJ := $(patsubst %.c,build/obj/%.o,$(LIB_SRC) $(GEN:build/%=%) $(CLI_SRC) $(SRV_SRC))
build/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_RELEASE) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/obj/%.o: %.c | $(GEN)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_RELEASE) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/ctip: $(REL_OBJ)
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS_RELEASE) -o $@ $^ $(REL_LIBS)

# --- sanitizer build, used by the tests --------------------------------------------
ASAN_LIB_OBJ := $(patsubst %.c,build/asan/obj/%.o,$(LIB_SRC)) build/asan/obj/gen/embedded.o
ASAN_CLI_OBJ := $(patsubst %.c,build/asan/obj/%.o,$(CLI_SRC) $(SRV_SRC))
build/asan/obj/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	@echo "  CC-ASAN $<"
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/asan/obj/%.o: %.c | $(GEN)
	@mkdir -p $(@D)
	@echo "  CC-ASAN $<"
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -MMD -MP -c -o $@ $<
build/asan/libctip.a: $(ASAN_LIB_OBJ)
	$(Q)ar rcs $@ $^
build/asan/ctip: $(ASAN_CLI_OBJ) build/asan/libctip.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(CFLAGS_ASAN) -o $@ $^ $(PKG_LIBS)
UNIT_BIN := $(patsubst tests/unit/%.c,build/asan/tests/%,$(UNIT_SRC))
# the session tests link the server's session.c (the server is not in the library)
build/asan/tests/test_session: tests/unit/test_session.c server/session.c build/asan/libctip.a
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -Itests -o $@ $< server/session.c build/asan/libctip.a \
	  $(PKG_LIBS) -lcmocka
build/asan/tests/%: tests/unit/%.c build/asan/libctip.a
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	$(Q)$(CC) $(CFLAGS_ASAN) $(PKG_CFLAGS) -Itests -o $@ $< build/asan/libctip.a $(PKG_LIBS) -lcmocka

# gcc and clang must both build it warning-free.
check-clang: $(GEN)
	@mkdir -p build/clang
	@for f in $(LIB_SRC) $(CLI_SRC) $(SRV_SRC); do \
	  clang $(BASE) $(WARN) -O1 $(PKG_CFLAGS) -DCTIP_VERSION=\"clang\" -fsyntax-only $$f || exit 1; done
	@echo "clang: $(words $(LIB_SRC) $(CLI_SRC) $(SRV_SRC)) files build warning-free"

test: deps
	@$(MAKE) --no-print-directory build/ctip build/asan/ctip $(UNIT_BIN)
	@sh tests/run.sh

run: deps
	@$(MAKE) --no-print-directory build/ctip
	@sh scripts/run-demo.sh

cppcheck:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability --std=c11 \
	  --inline-suppr $(LIB_INC) -Iserver --suppress=missingIncludeSystem -DCTIP_VERSION='"x"' \
	  --include=/usr/include/jansson.h $(LIB_SRC) $(CLI_SRC) $(SRV_SRC)

# --- fuzzing (clang + libFuzzer) ----------------------------------------------------
FUZZ_SRC := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_BIN := $(patsubst fuzz/%.c,build/fuzz/%,$(FUZZ_SRC))
FUZZ_SECONDS ?= 20
build/fuzz/%: fuzz/%.c $(LIB_SRC) $(GEN)
	@mkdir -p $(@D)
	clang $(BASE) -O1 -g -fsanitize=fuzzer,address,undefined $(PKG_CFLAGS) -DCTIP_VERSION=\"fuzz\" \
	  -o $@ $< $(LIB_SRC) $(GEN) $(PKG_LIBS)
fuzz: deps $(FUZZ_BIN)
	@for b in $(FUZZ_BIN); do n=$$(basename $$b); c=fuzz/corpus/$${n#fuzz_}; \
	  mkdir -p build/fuzz/work-$$n; \
	  echo "== $$n ($(FUZZ_SECONDS) s)"; \
	  if ! $$b -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -print_final_stats=1 \
	       -artifact_prefix=build/fuzz/$$n- build/fuzz/work-$$n $$c >build/fuzz/$$n.log 2>&1; then \
	    tail -n 40 build/fuzz/$$n.log; echo "$$n: FAILED (artifact in build/fuzz/)"; exit 1; fi; \
	  grep -E 'stat::(number_of_executed_units|new_units_added|peak_rss_mb)' build/fuzz/$$n.log; \
	done

bench: build/ctip
	@sh bench/run.sh

FORMAT_SRC = $(LIB_SRC) $(CLI_SRC) $(SRV_SRC) $(UNIT_SRC) $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h)) cli/*.h server/*.h fuzz/*.c fuzz/*.h \
             tools/*.c
format:
	clang-format -i $(FORMAT_SRC)
# fails when a file is not in the style of .clang-format
format-check:
	@for f in $(FORMAT_SRC); do clang-format "$$f" | cmp -s "$$f" - || { echo "$$f: run make format"; exit 1; }; done

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
