# httptrace - see README.md.
#
#   make                 build/libhttptrace.so and build/httptrace
#   make check           unit suites (Check) and integration scripts
#   make demo            trace curl against a local server
#   make install PREFIX=/usr/local DESTDIR=
#   make check SANITIZE=1   everything under ASan + UBSan (in build/san/)
#   make -j2 check-build    what make check runs, built in parallel first
#   make fuzz [FUZZ_SECONDS=60]  each libFuzzer target for that long

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
LIBDIR    = $(PREFIX)/lib/httptrace
MANDIR    = $(PREFIX)/share/man/man1

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN      = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
# The folders are the architecture (docs/internals.md "Layout"): core/ is pure logic
# (no system calls; tests/integration/test_core_pure.sh holds it to that),
# preload/ the code that runs in the traced process, cli/ the collector.
CLI_DIRS  = cli cli/collect cli/out cli/formats cli/export cli/check
CPPFLAGS += -D_GNU_SOURCE -Icore -Ipreload -Ipreload/tls $(CLI_DIRS:%=-I%)
ifeq ($(SANITIZE),1)
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -std=gnu11 -fPIC -fvisibility=hidden
# Each compile also writes FOO.d next to FOO.o: the headers FOO.c included,
# as rules (and an empty rule per header, so that a deleted header does not
# stop the build).  They are read at the end of this file; an object is
# rebuilt when a header it includes changes, and only then.
DEPFLAGS   = -MMD -MP

# Objects do not depend on the flags they were built with, so a sanitized
# build has a tree of its own: it never leaves sanitized objects behind for
# a plain build to pick up, nor the reverse.
ifeq ($(SANITIZE),1)
B = build/san
else
B = build
endif

# core/: pure logic, no system calls, no allocation of its own; built once
# per flavour as an archive linked by the library, the CLI and the tests.
CORE_SRCS  = $(wildcard core/*.c)
HOOK_SRCS  = $(wildcard preload/*.c preload/tls/*.c)
# The two pieces of preload/ the unit tests and fuzz targets drive directly:
# the buffer pool (mmap) and the HPACK decoder's memory (mmap).
TEST_PRELOAD_SRCS = preload/bufpool.c preload/hpack.c
CLI_MAIN   = cli/main.c
CLI_SRCS   = $(filter-out $(CLI_MAIN),$(foreach d,$(CLI_DIRS),$(wildcard $(d)/*.c)))
UNIT_SRCS  = $(wildcard tests/unit/*.c)
# Assembler sources of the CLI, not matched by the *.c wildcards: the HTML
# page's CSS and JavaScript, embedded from their own files (.incbin).
CLI_ASM    = cli/formats/html/assets.S
CLI_ASSETS = cli/formats/html/waterfall.css cli/formats/html/waterfall.js

CORE_OBJS  = $(CORE_SRCS:%.c=$(B)/%.o)
HOOK_OBJS  = $(HOOK_SRCS:%.c=$(B)/%.o)
CLI_OBJS   = $(CLI_SRCS:%.c=$(B)/%.o) $(CLI_ASM:%.S=$(B)/%.o)
UNIT_OBJS  = $(UNIT_SRCS:%.c=$(B)/%.o)

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

.PHONY: all clean check check-build unit integration demo install uninstall deps bench bench-deps bench-floors \
	fuzz fuzz-build fuzz-replay fuzz-replay-build fuzz-corpus

all: $(B)/libhttptrace.so $(B)/httptrace

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# .incbin runs from the top of the tree; -MMD does not see the files it
# embeds, so they are listed here.
$(B)/%.o: %.S
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(DEPFLAGS) -c -o $@ $<
$(CLI_ASM:%.S=$(B)/%.o): $(CLI_ASSETS)

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CHECK_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# The preload library: a sanitizer runtime cannot be preloaded into every
# program, so the library itself is never built with SANITIZE.  Its hooks
# run on the host's stacks, some of them small: no function's frame may
# exceed 2 KiB (the static TLS bound is tests/integration/test_rel_static_tls.sh).
# Copies and clears of a size known only at run time go to libc's memcpy
# and memset: gcc inlines them as `rep movsq`/`rep stosq`, whose start-up
# cost dominated short copies on a server's path (three in
# conn_request_headers() took three quarters of its samples in `perf`).
# gcc only: a compiler without the option gets none.
LIB_STRINGOPS ?= $(shell $(CC) -mstringop-strategy=libcall -E -x c /dev/null \
	>/dev/null 2>&1 && echo -mstringop-strategy=libcall)
LIB_CFLAGS = $(WARN) $(CFLAGS) -std=gnu11 -fPIC -fvisibility=hidden \
	-Wframe-larger-than=2048 $(LIB_STRINGOPS)
$(B)/lib/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# -Bsymbolic-functions: the library's references to its own functions (the
# hooks' addresses it compares against, calls between its files) bind to its
# own definitions when it is linked, instead of ~55 symbol lookups through
# every loaded object in each process at start (about 30,000 of the
# instructions a process that never uses the network pays; scripts/bench.sh
# procs).  The lookups found the library's own definitions anyway.
$(B)/libhtcore.a: $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $^

# The library's objects, those with the code every process runs at start
# and exit first (the constructor and symbol resolution, the collector's
# address, the check for an OpenSSL linked into the program, the
# destructor, the library's own getenv): .text is laid out in link order, so that code shares the
# first pages of the file with the headers and symbol tables the loader
# reads anyway, instead of being spread over 128 KiB (a page fault per
# 64 KiB window touched, in every process).
LIB_FIRST = preload/init.c preload/emit.c preload/emit_connect.c preload/fdtable.c \
	preload/tls/inline_ssl.c core/elfsym.c core/elfgot.c preload/sys.c \
	preload/hook_syscall.c
LIB_OBJS  = $(LIB_FIRST:%.c=$(B)/lib/%.o) \
	$(filter-out $(LIB_FIRST:%.c=$(B)/lib/%.o),$(HOOK_SRCS:%.c=$(B)/lib/%.o) $(CORE_SRCS:%.c=$(B)/lib/%.o))

# The version script: the versions glibc defines the list's VERS functions
# in (preload/symvers.h), for their hooks' .symver.  -undef: no predefined
# macro (linux, unix) may rename a symbol; the machine's macros symvers.h
# tells the versions by are passed on by name.  The .d file tracks the
# headers.
MAP_MACHINE := $(shell $(CC) -dM -E -x c /dev/null 2>/dev/null | \
	awk '$$2 ~ /^__(x86_64|aarch64|ILP32)__$$/ { printf " -D%s", $$2 }')
$(B)/exports.map: preload/exports.map.in
	@mkdir -p $(dir $@)
	$(CC) -E -P -undef $(MAP_MACHINE) -x c -Ipreload -MMD -MP -MT $@ -MF $@.d -o $@ $<

# -nostartfiles: without crtbeginS.o's weak references (__gmon_start__,
# _ITM_*, __cxa_finalize), which the loader would look up, most of them in
# vain through every loaded object, in each process at start.  The library
# needs none of its start files: its constructor and destructor are in
# .init_array/.fini_array, and it defines __dso_handle itself (init.c).
# -z nodelete: never unloaded, so nothing of it (the fork handlers
# pthread_atfork registered) can outlive its code; crtbeginS.o's
# __cxa_finalize call at unload is not needed.
#
# -z noseparate-code: two segments (headers, code and read-only data; data)
# instead of four, two mmap calls fewer per process and one range for the
# kernel's fault-around; still no segment both writable and executable, and
# full RELRO.  -z now stays (not -z lazy, which saves about 11,000 of the
# loader's instructions per process): lazily bound, the first call of each
# import runs the loader's resolver on whatever stack the caller is on,
# and saves the whole register state there (XSAVE, larger with each
# vector extension: 2,176 bytes more on this AVX-512 machine); a program
# linked -z now (bash, curl, python3 on Debian) never runs it, and its
# signal handler on a small alternate stack could overflow inside our
# hook (test_rel_sigaltstack fails lazily bound: the handler's stack grew
# 3,728 bytes traced instead of 1,552, over the 2 KiB it allows).
# -z pack-relative-relocs (DT_RELR, when the linker and this
# glibc, 2.36 or later, support it): the relative relocations in 56 bytes
# instead of 5.6 KB, applied in a tight loop.
LIB_RELR := $(shell printf 'int x; int *p = &x;\n' | $(CC) -shared -fPIC -x c - -o /dev/null \
	-Wl,-z,pack-relative-relocs -Wl,--fatal-warnings 2>/dev/null && \
	ldd --version 2>/dev/null | awk 'NR == 1 { split($$NF, v, "."); exit !(v[1] > 2 || v[2] >= 36) }' && \
	echo -Wl,-z,pack-relative-relocs)
#
# preload/lib.lds, added to the linker's script: .bss in the file (no
# anonymous mmap of the loader's for it) and the read-only data read at
# start next to the start-up code; the file says why.
LIB_LDS = preload/lib.lds
LIB_LDFLAGS = -shared -nostartfiles -Wl,-Bsymbolic-functions -Wl,-z,now -Wl,-z,relro \
	-Wl,-z,nodelete -Wl,-z,noseparate-code $(LIB_RELR) -Wl,-T,$(LIB_LDS)
$(B)/libhttptrace.so: $(LIB_OBJS) $(B)/exports.map $(LIB_LDS)
	$(CC) $(LIB_LDFLAGS) -o $@ $(LIB_OBJS) -Wl,--version-script=$(B)/exports.map -ldl -lpthread

# The floors of scripts/bench.sh procs: an empty library and one whose
# constructor reads the environment, compiled and linked as the library is.
BENCH_FLOORS = $(B)/bench/libfloor_empty.so $(B)/bench/libfloor_getenv.so
$(B)/bench/libfloor_%.so: scripts/bench/floor_%.c $(LIB_LDS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(LIB_LDFLAGS) -o $@ $<
# One more, as large as the library: scripts/bench.sh passes the sizes of
# its two segments (FLOOR_SIZES="-DFLOOR_RX=... -DFLOOR_RW=...").
$(B)/bench/libfloor_sized.so: scripts/bench/floor_sized.c $(LIB_LDS)
	@mkdir -p $(dir $@)
	$(CC) $(LIB_CFLAGS) $(LIB_LDFLAGS) $(FLOOR_SIZES) -o $@ $<

$(B)/httptrace: $(B)/$(CLI_MAIN:.c=.o) $(CLI_OBJS) $(B)/libhtcore.a
	$(CC) $(SANFLAGS) -o $@ $^ -lm -lelf -lcurl -lpthread

$(B)/check_unit: $(UNIT_OBJS) $(CLI_OBJS) $(TEST_PRELOAD_SRCS:%.c=$(B)/%.o) $(B)/libhtcore.a
	$(CC) $(SANFLAGS) -o $@ $^ $(CHECK_LIBS) -lm -ldl -lelf -lcurl -lpthread -lnghttp2

# The json suite once more against cli/out/json.c without SSE2: the portable
# word-at-a-time escaper is otherwise never built on x86-64.
$(B)/cli/json_nosse.o: cli/out/json.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -U__SSE2__ $(DEPFLAGS) -c -o $@ $<

$(B)/check_json_portable: $(B)/tests/unit/portable/json_main.o $(B)/tests/unit/check_json.o \
		$(B)/cli/json_nosse.o $(filter-out $(B)/cli/out/json.o,$(CLI_OBJS)) \
		$(TEST_PRELOAD_SRCS:%.c=$(B)/%.o) $(B)/libhtcore.a
	$(CC) $(SANFLAGS) -o $@ $^ $(CHECK_LIBS) -lm -ldl -lelf -lcurl -lpthread -lnghttp2

deps:
	@scripts/install-deps.sh

unit: deps $(B)/check_unit $(B)/check_json_portable
	CK_TIMEOUT_MULTIPLIER=10 $(B)/check_unit
	CK_TIMEOUT_MULTIPLIER=10 $(B)/check_json_portable

# The integration scripts run this build's CLI and library (lib.sh honours
# these variables), so that SANITIZE=1 tests the sanitized CLI; TEST_JOBS
# of them at once (run.sh), one per CPU unless told.
TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
INTEGRATION_ENV = HTTPTRACE=$(CURDIR)/$(B)/httptrace \
	LIBHTTPTRACE=$(CURDIR)/$(B)/libhttptrace.so TEST_JOBS=$(TEST_JOBS)

integration: deps all
	$(INTEGRATION_ENV) tests/integration/run.sh

# Everything make check runs, built: `make -j N check-build` builds it in
# parallel (CI does), then make check runs the suites.
check-build: all $(B)/check_unit $(B)/check_json_portable fuzz-replay-build

# The Check suites run in the background while the integration scripts run
# (TEST_JOBS at a time: run.sh): the suites are pure, with no socket, no
# signal, no file but their own mkdtemp() and tmpfile() ones, and nothing
# in them depends on time, so neither side can meet the other; under
# SANITIZE=1 they take minutes the scripts spend mostly waiting.  Their
# output ($(B)/check_unit.log) is shown when both are done; either failing
# fails the check.
check: deps check-build fuzz-replay
	@log=$(B)/check_unit.log; \
	echo "unit suites: in the background, into $$log"; \
	{ CK_TIMEOUT_MULTIPLIER=10 $(B)/check_unit && \
	  CK_TIMEOUT_MULTIPLIER=10 $(B)/check_json_portable; } >$$log 2>&1 </dev/null & \
	unit=$$!; \
	$(INTEGRATION_ENV) tests/integration/run.sh; integration=$$?; \
	wait $$unit; unit=$$?; \
	echo "unit suites ($$log):"; cat $$log; \
	[ $$unit -eq 0 ] || echo "unit suites FAILED (exit $$unit)"; \
	[ $$unit -eq 0 ] && [ $$integration -eq 0 ]

demo: deps all
	scripts/demo.sh

# make bench also installs valgrind and the peers it compares with (strace,
# bpftrace); make check and CI do not need them.
bench-deps:
	@scripts/install-deps.sh bench

bench-floors: $(BENCH_FLOORS)

bench: bench-deps all $(BENCH_FLOORS)
	scripts/bench.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(MANDIR)
	install -m 0755 $(B)/httptrace $(DESTDIR)$(BINDIR)/httptrace
	install -m 0644 $(B)/libhttptrace.so $(DESTDIR)$(LIBDIR)/libhttptrace.so
	install -m 0644 man/httptrace.1 $(DESTDIR)$(MANDIR)/httptrace.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/httptrace $(DESTDIR)$(LIBDIR)/libhttptrace.so \
		$(DESTDIR)$(MANDIR)/httptrace.1

clean:
	rm -rf $(B)

# ---- fuzzing (tests/fuzz/README.md) -------------------------------------
#
# Each target tests/fuzz/fuzz_<t>.c is built twice:
#  - for `make check`, with $(CC) and replay.c's main() into
#    $(B)/fuzz-replay/, and run over its seed corpus and the inputs that
#    once crashed it (tests/fuzz/regressions/<t>/): no clang needed;
#  - for `make fuzz`, with clang's libFuzzer, ASan and UBSan into
#    build/fuzz/, and run for FUZZ_SECONDS each on a working copy of the
#    corpus in build/fuzz/corpus/<t>/ (the committed seeds never grow).
#    New crashing inputs land in build/fuzz/crashes/<t>/ and fail the run.

FUZZ_TARGETS = http1 http2 wire conn capture ws hpack
FUZZ_SECONDS ?= 60
FUZZ_CC      ?= clang
FB            = build/fuzz
FUZZ_SAN      = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
		-fno-omit-frame-pointer
FUZZ_CFLAGS   = $(WARN) -g -O1 $(FUZZ_SAN) -std=gnu11
FUZZ_LIB_SRCS = $(CORE_SRCS) $(TEST_PRELOAD_SRCS) $(CLI_SRCS)

$(B)/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(B)/fuzz-replay/fuzz_%: $(B)/tests/fuzz/fuzz_%.o $(B)/tests/fuzz/replay.o \
		$(CLI_OBJS) $(TEST_PRELOAD_SRCS:%.c=$(B)/%.o) $(B)/libhtcore.a
	@mkdir -p $(dir $@)
	$(CC) $(SANFLAGS) -o $@ $^ -lm -ldl -lelf -lcurl -lpthread -lnghttp2

# Built through pattern rules only: keep them, or make deletes them.
.SECONDARY: $(FUZZ_TARGETS:%=$(B)/tests/fuzz/fuzz_%.o) $(B)/tests/fuzz/replay.o \
	$(FUZZ_TARGETS:%=$(FB)/obj/tests/fuzz/fuzz_%.o) \
	$(FUZZ_LIB_SRCS:%.c=$(FB)/obj/%.o) $(CLI_ASM:%.S=$(FB)/obj/%.o)

fuzz-replay-build: $(FUZZ_TARGETS:%=$(B)/fuzz-replay/fuzz_%)

fuzz-replay: fuzz-replay-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		dirs=tests/fuzz/corpus/$$t; \
		[ -d tests/fuzz/regressions/$$t ] && dirs="$$dirs tests/fuzz/regressions/$$t"; \
		$(B)/fuzz-replay/fuzz_$$t $$dirs; \
	done

$(FB)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(DEPFLAGS) -c -o $@ $<

$(FB)/obj/%.o: %.S
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CPPFLAGS) $(DEPFLAGS) -c -o $@ $<
$(CLI_ASM:%.S=$(FB)/obj/%.o): $(CLI_ASSETS)

$(FB)/fuzz_%: $(FB)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB_SRCS:%.c=$(FB)/obj/%.o) \
		$(CLI_ASM:%.S=$(FB)/obj/%.o)
	$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $^ -lm -ldl -lelf -lcurl -lpthread -lnghttp2

fuzz-build: deps $(FUZZ_TARGETS:%=$(FB)/fuzz_%)

# Regenerate the committed seed corpora (only when an input format changes).
fuzz-corpus: $(B)/core/wire.o $(B)/cli/collect/capture.o
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $(B)/gen_corpus tests/fuzz/gen_corpus.c \
		$(B)/core/wire.o $(B)/cli/collect/capture.o -lnghttp2
	mkdir -p $(FUZZ_TARGETS:%=tests/fuzz/corpus/%)
	$(B)/gen_corpus

# Every target runs even when an earlier one crashed; any crash fails.
fuzz: fuzz-build
	scripts/fuzz.sh $(FB) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The header dependencies the compiler wrote (DEPFLAGS), for every object
# this build and the fuzzing build make; missing ones (not built yet) are
# skipped.
DEP_OBJS = $(CORE_OBJS) $(HOOK_OBJS) $(TEST_PRELOAD_SRCS:%.c=$(B)/%.o) $(CLI_OBJS) $(UNIT_OBJS) \
	$(B)/$(CLI_MAIN:.c=.o) $(CORE_SRCS:%.c=$(B)/lib/%.o) $(HOOK_SRCS:%.c=$(B)/lib/%.o) \
	$(B)/cli/json_nosse.o $(B)/tests/unit/portable/json_main.o \
	$(FUZZ_TARGETS:%=$(B)/tests/fuzz/fuzz_%.o) $(B)/tests/fuzz/replay.o \
	$(FUZZ_TARGETS:%=$(FB)/obj/tests/fuzz/fuzz_%.o) $(FUZZ_LIB_SRCS:%.c=$(FB)/obj/%.o) \
	$(CLI_ASM:%.S=$(FB)/obj/%.o)
-include $(DEP_OBJS:.o=.d)
-include $(B)/exports.map.d
