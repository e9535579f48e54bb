# httptrace - see README.md.
#
#   make                 build/libhttptrace.so and build/httptrace
#   make check           unit suites (Check) and integration scripts
#   make demo            trace curl against a local server
#   make install PREFIX=/usr/local DESTDIR=
#   make check SANITIZE=1   everything under ASan + UBSan

CC       ?= cc
PREFIX   ?= /usr/local
DESTDIR  ?=
BINDIR    = $(PREFIX)/bin
LIBDIR    = $(PREFIX)/lib/httptrace
MANDIR    = $(PREFIX)/share/man/man1

OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
WARN      = -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -Icommon -Ipreload -Icli
ifeq ($(SANITIZE),1)
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
endif
ALL_CFLAGS = $(WARN) $(CFLAGS) $(SANFLAGS) -std=gnu11 -fPIC -fvisibility=hidden

B = build

# Pure logic: no I/O; linked into the library, the CLI (wire) and the tests.
CORE_SRCS  = common/wire.c preload/http1.c $(wildcard preload/http2.c preload/hpack.c) preload/conn.c preload/conn_h2.c
HOOK_SRCS  = $(filter-out $(CORE_SRCS),$(wildcard preload/*.c))
CLI_MAIN   = cli/main.c
CLI_SRCS   = $(filter-out $(CLI_MAIN),$(wildcard cli/*.c))
UNIT_SRCS  = $(wildcard tests/unit/*.c)

CORE_OBJS  = $(CORE_SRCS:%.c=$(B)/%.o)
HOOK_OBJS  = $(HOOK_SRCS:%.c=$(B)/%.o)
CLI_OBJS   = $(CLI_SRCS:%.c=$(B)/%.o)
UNIT_OBJS  = $(UNIT_SRCS:%.c=$(B)/%.o)

CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck)

.PHONY: all clean check unit integration demo install uninstall deps bench fuzz

all: $(B)/libhttptrace.so $(B)/httptrace

$(B)/%.o: %.c $(wildcard common/*.h preload/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tests/unit/%.o: tests/unit/%.c $(wildcard common/*.h preload/*.h cli/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CHECK_CFLAGS) -c -o $@ $<

# The preload library: a sanitizer runtime cannot be preloaded into every
# program, so the library itself is never built with SANITIZE.
LIB_CFLAGS = $(WARN) $(CFLAGS) -std=gnu11 -fPIC -fvisibility=hidden
$(B)/lib/%.o: %.c $(wildcard common/*.h preload/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(LIB_CFLAGS) -c -o $@ $<

$(B)/libhttptrace.so: $(CORE_SRCS:%.c=$(B)/lib/%.o) $(HOOK_SRCS:%.c=$(B)/lib/%.o) preload/exports.map
	$(CC) -shared -o $@ $(filter %.o,$^) -Wl,--version-script=preload/exports.map \
		-Wl,-z,now -Wl,-z,relro -ldl -lpthread

$(B)/httptrace: $(B)/$(CLI_MAIN:.c=.o) $(CLI_OBJS) $(B)/common/wire.o
	$(CC) $(SANFLAGS) -o $@ $^ -lm -lelf

$(B)/check_unit: $(UNIT_OBJS) $(CORE_OBJS) $(CLI_OBJS)
	$(CC) $(SANFLAGS) -o $@ $^ $(CHECK_LIBS) -lm -ldl -lelf

deps:
	@scripts/install-deps.sh

unit: deps $(B)/check_unit
	$(B)/check_unit

integration: deps all
	tests/integration/run.sh

check: deps all $(B)/check_unit
	$(B)/check_unit
	tests/integration/run.sh

demo: deps all
	scripts/demo.sh

bench: deps all
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
