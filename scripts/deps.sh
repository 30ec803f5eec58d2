#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Install what odm needs to build, test and run, from Debian's archive.
# Idempotent: installs only what is missing.  --quiet: say nothing when
# everything is already there.  --kernels: also what scripts/test-kernels.sh
# needs.  Needs root (or sudo) to install.
set -euo pipefail

quiet=0
kernels=0
for a in "$@"; do
	case $a in
	--quiet) quiet=1 ;;
	--kernels) kernels=1 ;;
	*) echo "deps: unknown argument: $a (--quiet, --kernels)" >&2; exit 2 ;;
	esac
done

# build: clang/llvm (BPF), libbpf, bpftool (skeletons), gcc/make/pkg-config,
# libclang-rt-14-dev (libFuzzer and the sanitizer runtimes for clang)
# run/test: iproute2 (ip, veth, netns), util-linux (nsenter), procps (sysctl), jq (JSON checks),
# kea-dhcp6-server and radvd (the "network" of the on-demand tests),
# groff-base and man-db (tests/man.sh renders the man pages),
# debhelper, dpkg-dev and fakeroot (tests/package.sh builds the .debs)
# bindings: python3 (examples/python, ctypes), golang-go (examples/go, cgo),
# rustc and cargo (examples/rust): tests/bindings.sh builds them offline
packages=(clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev pkg-config make gcc
	  libclang-rt-14-dev iproute2 util-linux procps jq kea-dhcp6-server radvd gnuplot-nox
	  groff-base man-db debhelper dpkg-dev fakeroot python3 golang-go rustc cargo)
# test-kernels: qemu, the initramfs (busybox-static, cpio; xz and zstd unpack
# .ko.xz and .ko.zst) and depmod (kmod)
[ $kernels -eq 1 ] && packages+=(qemu-system-x86 busybox-static kmod cpio xz-utils zstd)

missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	[ $quiet -eq 1 ] || echo "deps: everything is installed"
	exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
	sudo=sudo
	command -v sudo >/dev/null || { echo "deps: need root to install: ${missing[*]}" >&2; exit 1; }
else
	sudo=
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
