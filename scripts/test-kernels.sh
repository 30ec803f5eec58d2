#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# test-kernels.sh - load the BPF programs and run the tests that need a real
# kernel (netns_test, tests/cli.sh, tests/dhcp6/kea-test.sh) on Debian's
# kernel images other than the running one, each booted under qemu (KVM when
# /dev/kvm comes from kvm_intel or kvm_amd, else TCG: about 2.5 min a kernel).
#
#   scripts/test-kernels.sh [--kernels "6.1 6.12"] [--quick] [--timeout S]
#   make test-kernels                      (root; builds the test binaries first)
#
# How: for each kernel series the newest linux-image-<series>*-amd64-unsigned
# of the configured Debian archive is fetched with `apt-get download` into
# $ODM_KERNEL_CACHE (/var/cache/odm-kernels), unpacked with dpkg-deb -x and
# given a modules.dep (depmod -b).  A throw-away initramfs (busybox-static and
# the virtio/9p/overlay modules, found through that kernel's modules.dep)
# mounts this machine's / read-only over virtio-9p, puts an overlay with a
# tmpfs upper layer on it, bind-mounts the guest kernel's modules on
# /lib/modules/$(uname -r) and switch_roots into it: the guest runs the
# binaries built here (make test-bins), with the host's bash, ip, kea, cc...
# PID 1 there is this script again (--guest): it mounts proc, sys, dev and
# cgroup2, checks that odmd loads and attaches the BPF object, runs the
# suites, prints "ODM-KERNEL-RESULT rc=N" and powers the guest off.
# The host reads the console, one log per kernel in build/kernels/, and
# prints a table (also build/kernels/summary.txt and summary.json).
# Exits non-zero when any kernel fails.
#
# Environment: ODM_KERNELS (series list, default "6.1 6.12"; an exact
# version such as 6.1.0-56 also works), ODM_KERNEL_CACHE, ODM_KERNEL_TIMEOUT
# (seconds per kernel, default 900, 2400 under TCG), ODM_KERNEL_MEM (2G),
# ODM_KERNEL_SMP (2), ODM_KERNEL_ACCEL (kvm or tcg: overrides the choice).
# The plain -amd64 flavour is used: the -cloud one has no 9p.
set -euo pipefail

QUICK_TESTS="test_pins_and_btf test_message_flow_4_2 test_sock_addr_table test_default_policy test_sockopt_passthrough test_policy_allow test_use_counts test_faults test_on_demand_dhcpv6"

# ---- guest side ---------------------------------------------------------------

# PID 1 of the guest, on the overlay of the host's root.  Never returns:
# powers the machine off.
guest_main() {
	local repo=$1 quick=$2 rc=0
	set +e
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mountpoint -q /dev || mount -t devtmpfs dev /dev
	# devtmpfs has no /dev/fd: bash's <(...) needs it (kea-test.sh).
	ln -sfn /proc/self/fd /dev/fd
	ln -sfn /proc/self/fd/0 /dev/stdin
	ln -sfn /proc/self/fd/1 /dev/stdout
	ln -sfn /proc/self/fd/2 /dev/stderr
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs tmpfs /dev/shm
	mount -t tmpfs tmpfs /run
	mount -t tmpfs tmpfs /tmp
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
	mount -t bpf bpf /sys/fs/bpf
	mkdir -p /run/netns /run/kea /var/lib/odm /var/run
	hostname odm-guest
	ip link set lo up
	export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb
	local m
	for m in veth bridge macvlan dummy; do modprobe -q "$m" || echo "guest: modprobe $m failed"; done
	# A repository under /tmp or /run was hidden by the tmpfs mounts above.
	if [ ! -f "$repo/scripts/test-kernels.sh" ]; then
		mkdir -p "$repo" && mount --bind /.odm-repo "$repo"
	fi
	cd "$repo" || { echo "ODM-KERNEL-RESULT rc=99"; guest_off; }

	echo "ODM-GUEST kernel $(uname -r)"
	echo "ODM-GUEST uptime $(cut -d' ' -f1 /proc/uptime)"

	# Load only: attach to a cgroup of our own, then detach and unpin.
	local t0 cg=/sys/fs/cgroup/odm-load pin=/sys/fs/bpf/odm-load
	t0=$(date +%s.%N)
	mkdir -p "$cg"
	echo "=== odmd load check"
	if build/odmd --once -v --cgroup "$cg" --pin-dir "$pin" >/tmp/load.log 2>&1 &&
	   build/odmd --unload --pin-dir "$pin" >>/tmp/load.log 2>&1; then
		grep -i -E 'error|fail|warn' /tmp/load.log | head -n 20
		echo "ODM-LOAD ok $(secs "$t0")"
	else
		cat /tmp/load.log
		echo "ODM-LOAD FAIL $(secs "$t0")"
		rc=1
	fi
	rmdir "$cg" 2>/dev/null

	if [ -n "$quick" ]; then
		# shellcheck disable=SC2086
		guest_suite netns build/tests/netns_test $quick || rc=1
		guest_suite cli bash tests/cli.sh || rc=1
	else
		guest_suite netns build/tests/netns_test || rc=1
		guest_suite cli bash tests/cli.sh || rc=1
		guest_suite kea bash tests/dhcp6/kea-test.sh || rc=1
	fi
	echo "ODM-GUEST uptime $(cut -d' ' -f1 /proc/uptime)"
	echo "ODM-KERNEL-RESULT rc=$rc"
	guest_off
}

secs() { awk -v a="$(date +%s.%N)" -v b="$1" 'BEGIN { printf "%.1f", a - b }'; }

# guest_suite NAME CMD...: runs one suite and prints
# "ODM-SUITE NAME passed failed seconds"; fails on failures or no summary.
guest_suite() {
	local name=$1 t0 line p=0 f=1
	shift
	echo "=== $name: $*"
	t0=$(date +%s.%N)
	"$@" 2>&1 | tee /tmp/suite.log
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' /tmp/suite.log | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | cut -d' ' -f1)
		f=$(echo "$line" | cut -d' ' -f3)
	else
		echo "$name: no summary line: counted as one failure"
	fi
	echo "ODM-SUITE $name $p $f $(secs "$t0")"
	[ "$f" -eq 0 ]
}

guest_off() {
	sync
	# Wait with bash's own read on a FIFO in tmpfs: once the power-off
	# begins, 9p answers EIO, so no program can be started any more.
	mkfifo /run/odm-off
	exec 9<>/run/odm-off
	echo o >/proc/sysrq-trigger
	read -r -t 30 -u 9 || true
	exit 1 # panic=-1 and -no-reboot end qemu anyway
}

if [ "${1:-}" = "--guest" ]; then
	[ $$ -eq 1 ] || { echo "test-kernels.sh: --guest is for the VM's PID 1" >&2; exit 2; }
	guest_main "$2" "${3:-}"
fi

# ---- host side ------------------------------------------------------------------

cd "$(dirname "$0")/.."
REPO=$(pwd -P)
KERNELS=${ODM_KERNELS:-6.1 6.12}
CACHE=${ODM_KERNEL_CACHE:-/var/cache/odm-kernels}
TIMEOUT=${ODM_KERNEL_TIMEOUT:-900}
MEM=${ODM_KERNEL_MEM:-2G}
SMP=${ODM_KERNEL_SMP:-2}
OUT=$REPO/build/kernels
quick=

usage() {
	sed -n '3,/^set -euo/p' "$0" | sed '$d;s/^# \{0,1\}//'
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--kernels) KERNELS=$2; shift 2 ;;
	--kernels=*) KERNELS=${1#*=}; shift ;;
	--quick) quick=$QUICK_TESTS; shift ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	-h|--help) usage ;;
	*) echo "test-kernels.sh: unknown argument: $1" >&2; usage ;;
	esac
done

[ "$(id -u)" -eq 0 ] || { echo "test-kernels.sh: needs root" >&2; exit 1; }
for b in build/odmd build/odm build/tests/netns_test; do
	[ -x "$b" ] || { echo "test-kernels.sh: $b missing: make test-bins first" >&2; exit 1; }
done

# Tools for the host side: qemu, busybox, cpio, depmod...
scripts/deps.sh --quiet --kernels

# KVM needs /dev/kvm from kvm_intel or kvm_amd.  Other providers of
# /dev/kvm (kvm_pvm, a paravirtual nested hypervisor) cannot run an
# unmodified kernel: the decompressor crawls and early boot dies with "KVM
# internal error ... emulation failure" on cmpxchg16b, then xrstor.
# ODM_KERNEL_ACCEL=kvm|tcg overrides the choice.
accel_kind=${ODM_KERNEL_ACCEL:-}
if [ -z "$accel_kind" ]; then
	if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
		accel_kind=kvm
	else
		accel_kind=tcg
		if [ -e /dev/kvm ]; then
			echo "test-kernels: WARNING: /dev/kvm is not from kvm_intel or kvm_amd: using TCG, slower" >&2
		else
			echo "test-kernels: WARNING: no /dev/kvm: using TCG, slow" >&2
		fi
	fi
fi
if [ "$accel_kind" = kvm ]; then
	# arch-capabilities: qemu 7.2 on a newer host kernel fails to set MSR 0x10a.
	accel=(-enable-kvm -cpu "host,-arch-capabilities")
else
	accel=(-accel "tcg,thread=multi,tb-size=512" -cpu max)
	[ -n "${ODM_KERNEL_TIMEOUT:-}" ] || [ "$TIMEOUT" -ge 2400 ] || TIMEOUT=2400
fi

mkdir -p "$CACHE" "$OUT"

# pkg_for SERIES: the newest plain amd64 unsigned image of that series.
pkg_for() {
	local s=$1 re
	case $s in
	*.*.*) re="^linux-image-${s//./\\.}(\\+deb[0-9]+)?-amd64-unsigned\$" ;;  # 6.1.0-56 / 6.12.117
	*) re="^linux-image-${s//./\\.}\\.[0-9]+(-[0-9]+)?(\\+deb[0-9]+)?-amd64-unsigned\$" ;;
	esac
	apt-cache search --names-only "$re" | cut -d' ' -f1 | sort -V | tail -n 1
}

# fetch PKG: prints the directory PKG is unpacked in (cached).
fetch() {
	local pkg=$1 dir=$CACHE/$1 deb
	if [ ! -e "$dir/.done" ]; then
		rm -rf "$dir"
		mkdir -p "$dir"
		deb=$(find "$CACHE" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
		if [ -z "$deb" ]; then
			(cd "$CACHE" && apt-get download -q "$pkg" 2>&1 | grep -v -e '^W: Download is performed unsandboxed' -e '^Get:' -e '^Fetched' >&2) || true
			deb=$(find "$CACHE" -maxdepth 1 -name "${pkg}_*.deb" | head -n 1)
			[ -n "$deb" ] || { echo "test-kernels: apt-get download $pkg failed" >&2; return 1; }
		fi
		dpkg-deb -x "$deb" "$dir"
		local ver
		ver=$(ls "$dir/lib/modules")
		depmod -b "$dir" "$ver"
		touch "$dir/.done"
	fi
	echo "$dir"
}

# mods_for DIR VER MOD...: the modules' files, dependencies first.
mods_for() {
	local dir=$1 ver=$2 m
	shift 2
	local dep=$dir/lib/modules/$ver/modules.dep
	declare -A seen=()
	local order=()
	visit() {
		local f=$1 d
		[ -n "${seen[$f]:-}" ] && return
		seen[$f]=1
		for d in $(grep -E "^$f:" "$dep" | cut -d: -f2- || true); do visit "$d"; done
		order+=("$f")
	}
	for m in "$@"; do
		# A module built in has no line: nothing to load.
		local f
		f=$(grep -E "^([^:]*/)?${m}\\.ko(\\.xz|\\.zst|\\.gz)?:" "$dep" | cut -d: -f1 | head -n 1 || true)
		[ -n "$f" ] && visit "$f"
	done
	printf '%s\n' "${order[@]}"
}

# initramfs DIR VER OUT: busybox + modules + /init.
make_initramfs() {
	local dir=$1 ver=$2 out=$3 root f n
	root=$(mktemp -d)
	mkdir -p "$root"/{bin,proc,sys,dev,lower,upper,newroot,mod}
	cp /bin/busybox "$root/bin/busybox"
	local i=0
	: >"$root/mod/order"
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		i=$((i + 1))
		n=$(printf '%02d-%s' "$i" "$(basename "$f")")
		case $f in
		*.xz) xz -dc "$dir/lib/modules/$ver/$f" >"$root/mod/${n%.xz}"; n=${n%.xz} ;;
		*.zst) zstd -qdc "$dir/lib/modules/$ver/$f" >"$root/mod/${n%.zst}"; n=${n%.zst} ;;
		*.gz) gzip -dc "$dir/lib/modules/$ver/$f" >"$root/mod/${n%.gz}"; n=${n%.gz} ;;
		*) cp "$dir/lib/modules/$ver/$f" "$root/mod/$n" ;;
		esac
		echo "$n" >>"$root/mod/order"
	done < <(mods_for "$dir" "$ver" virtio_pci 9pnet_virtio 9p overlay)
	cat >"$root/init" <<-EOF
	#!/bin/busybox sh
	/bin/busybox --install -s /bin
	export PATH=/bin
	mount -t proc proc /proc
	mount -t sysfs sys /sys
	mount -t devtmpfs dev /dev
	for m in \$(cat /mod/order); do insmod /mod/\$m || echo "initramfs: insmod \$m failed"; done
	fail() { echo "initramfs: \$*"; echo "ODM-KERNEL-RESULT rc=98"; echo o >/proc/sysrq-trigger; sleep 30; }
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower || fail "9p mount"
	mount -t tmpfs -o size=75% tmpfs /upper || fail "tmpfs"
	mkdir -p /upper/u /upper/w
	mount -t overlay overlay -o lowerdir=/lower,upperdir=/upper/u,workdir=/upper/w /newroot || fail "overlay"
	mkdir -p /newroot/lib/modules/$ver
	mount --bind /newroot$dir/lib/modules/$ver /newroot/lib/modules/$ver || fail "modules bind"
	umount /proc /sys
	mount --move /dev /newroot/dev
	# The guest puts tmpfs on /tmp and /run: keep a way to a repository there.
	mkdir -p /newroot/.odm-repo
	mount --bind /newroot$REPO /newroot/.odm-repo || fail "repository bind"
	exec switch_root /newroot /bin/bash /.odm-repo/scripts/test-kernels.sh --guest $REPO "$quick"
	EOF
	chmod +x "$root/init"
	(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$out"
	rm -rf "$root"
}

declare -a rows=()
status=0
for series in $KERNELS; do
	pkg=$(pkg_for "$series")
	if [ -z "$pkg" ]; then
		echo "test-kernels: no linux-image-$series*-amd64-unsigned in the configured archive" >&2
		rows+=("$series|-|no image|-|-|FAIL")
		status=1
		continue
	fi
	echo "test-kernels: $series: $pkg"
	dir=$(fetch "$pkg")
	ver=$(ls "$dir/lib/modules")
	img=$OUT/initramfs-$ver.gz
	make_initramfs "$dir" "$ver" "$img"
	log=$OUT/$ver.log
	t0=$(date +%s)
	set +e
	timeout -k 10 "$TIMEOUT" qemu-system-x86_64 "${accel[@]}" -m "$MEM" -smp "$SMP" \
		-nographic -no-reboot \
		-kernel "$dir/boot/vmlinuz-$ver" -initrd "$img" \
		-append "console=ttyS0 panic=-1 quiet loglevel=4 8250.nr_uarts=1" \
		-virtfs local,path=/,mount_tag=hostroot,security_model=passthrough,readonly=on,multidevs=remap \
		</dev/null 2>&1 | tr -d '\r' | tee "$log"
	qrc=${PIPESTATUS[0]}
	set -e
	t=$(($(date +%s) - t0))
	rc=$(sed -n 's/^ODM-KERNEL-RESULT rc=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	load=$(sed -n 's/^ODM-LOAD \([a-zA-Z]*\).*/\1/p' "$log" | tail -n 1)
	boot=$(sed -n 's/^ODM-GUEST uptime //p' "$log" | head -n 1)
	tests=$(awk '/^ODM-SUITE /{p += $3; f += $4; s = s sprintf("%s%s %d/%d %ss", s ? ", " : "", $2, $3, $4, $5)}
		END {if (s) printf "%d/%d (%s)", p, f, s}' "$log")
	[ "$qrc" -eq 124 ] && echo "test-kernels: $ver: timed out after $TIMEOUT s" >&2
	if [ "$rc" = 0 ]; then res=ok; else res=FAIL; status=1; fi
	rows+=("$ver|${load:-?}|${tests:-none}|$t|boot ${boot:-?} s, rc=${rc:-none}, qemu=$qrc|$res")
done

{
	printf '%-24s | %-8s | %-62s | %7s | %s\n' kernel "BPF load" "tests passed/failed (per suite)" seconds result
	for r in "${rows[@]}"; do
		IFS='|' read -r k l t s x res <<<"$r"
		printf '%-24s | %-8s | %-62s | %7s | %s (%s)\n' "$k" "$l" "$t" "$s" "$res" "$x"
	done
	echo "host $(uname -r), qemu $(qemu-system-x86_64 --version | head -n 1 | awk '{print $4}'), ${accel[*]}, ${quick:+quick, }$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} | tee "$OUT/summary.txt"

{
	echo '['
	sep=
	for r in "${rows[@]}"; do
		IFS='|' read -r k l t s x res <<<"$r"
		printf '%s  {"kernel": "%s", "bpf_load": "%s", "tests": "%s", "seconds": "%s", "detail": "%s", "result": "%s"}' \
			"$sep" "$k" "$l" "$t" "$s" "$x" "$res"
		sep=$',\n'
	done
	printf '\n]\n'
} >"$OUT/summary.json"

exit $status
