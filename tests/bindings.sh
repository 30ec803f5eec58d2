#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# bindings.sh - the examples in C, Python, Go and Rust, each built against
# an installed libodm alone (`make install DESTDIR=... PREFIX=/usr`, then
# pkg-config and LD_LIBRARY_PATH pointed there, never at the tree), run as
# applications in odm's cgroup in a namespace world with odmd and a peer.
# Each asks setsc() for a type, binds what it got, connects and sends a
# line; the peer prints the source address it saw, which must be the
# address odm holds for that type.  Bad types must give <odm.h>'s errors.
#
#   bash tests/bindings.sh     (root, from the repository root, after make)
#
#   netns HOST: veth0, odmd, the clients   <-- veth -->   netns NET: veth1, odm-peer
#
# A language whose toolchain is missing is skipped with the reason when
# scripts/deps.sh could not install it; scripts/deps.sh installs them all.
# Prints "ok NAME" / "FAIL NAME" / "skip NAME" per case, then
# "N passed, N failed".
#
# odmd and the clients run under `nsenter --net`, not `ip netns exec`: the
# latter remounts /sys, which hides bpffs and the cgroup2 mount.
# shellcheck disable=SC2016
set -u
cd "$(dirname "$0")/.." || exit 1
unset MAKEFLAGS MAKELEVEL MFLAGS	# our make install is not a sub-make of make test

B=build
HOST=odmbind-h-$$
NET=odmbind-n-$$
PIN=/sys/fs/bpf/odmbind-$$
CG=
TMP=
ODMD_PID=
PEER_PID=
PORT=7000
PEER_ADDR=2001:db8:ffff::1
. tests/lib/check.sh

# The world's typed prefixes and the host address of each (odmd takes the
# address from the kernel).  No graceful-replacement prefix and no DHCPv6:
# that type is not offered.
FIXED_ADDR=2001:db8:f1::10
SL_ADDR=2001:db8:51::10
NP_ADDR=2001:db8:a1::10

# ---- set-up and clean-up -----------------------------------------------------

cleanup() {
	[ -n "$PEER_PID" ] && kill "$PEER_PID" 2>/dev/null && wait "$PEER_PID" 2>/dev/null
	[ -n "$ODMD_PID" ] && kill "$ODMD_PID" 2>/dev/null && wait "$ODMD_PID" 2>/dev/null
	if [ -e "$PIN" ]; then
		"$B/odmd" --unload --pin-dir "$PIN" >/dev/null 2>&1 ||
			echo "bindings.sh: cannot unload $PIN" >&2
	fi
	[ -n "$CG" ] && [ -d "$CG" ] && rmdir "$CG"
	ip netns del "$HOST" >/dev/null 2>&1
	ip netns del "$NET" >/dev/null 2>&1
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's toolchain (what scripts/deps.sh installs) before one on PATH.
tool() {
	if [ -x "/usr/bin/$1" ]; then
		echo "/usr/bin/$1"
	else
		command -v "$1"
	fi
}

setup_world() {
	local cgroot fifo ready

	[ "$(id -u)" -eq 0 ] || setup_fail "needs root"
	for f in odmd odm examples/odm-peer; do
		[ -x "$B/$f" ] || setup_fail "build $B/$f first (make)"
	done
	for t in nsenter ss jq pkg-config; do
		command -v "$t" >/dev/null || setup_fail "$t is missing (scripts/deps.sh)"
	done
	TMP=$(mktemp -d /tmp/odmbind.XXXXXX) || setup_fail "mktemp"

	cgroot=$(cgroup2_root)
	[ -n "$cgroot" ] || setup_fail "no cgroup2 mount in /proc/self/mountinfo"
	CG=$cgroot/odmbind-$$
	mkdir "$CG" || setup_fail "cannot create $CG"

	if ! { ip netns add "$HOST" && ip netns add "$NET" &&
	       ip -n "$HOST" link add veth0 type veth peer name veth1 netns "$NET" &&
	       ip -n "$HOST" link set lo up && ip -n "$NET" link set lo up &&
	       ip -n "$HOST" link set veth0 up && ip -n "$NET" link set veth1 up &&
	       ip -n "$NET" addr add "$PEER_ADDR/64" dev veth1 nodad &&
	       ip -n "$NET" -6 route add 2001:db8::/32 dev veth1 &&
	       ip -n "$HOST" addr add 2001:db8:ffff::2/64 dev veth0 nodad &&
	       ip -n "$HOST" addr add "$FIXED_ADDR/64" dev veth0 nodad &&
	       ip -n "$HOST" addr add "$SL_ADDR/64" dev veth0 nodad &&
	       ip -n "$HOST" addr add "$NP_ADDR/64" dev veth0 nodad; }; then
		setup_fail "cannot set up the namespaces $HOST and $NET"
	fi

	cat >"$TMP/odm.conf" <<-EOF
	# odm configuration for tests/bindings.sh
	prefix 2001:db8:f1::/64 type fixed dev veth0
	prefix 2001:db8:51::/64 type session-lasting dev veth0
	prefix 2001:db8:a1::/64 type non-persistent dev veth0
	EOF
	fifo=$TMP/ready
	mkfifo "$fifo"
	# nsenter execs odmd in place, so $! is odmd.
	nsenter --net="/run/netns/$HOST" "$B/odmd" --cgroup "$CG" --config "$TMP/odm.conf" \
		--pin-dir "$PIN" --lease-file "$TMP/leases" --secret-file "$TMP/secret" \
		--notify-fd 4 >"$TMP/odmd.log" 2>&1 4>"$fifo" &
	ODMD_PID=$!
	# The READY line, or end of file when odmd dies first.
	read -r ready <"$fifo"
	[ "$ready" = READY ] || setup_fail "odmd did not start:" "$(cat "$TMP/odmd.log")"
}

# What an application builder sees of libodm: the files `make install`
# puts under $ROOT, nothing else of the tree.
setup_install() {
	ROOT=$TMP/root
	make --no-print-directory install DESTDIR="$ROOT" PREFIX=/usr >"$TMP/install.log" 2>&1 ||
		setup_fail "make install DESTDIR=$ROOT failed:" "$(tail -n 5 "$TMP/install.log")"
	# Wherever LIBDIR put them (/usr/lib, or a multiarch directory).
	local pc
	pc=$(find "$ROOT" -name libodm.pc | head -n 1)
	[ -n "$pc" ] || setup_fail "make install put no libodm.pc under $ROOT"
	export PKG_CONFIG_PATH=${pc%/*} PKG_CONFIG_SYSROOT_DIR=$ROOT
	export PKG_CONFIG_LIBDIR=$PKG_CONFIG_PATH	# not the system's .pc files
	pkg-config --exists libodm || setup_fail "pkg-config finds no libodm in $PKG_CONFIG_PATH"
	LIBDIR=$ROOT$(pkg-config --variable=libdir libodm | sed "s|^$ROOT||")
	[ -e "$LIBDIR/libodm.so.1" ] || setup_fail "no libodm.so.1 in $LIBDIR"
	# make test SANITIZE=1 builds libodm with ASan.  A program built without
	# it (python3, the Go and Rust binaries, the C examples) must then load
	# ASan's runtime before anything else, and the leaks it would report at
	# exit are the interpreter's and the runtimes', not libodm's.
	ASAN_ENV=()
	local asan
	asan=$(ldd "$LIBDIR/libodm.so.1" | awk '/libasan/ { print $3; exit }')
	[ -n "$asan" ] && ASAN_ENV=("LD_PRELOAD=$asan" "ASAN_OPTIONS=detect_leaks=0")
}

# ---- running an application --------------------------------------------------

rc=0

# app ARGV...: run ARGV in odm's cgroup in the host namespace, with only the
# installed libodm to load; sets rc, leaves its output in $TMP/out, $TMP/err.
app() {
	sh -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$CG" \
		nsenter --net="/run/netns/$HOST" env LD_LIBRARY_PATH="$LIBDIR" "${ASAN_ENV[@]}" "$@" \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
}

# peer_start: odm-peer in the network namespace for one message; returns
# once it listens (a wait for a state, not for a time).
peer_start() {
	: >"$TMP/peer"
	nsenter --net="/run/netns/$NET" "$B/examples/odm-peer" "$PORT" 1 >"$TMP/peer" 2>&1 &
	PEER_PID=$!
	until nsenter --net="/run/netns/$NET" ss -Hltn "sport = :$PORT" | grep -q .; do
		kill -0 "$PEER_PID" 2>/dev/null || return 1
		sleep 0.05
	done
}

# peer_stop: the peer exits after its one message; when the client never
# sent it, it is killed instead.
peer_stop() {
	if [ "$1" -ne 0 ]; then
		kill "$PEER_PID" 2>/dev/null
	fi
	wait "$PEER_PID" 2>/dev/null
	PEER_PID=
}

# The source address the peer saw: "peer saw TCP from ADDR  "..."".
peer_saw() {
	sed -n 's/^peer saw TCP from \([0-9a-f:]*\) .*/\1/p' "$TMP/peer"
}

# case_type LANG TYPE WANT ARGV...: ARGV (a client: TYPE DST PORT appended)
# must send its line from WANT, the address setsc() handed out.
case_type() {
	local lang=$1 type=$2 want=$3 saw
	shift 3

	if ! peer_start; then
		fail "$lang: $type: the peer did not start" "$(cat "$TMP/peer")"
		return
	fi
	app "$@" "$type" "$PEER_ADDR" "$PORT"
	peer_stop "$rc"
	saw=$(peer_saw)
	if [ "$rc" -eq 0 ] && [ "$saw" = "$want" ] &&
	   grep -q "handed=$want" "$TMP/peer"; then
		ok "$lang: $type: the peer saw $want"
	else
		fail "$lang: $type: the peer saw '$saw', not $want" "rc=$rc" \
			"stdout: $(cat "$TMP/out")" "stderr: $(cat "$TMP/err")" \
			"peer: $(cat "$TMP/peer")"
	fi
}

# case_error LANG TYPE WANT ARGV...: setsc() must fail: exit 1, WANT (the
# code as the client prints it) on stderr, nothing sent.
case_error() {
	local lang=$1 type=$2 want=$3
	shift 3

	# shellcheck disable=SC2086 # "-o fixed" is two arguments
	app "$@" $type "$PEER_ADDR" "$PORT"
	if [ "$rc" -eq 1 ] && grep -qF -- "$want" "$TMP/err" && [ ! -s "$TMP/out" ]; then
		ok "$lang: type $type fails with $want"
	else
		fail "$lang: type $type does not fail with $want" "rc=$rc" \
			"stdout: $(cat "$TMP/out")" "stderr: $(cat "$TMP/err")"
	fi
}

# The cases every client runs.  Errors, as the clients print them:
#   (-200)      EAI_REQUIREDIPNOTSUPPORTED: not offered here, or reserved
#   (-201)      EAI_REQUIREDIPFAILED: IPV6_REQUIRE_SRC_ON_NET (-o) and no
#               network to ask for a fresh prefix: the flag got to odm
#   (errno 22)  EAI_SYSTEM with errno EINVAL: a type above 7
run_cases() {
	local lang=$1
	shift

	case_type "$lang" fixed "$FIXED_ADDR" "$@"
	case_type "$lang" session-lasting "$SL_ADDR" "$@"
	case_type "$lang" non-persistent "$NP_ADDR" "$@"
	case_error "$lang" graceful-replacement "(-200)" "$@"
	case_error "$lang" 5 "(-200)" "$@"
	case_error "$lang" 9 "(errno 22)" "$@"
	case_error "$lang" "-o fixed" "(-201)" "$@"
}

# ---- the languages ------------------------------------------------------------

test_c() {
	local out=$TMP/c

	mkdir -p "$out"
	if ! make --no-print-directory -C examples O="$out" >"$TMP/build.log" 2>&1; then
		fail "c: examples/Makefile against the installed libodm" "$(cat "$TMP/build.log")"
		return
	fi
	ok "c: examples/Makefile builds against the installed libodm"
	# odm-client answers setsc()'s errors by sending from the legacy address:
	# only the types here.
	case_type c fixed "$FIXED_ADDR" "$out/odm-client"
	case_type c non-persistent "$NP_ADDR" "$out/odm-client"
}

test_python() {
	local py

	py=$(tool python3)
	if [ -z "$py" ]; then
		skip python "no python3 (scripts/deps.sh installs it)"
		return
	fi
	app env PYTHONPATH=examples/python PYTHONDONTWRITEBYTECODE=1 \
		"$py" -c 'import odm; print(odm.setsc_strerror(odm.EAI_REQUIREDIPFAILED))'
	if [ "$rc" -ne 0 ]; then
		fail "python: odm.py loads the installed libodm" "$(cat "$TMP/err")"
		return
	fi
	ok "python: odm.py loads the installed libodm ($($py --version 2>&1))"
	run_cases python env PYTHONPATH=examples/python PYTHONDONTWRITEBYTECODE=1 \
		"$py" examples/python/client.py
}

# Go and cargo offline: no module proxy, no registry; their caches here.
test_go() {
	local go

	go=$(tool go)
	if [ -z "$go" ]; then
		skip go "no go (scripts/deps.sh installs golang-go)"
		return
	fi
	if ! (cd examples/go && GOPROXY=off GOFLAGS='' GOCACHE="$TMP/gocache" GOPATH="$TMP/gopath" \
	      "$go" build -o "$TMP/go-client" .) >"$TMP/build.log" 2>&1; then
		fail "go: examples/go builds against the installed libodm" "$(cat "$TMP/build.log")"
		return
	fi
	ok "go: examples/go builds against the installed libodm ($("$go" version))"
	run_cases go "$TMP/go-client"
}

test_rust() {
	local cargo rustc

	cargo=$(tool cargo)
	rustc=$(tool rustc)
	if [ -z "$cargo" ] || [ -z "$rustc" ]; then
		skip rust "no cargo or rustc (scripts/deps.sh installs them)"
		return
	fi
	if ! RUSTC=$rustc CARGO_HOME="$TMP/cargo" CARGO_TARGET_DIR="$TMP/target" \
	     "$cargo" build --offline --locked --manifest-path examples/rust/Cargo.toml \
	     >"$TMP/build.log" 2>&1; then
		fail "rust: examples/rust builds against the installed libodm" "$(cat "$TMP/build.log")"
		return
	fi
	ok "rust: examples/rust builds against the installed libodm ($("$rustc" --version))"
	run_cases rust "$TMP/target/debug/odm-client"
}

setup_world
setup_install
test_c
test_python
test_go
test_rust
summary
