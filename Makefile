# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# odm - RFC 8653 On Demand Mobility for Linux.  `make help` lists the targets.

.DELETE_ON_ERROR:
.SECONDARY:
.DEFAULT_GOAL := all

# Install directories, GNU style: each can be set on its own (Debian's
# LIBDIR is /usr/lib/<multiarch>).  /usr's configuration lives in /etc and
# its units in /lib/systemd/system (Debian 12: the unit directory
# dh_installsystemd reads), any other prefix's under the prefix.
PREFIX     ?= /usr/local
DESTDIR    ?=
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig
BASHCOMPDIR  ?= $(DATADIR)/bash-completion/completions
ifeq ($(PREFIX),/usr)
SYSCONFDIR ?= /etc
UNITDIR    ?= /lib/systemd/system
else
SYSCONFDIR ?= $(PREFIX)/etc
UNITDIR    ?= $(PREFIX)/lib/systemd/system
endif

CC      ?= cc
CLANG   ?= clang
BPFTOOL ?= $(shell command -v bpftool 2>/dev/null || echo /usr/sbin/bpftool)
ARCH    := $(shell uname -m | sed 's/x86_64/x86/;s/aarch64/arm64/')
VMLINUX := vmlinux/$(shell uname -m)/vmlinux.h
O       := build

# CO-RE needs the kernel's types of the target architecture, committed as
# vmlinux/ARCH/vmlinux.h: x86_64 today (arm64 has none yet: no arm64 kernel
# with BTF to take it from, nor one to test on).  Elsewhere say so at once,
# and how to add it, rather than fail deep inside clang.
ARCHS := $(notdir $(wildcard vmlinux/*))
ifeq ($(wildcard $(VMLINUX)),)
ifeq ($(filter vmlinux clean help deps,$(MAKECMDGOALS)),)
$(error odm builds on $(ARCHS) only: no $(VMLINUX); on a $(shell uname -m) machine whose kernel has BTF, `make vmlinux` writes it)
endif
endif

# One version for odm, odmd, libodm.pc and the Debian package: the VERSION
# file (tests/versions.sh holds debian/changelog to it).  SOVER is the ABI's,
# and moves only with lib/libodm.map.
VERSION := $(strip $(file <VERSION))
ifeq ($(VERSION),)
$(error no version: the VERSION file is missing or empty)
endif
SOVER   := 1

ifeq ($(V),1)
Q :=
msg =
else
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# CPPFLAGS, CFLAGS and LDFLAGS are the builder's (dpkg-buildflags' hardening
# ones, say): they come after what odm needs, so they add to it or override
# it (-O), and never take -std or the warnings away.  WERROR=0 keeps the
# warnings but lets a build with a newer compiler finish (the Debian package
# builds so); odm's own builds and CI stay -Werror.
SANITIZE ?= 0
WERROR   ?= 1
CSTD     := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Wno-unused-parameter -Wshadow -Wformat=2
ifneq ($(WERROR),0)
WARN     += -Werror
endif
CFLAGS   ?= -O2 -g
SAN_CFLAGS  :=
SAN_LDFLAGS :=
ifeq ($(SANITIZE),1)
SAN_CFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_LDFLAGS := -fsanitize=address,undefined
endif
ALL_CFLAGS := $(CSTD) $(WARN) -DODM_VERSION='"$(VERSION)"' $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS) \
	      -I$(O) -Ilib -Icore -Ibpf -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SAN_LDFLAGS)
LIBBPF_LIBS := $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

# Not the builder's CFLAGS: they are for the host (-fstack-protector and the
# like mean nothing to -target bpf), except the path maps, which keep the
# build directory out of the BTF that odmd embeds (reproducible builds).
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) -I$(dir $(VMLINUX)) -Ibpf -Wall \
	      $(if $(filter 0,$(WERROR)),,-Werror) \
	      $(filter -ffile-prefix-map=% -fdebug-prefix-map=%,$(CFLAGS))

CORE_SRCS := $(sort $(wildcard core/*.c))
CORE_OBJS := $(patsubst %.c,$(O)/%.o,$(CORE_SRCS))
CORE_HDRS := $(wildcard core/*.h) bpf/odm_maps.h bpf/odm_uapi.h
LIB_SRCS  := lib/setsc.c lib/proto.c
LIB_OBJS  := $(patsubst %.c,$(O)/%.o,$(LIB_SRCS))
LIB_PIC   := $(patsubst %.c,$(O)/%.pic.o,$(LIB_SRCS))
ODMD_SRCS := $(sort $(wildcard loader/*.c))
ODMD_OBJS := $(patsubst %.c,$(O)/%.o,$(ODMD_SRCS))
# odmd's wire codecs: pure build/parse code that unit tests and fuzz
# targets link without the rest of odmd.
WIRE_SRCS := loader/dhcp6_wire.c loader/ra_wire.c
WIRE_OBJS := $(patsubst %.c,$(O)/%.o,$(WIRE_SRCS))
WIRE_HDRS := $(WIRE_SRCS:.c=.h)
CLI_SRCS  := $(sort $(wildcard cli/*.c))
CLI_OBJS  := $(patsubst %.c,$(O)/%.o,$(CLI_SRCS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRCS))
NETNS_SRCS := $(sort $(wildcard tests/netns/*.c))
NETNS_BIN := $(O)/tests/netns_test
# tests/lib/: the harness, and the world of netns_test and the benchmark.
TESTLIB_SRCS := $(sort $(wildcard tests/lib/*.c))
TESTLIB   := $(O)/tests/libtestworld.a

# libFuzzer targets.  The parsers are compiled again with clang's coverage
# instrumentation: libodm-core.a comes from $(CC) without it, and a fuzzer
# that cannot see coverage only guesses.  The archive lets each target link
# just the parsers it calls.
FUZZ_SRCS  := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS  := $(patsubst fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRCS))
FUZZ_PARSERS := core/config.c core/prefix.c core/types.c core/args.c core/policy_kw.c core/mem.c \
		core/nl.c core/nl_base.c \
		core/nl_route.c $(WIRE_SRCS) \
		lib/proto.c cli/parse.c
FUZZ_OBJS  := $(patsubst %.c,$(O)/fuzz/obj/%.o,$(FUZZ_PARSERS))
# UBSan must abort, or libFuzzer never hears of undefined behaviour.
FUZZ_CFLAGS := -g -O1 -fno-sanitize-recover=undefined $(CSTD) $(WARN) -Ilib -Icore -Ibpf \
	       -Icli -Iloader
FUZZ_SECONDS ?= 60

BENCH_BIN := $(O)/bench/odm-bench
BENCH_SO  := $(O)/bench/preload_bind.so

EXAMPLES := $(O)/examples/odm-client $(O)/examples/odm-peer
BINS := $(O)/odmd $(O)/odm $(O)/libodm.so.$(SOVER) $(O)/libodm.a $(O)/libodm.pc $(EXAMPLES)

.PHONY: all help test test-bins test-kernels unit-test demo install uninstall clean vmlinux deps \
	deps-check stress bench bench-bins fuzz fuzz-bins

help:
	@echo 'odm $(VERSION) - RFC 8653 On Demand Mobility'
	@echo
	@echo '  make            build bpf object, odmd, odm, libodm (into $(O)/)'
	@echo '  make demo       run the demo in throw-away namespaces (root; installs deps)'
	@echo '  make test       unit + namespace integration tests (root; installs deps)'
	@echo '  make stress     the thread stress test, long (root)'
	@echo '  make test-kernels  the BPF load and the namespace tests on Debian 6.1 and 6.12'
	@echo '                  kernels under qemu (root; ODM_KERNELS, see scripts/test-kernels.sh)'
	@echo '  make install    install into $$(DESTDIR)$$(PREFIX) (default /usr/local): odmd, odm,'
	@echo '                  libodm, odm.h, libodm.pc, man pages, unit, odm.conf, completions;'
	@echo '                  BINDIR SBINDIR LIBDIR INCLUDEDIR MANDIR SYSCONFDIR UNITDIR BASHCOMPDIR'
	@echo '  make uninstall  remove what make install put there (an edited odm.conf stays)'
	@echo '  make bench      odm against no odm and the alternatives, as ratios (root)'
	@echo '  make vmlinux    regenerate $(VMLINUX) from /sys/kernel/btf/vmlinux'
	@echo '  make fuzz       fuzz every parser for $$FUZZ_SECONDS (60) s each (clang, libFuzzer)'
	@echo '  make clean      remove $(O)/'
	@echo '  make deps       install build and test dependencies (scripts/deps.sh)'
	@echo
	@echo '  V=1 shows full commands; SANITIZE=1 builds with ASan/UBSan; WERROR=0 keeps'
	@echo '  warnings from failing the build.  CPPFLAGS, CFLAGS and LDFLAGS add to odm'"'"'s.'

# What make install installs, and the examples make demo runs: no test or
# benchmark binary (make test, bench and stress build theirs).
all: $(BINS)

deps:
	$(Q)scripts/deps.sh

# ---- BPF ------------------------------------------------------------------

$(O)/odm.bpf.o: bpf/odm.bpf.c bpf/odm_maps.h bpf/odm_uapi.h $(wildcard bpf/*.bpf.h) $(VMLINUX) | $(O)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(O)/odm.skel.h: $(O)/odm.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name odm_bpf > $@

vmlinux:
	$(call msg,GEN,$(VMLINUX))
	$(Q)mkdir -p $(dir $(VMLINUX))
	$(Q)$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > $(VMLINUX)

# ---- user space -------------------------------------------------------------

$(O):
	$(Q)mkdir -p $(O)

$(O)/%.o: %.c $(CORE_HDRS) lib/odm.h lib/proto.h VERSION | $(O)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

$(O)/%.pic.o: %.c lib/odm.h lib/proto.h bpf/odm_uapi.h VERSION | $(O)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c $< -o $@

# odmd embeds the BPF object through the skeleton; the codecs do not.
$(filter-out $(WIRE_OBJS),$(ODMD_OBJS)): $(O)/odm.skel.h

$(O)/libodm-core.a: $(CORE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/libodmd-wire.a: $(WIRE_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/libodm.so.$(SOVER): $(LIB_PIC) lib/libodm.map
	$(call msg,LD,$@)
	$(Q)$(CC) -shared -Wl,-soname,libodm.so.$(SOVER) -Wl,--version-script=lib/libodm.map \
		$(ALL_LDFLAGS) -o $@ $(LIB_PIC)
	$(Q)ln -sf libodm.so.$(SOVER) $(O)/libodm.so

$(O)/libodm.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

PC_SED = sed -e 's|@PREFIX@|$(PREFIX)|;s|@LIBDIR@|$(LIBDIR)|;s|@INCLUDEDIR@|$(INCLUDEDIR)|;s|@VERSION@|$(VERSION)|'

$(O)/libodm.pc: lib/libodm.pc.in VERSION | $(O)
	$(Q)$(PC_SED) $< > $@

$(O)/odmd: $(ODMD_OBJS) $(O)/libodm-core.a $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(O)/odm: $(CLI_OBJS) $(O)/libodm-core.a $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

# The examples see what an installed libodm gives: <odm.h> and the library,
# nothing else (examples/Makefile builds them against the installed one).
$(O)/examples/%.o: ALL_CFLAGS := $(CSTD) $(WARN) -DODM_VERSION='"$(VERSION)"' $(CPPFLAGS) \
	$(CFLAGS) $(SAN_CFLAGS) -Ilib -MMD -MP

$(O)/examples/%: $(O)/examples/%.o $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^

# ---- tests ------------------------------------------------------------------

# tests/lib/: what the suites share.  The unit tests take the harness
# alone; netns_test and the benchmark the archive, world and all.
$(O)/tests/%.o: ALL_CFLAGS += -Itests/lib

$(TESTLIB): $(patsubst %.c,$(O)/%.o,$(TESTLIB_SRCS))
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/tests/test_%: $(O)/tests/unit/test_%.o $(O)/tests/lib/test.o $(O)/cli/parse.o \
		$(O)/libodmd-wire.a $(O)/libodm-core.a $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBBPF_LIBS)

$(NETNS_BIN): $(patsubst %.c,$(O)/%.o,$(NETNS_SRCS)) $(TESTLIB) $(O)/libodm-core.a $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBBPF_LIBS) -lpthread

# ---- fuzzing ----------------------------------------------------------------

$(O)/fuzz/obj/%.o: %.c $(CORE_HDRS) $(WIRE_HDRS) lib/odm.h lib/proto.h cli/cli.h | $(O)
	$(call msg,FUZZ-CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CLANG) -fsanitize=fuzzer-no-link,address,undefined $(FUZZ_CFLAGS) -c $< -o $@

$(O)/fuzz/libparsers.a: $(FUZZ_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(O)/fuzz/fuzz_%: fuzz/fuzz_%.c $(O)/fuzz/libparsers.a $(CORE_HDRS) $(WIRE_HDRS) lib/proto.h \
		cli/cli.h
	$(call msg,FUZZ-LD,$@)
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined $(FUZZ_CFLAGS) -o $@ $< $(O)/fuzz/libparsers.a

fuzz-bins: $(FUZZ_BINS)

fuzz: fuzz-bins
	$(Q)fuzz/run.sh --seconds $(FUZZ_SECONDS)

test-bins: all $(UNIT_BINS) $(NETNS_BIN) fuzz-bins bench-bins	# tests/run.sh runs bench/quick.sh

# ---- benchmark ----------------------------------------------------------------

# The benchmark reuses the integration tests' namespace and cgroup helpers.
$(O)/bench/odm_bench.o: ALL_CFLAGS += -Itests/lib

$(BENCH_BIN): $(O)/bench/odm_bench.o $(TESTLIB) $(O)/libodm-core.a $(O)/libodm.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBBPF_LIBS) -lpthread -ldl

# Only a baseline for the benchmark (what users would LD_PRELOAD instead of odm).
$(BENCH_SO): bench/preload_bind.c | $(O)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(dir $@)
	$(Q)$(CC) $(CSTD) $(WARN) $(CPPFLAGS) $(CFLAGS) $(SAN_CFLAGS) -fPIC -shared $(ALL_LDFLAGS) -o $@ $< -ldl

bench-bins: $(BENCH_BIN) $(BENCH_SO)

bench: deps-check
	$(Q)$(MAKE) --no-print-directory bench-bins
	$(Q)$(BENCH_BIN) --json $(O)/bench.json --dat $(O)/bench.dat --preload $(BENCH_SO)
	$(Q)gnuplot -e "dat='$(O)/bench.dat'; out='$(O)/bench.png'" bench/plot.gp
	@echo '  PLOT     $(O)/bench.png'

unit-test: $(UNIT_BINS)
	$(Q)tests/run.sh --unit-only

# Longer than the bounded run make test does: 16 threads x 20,000 sockets.
stress: test-bins
	$(Q)ODM_STRESS_ROUNDS=$${ODM_STRESS_ROUNDS:-20000} $(NETNS_BIN) test_stress_threads

# test, demo, bench and test-kernels install what is missing first, then
# build in a second make: a prerequisite list gives make no order to keep
# (and with -j none at all), and this Makefile's variables (pkg-config,
# bpftool) must be read again once the packages are there.  The README's
# promise: both commands work on a fresh machine.  tests/build.sh checks it.
test: deps-check
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)tests/run.sh

# The same BPF object and tests on other kernels, each booted under qemu.
test-kernels: deps-check
	$(Q)$(MAKE) --no-print-directory test-bins
	$(Q)scripts/test-kernels.sh

demo: deps-check
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh

# Installs what is missing, quietly.  Phony: .SECONDARY would otherwise
# make it an intermediate file that make skips when it does not exist.
deps-check:
	$(Q)scripts/deps.sh --quiet

# What the other parts of the tree add (man pages, the unit, the sample
# configuration, completions) is installed when it is there.  The man pages
# go in as they are (a packager compresses them); the link pages of
# setsc(3) are ".so man3/setsc.3" files.  The unit is rewritten for this
# SBINDIR and SYSCONFDIR: systemd also reads /usr/local/lib/systemd/system.
MAN_PAGES   := $(sort $(wildcard man/*.[1-9]))
UNIT        := $(wildcard systemd/odmd.service)
CONF        := $(wildcard etc/odm.conf)
COMPLETIONS := $(wildcard completion/odm completion/odmd)
CONF_DEST   := $(DESTDIR)$(SYSCONFDIR)/odm/odm.conf
UNIT_SED    = sed -e 's|/usr/sbin/odmd|$(SBINDIR)/odmd|g;s|/etc/odm/|$(SYSCONFDIR)/odm/|g'

# An existing odm.conf is the administrator's: make install keeps it and
# says so, as OpenSSH's does with sshd_config (a package manager asks
# instead: /etc/odm/odm.conf is a conffile of the Debian package).
install: all
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(SBINDIR) \
		$(DESTDIR)$(BINDIR) $(DESTDIR)$(PKGCONFIGDIR)
	$(Q)install -m 0644 $(O)/libodm.so.$(SOVER) $(DESTDIR)$(LIBDIR)/
	$(Q)ln -sf libodm.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libodm.so
	$(Q)install -m 0644 $(O)/libodm.a $(DESTDIR)$(LIBDIR)/
	$(Q)install -m 0644 lib/odm.h $(DESTDIR)$(INCLUDEDIR)/
	$(Q)$(PC_SED) lib/libodm.pc.in > $(DESTDIR)$(PKGCONFIGDIR)/libodm.pc	# this PREFIX
	$(Q)chmod 0644 $(DESTDIR)$(PKGCONFIGDIR)/libodm.pc
	$(Q)install -m 0755 $(O)/odmd $(DESTDIR)$(SBINDIR)/
	$(Q)install -m 0755 $(O)/odm $(DESTDIR)$(BINDIR)/
	$(Q)for m in $(MAN_PAGES); do \
		d=$(DESTDIR)$(MANDIR)/man$${m##*.}; \
		install -d $$d && install -m 0644 $$m $$d/ || exit 1; \
	done
ifneq ($(UNIT),)
	$(Q)install -d $(DESTDIR)$(UNITDIR)
	$(Q)$(UNIT_SED) $(UNIT) > $(DESTDIR)$(UNITDIR)/odmd.service
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/odmd.service
endif
ifneq ($(CONF),)
	$(Q)install -d $(DESTDIR)$(SYSCONFDIR)/odm
	$(Q)if [ -e $(CONF_DEST) ]; then \
		echo "  KEEP     $(CONF_DEST): it exists (the new one is $(CONF))"; \
	else \
		install -m 0644 $(CONF) $(CONF_DEST); \
	fi
endif
ifneq ($(COMPLETIONS),)
	$(Q)install -d $(DESTDIR)$(BASHCOMPDIR)
	$(Q)install -m 0644 $(COMPLETIONS) $(DESTDIR)$(BASHCOMPDIR)/
endif

# The mirror of install; odm.conf goes only if nobody changed it.
uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(DESTDIR)$(LIBDIR)/libodm.so.$(SOVER) $(DESTDIR)$(LIBDIR)/libodm.so \
		$(DESTDIR)$(LIBDIR)/libodm.a $(DESTDIR)$(INCLUDEDIR)/odm.h \
		$(DESTDIR)$(PKGCONFIGDIR)/libodm.pc $(DESTDIR)$(SBINDIR)/odmd $(DESTDIR)$(BINDIR)/odm \
		$(DESTDIR)$(UNITDIR)/odmd.service \
		$(addprefix $(DESTDIR)$(BASHCOMPDIR)/,$(notdir $(COMPLETIONS)))
	$(Q)for m in $(notdir $(MAN_PAGES)); do \
		rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$$m; \
	done
ifneq ($(CONF),)
	$(Q)if [ -e $(CONF_DEST) ] && ! cmp -s $(CONF) $(CONF_DEST); then \
		echo "  KEEP     $(CONF_DEST): changed since it was installed"; \
	else \
		rm -f $(CONF_DEST); rmdir $(DESTDIR)$(SYSCONFDIR)/odm 2>/dev/null || true; \
	fi
endif

clean:
	$(call msg,CLEAN,$(O))
	$(Q)rm -rf $(O)

# Header dependencies as the compiler saw them (-MMD): a changed struct in
# any header rebuilds every object that includes it.
-include $(shell find $(O) -name '*.d' 2>/dev/null)
