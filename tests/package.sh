#!/usr/bin/env bash
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# package.sh - the Debian packages, built and used as a user would: a copy
# of the tree (the source tree stays clean) goes through
# dpkg-buildpackage -us -uc -b, then the three .debs are installed with
# dpkg -i into a throw-away root and tried there: odm -V, the installed
# unit under systemd-analyze verify, a program built with pkg-config
# against libodm-dev that calls setsc(), the man pages, the conffile,
# remove and purge.
#
# The throw-away root is this machine's own root filesystem under an
# overlay whose upper layer is a tmpfs, in a mount namespace of its own:
# dpkg, its maintainer scripts and its triggers run for real against the
# installed system (libbpf1, libc6), and everything they write vanishes
# with the namespace.  No odm package of this machine is touched, and no
# service is started (no /run/systemd/system in there).
#
#   bash tests/package.sh    (root, from the repository root; debhelper,
#                             dpkg-dev, fakeroot: scripts/deps.sh)
#
# Prints "ok NAME" / "FAIL NAME" / "skip NAME: why" per case, then
# "N passed, N failed".
set -u
cd "$(dirname "$0")/.."

unset MAKEFLAGS MAKELEVEL MFLAGS

. tests/lib/check.sh
finish() {
	summary
	exit
}

if [ "$(id -u)" -ne 0 ]; then
	fail "needs root (a mount namespace, an overlay, chroot, dpkg -i)"
	finish
fi
for t in dpkg-buildpackage dh unshare chroot; do
	command -v $t >/dev/null || { fail "$t is not installed (scripts/deps.sh)"; finish; }
done

version=$(cat VERSION)
tmp=$(mktemp -d /tmp/odm-package.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
git_before=$(git status --porcelain 2>/dev/null)
host_before=$(dpkg-query -W -f='${binary:Package} ${Status} ${Version}\n' odm libodm1 libodm-dev 2>&1)

# ---- build, in a copy ----------------------------------------------------------

# The work tree as it is (tracked and new files, not build/ or anything
# .gitignore leaves out), or the whole directory outside git.
src=$tmp/odm-$version
mkdir -p "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git ls-files -z -co --exclude-standard |
		while IFS= read -r -d '' f; do
			[ -e "$f" ] || [ -L "$f" ] && printf '%s\0' "$f"
		done | tar --null -T - -cf - | tar -xf - -C "$src"
else
	tar --exclude=./build -cf - . | tar -xf - -C "$src"
fi

if (cd "$src" && dpkg-buildpackage -us -uc -b) >"$tmp/build.log" 2>&1; then
	ok "dpkg-buildpackage -us -uc -b in a copy of the tree"
else
	fail "dpkg-buildpackage -us -uc -b (the errors, then the end of the log):"
	grep -E -A12 '^dpkg-gensymbols|: error:' "$tmp/build.log" | head -n 30 | sed 's/^/    /'
	echo "    ..."
	tail -n 8 "$tmp/build.log" | sed 's/^/    /'
	finish
fi
grep -E 'warning: ' "$tmp/build.log" | grep -v 'dpkg-source' | head -n 5 | sed 's/^/    build: /'

debversion=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
debs=$tmp/debs
mkdir -p "$debs"
for p in odm libodm1 libodm-dev; do
	f=$tmp/${p}_${debversion}_$arch.deb
	if [ -f "$f" ]; then
		cp "$f" "$debs/"
		ok "built $(basename "$f")"
	else
		fail "no $(basename "$f")"
	fi
done
[ "$failed" -eq 0 ] || finish

# Debian's own checks, where lintian is installed (it is not a test
# dependency: large, and its tags change between releases).
changes=$tmp/odm_${debversion}_$arch.changes
if ! command -v lintian >/dev/null; then
	skip "lintian: not installed"
elif out=$(lintian --fail-on error "$changes" 2>&1 | grep -v 'root privileges'); then
	ok "lintian: no error${out:+; $(echo "$out" | grep -c '^[WIP]:') other tags}"
	echo "$out" | grep '^W:' | head -n 5 | sed 's/^/    /'
else
	fail "lintian:"
	echo "$out" | grep '^E:' | head -n 10 | sed 's/^/    /'
fi

# What the tree has, for the installed system to have too.
: >"$debs/man.list"
for m in man/*.[1-9]; do
	[ -e "$m" ] && echo "${m##*.} $(basename "${m%.*}")" >>"$debs/man.list"
done
[ -f etc/odm.conf ] && cp etc/odm.conf "$debs/odm.conf"
[ -f systemd/odmd.service ] && touch "$debs/has-unit"
for c in completion/odm completion/odmd; do
	[ -f "$c" ] && echo "${c#completion/}" >>"$debs/completions.list"
done

# ---- in the throw-away root -------------------------------------------------

# A program of an application: setsc() outside any odm cgroup, and the
# documented answers to bad arguments (lib/odm.h, setsc(3)).
cat >"$debs/app.c" <<'EOF'
#include <errno.h>
#include <netinet/in.h>
#include <odm.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int failed;

static void expect(const char *what, int rc, int want, int err, int want_err)
{
	if (rc == want && (want != EAI_SYSTEM || err == want_err)) {
		printf("ok   app: %s: %d (%s)%s%s\n", what, rc, setsc_strerror(rc),
		       want == EAI_SYSTEM ? ", errno " : "", want == EAI_SYSTEM ? strerror(err) : "");
	} else {
		printf("FAIL app: %s: %d (%s), errno %s; want %d%s%s\n", what, rc,
		       setsc_strerror(rc), strerror(err), want,
		       want == EAI_SYSTEM ? ", errno " : "", want == EAI_SYSTEM ? strerror(want_err) : "");
		failed = 1;
	}
}

int main(void)
{
	struct in6_addr src;
	int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int s4 = socket(AF_INET, SOCK_DGRAM, 0);
	int rc;

	if (s6 < 0 || s4 < 0) {
		printf("FAIL app: socket: %s\n", strerror(errno));
		return 1;
	}
	/* odm is not active for this cgroup: a legacy host (section 5.1). */
	errno = 0;
	rc = setsc(s6, &src, IPV6_REQUIRE_SESSION_LASTING_IP);
	expect("setsc(AF_INET6 socket, session-lasting) outside odm", rc,
	       EAI_REQUIREDIPNOTSUPPORTED, errno, 0);
	errno = 0;
	rc = setsc(-1, &src, SESSION_LASTING_IPV6_ADDRESS);
	expect("setsc(-1)", rc, EAI_SYSTEM, errno, EBADF);
	errno = 0;
	rc = setsc(s4, &src, SESSION_LASTING_IPV6_ADDRESS);
	expect("setsc(AF_INET socket)", rc, EAI_SYSTEM, errno, EAFNOSUPPORT);
	errno = 0;
	rc = setsc(s6, NULL, SESSION_LASTING_IPV6_ADDRESS);
	expect("setsc(NULL address)", rc, EAI_SYSTEM, errno, EINVAL);
	if (setsc_req_fd(NULL) != -1) {
		printf("FAIL app: setsc_req_fd(NULL) != -1\n");
		failed = 1;
	}
	close(s6);
	close(s4);
	return failed;
}
EOF

# Runs chrooted in the throw-away root, from /odm-debs.
cat >"$debs/checks.sh" <<'EOF'
set -u
version=$1
debversion=$2
cd /odm-debs
export DEBIAN_FRONTEND=noninteractive PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# The lines of tests/lib/check.sh, not counted here: the caller greps them.
ok()   { echo "ok   $*"; }
bad()  { echo "FAIL $*"; }
skip() { echo "skip $*"; }

# Fresh conffiles: an odm.conf a make install left on this machine would
# otherwise make dpkg ask.
if out=$(dpkg -i --force-confnew ./libodm1_*.deb ./libodm-dev_*.deb ./odm_*.deb 2>&1 </dev/null); then
	ok "dpkg -i odm libodm1 libodm-dev"
else
	bad "dpkg -i:"
	echo "$out" | tail -n 10 | sed 's/^/    /'
	exit 0
fi
for p in odm libodm1 libodm-dev; do
	st=$(dpkg-query -W -f='${Status} ${Version}' $p 2>&1)
	if [ "$st" = "install ok installed $debversion" ]; then
		ok "$p: $st"
	else
		bad "$p: $st"
	fi
done

out=$(odm -V 2>&1)
case $out in
"odm $version"|"odm $version "*) ok "odm -V: $out ($(command -v odm))" ;;
*) bad "odm -V: '$out', not odm $version" ;;
esac
out=$(odmd --version 2>&1)
case $out in
*"$version"*) ok "odmd --version: $(echo "$out" | head -n 1)" ;;
*) bad "odmd --version: '$out' does not name $version" ;;
esac
for b in /usr/bin/odm /usr/sbin/odmd; do
	if ldd "$b" | grep -q 'not found'; then
		bad "$b: $(ldd "$b" | grep 'not found' | tr -s ' \t' ' ')"
	else
		ok "$b: every library found"
	fi
done
# Paths through realpath: /lib is /usr/lib on a merged-/usr system.
pkglib=$(realpath -e $(dpkg -L libodm1 | grep '/libodm\.so\.1$') 2>/dev/null)
cached=$(ldconfig -p | sed -n 's/^[[:space:]]*libodm\.so\.1 .*=> //p' | head -n 1)
if [ -n "$cached" ] && [ "$(realpath -e "$cached")" = "$pkglib" ]; then
	ok "ldconfig knows libodm.so.1: $cached"
else
	bad "libodm.so.1 is not in ldconfig's cache"
fi

# An application against the installed libodm-dev.
mv=$(pkg-config --modversion libodm 2>&1)
if [ "$mv" = "$version" ]; then
	ok "pkg-config --modversion libodm: $mv"
else
	bad "pkg-config --modversion libodm: '$mv', not $version"
fi
if out=$(cc -Wall -Werror $(pkg-config --cflags libodm) -o /tmp/app app.c \
		$(pkg-config --libs libodm) 2>&1); then
	ok "cc app.c \$(pkg-config --cflags --libs libodm)"
	lib=$(ldd /tmp/app | sed -n 's/.*libodm\.so\.1 => \([^ ]*\).*/\1/p')
	if [ -n "$lib" ] && [ "$(realpath -e "$lib")" = "$pkglib" ]; then
		ok "app links libodm1's $lib"
	else
		bad "app does not link the package's libodm.so.1: $(ldd /tmp/app | grep odm)"
	fi
	/tmp/app
else
	bad "cc app.c:"
	echo "$out" | head -n 10 | sed 's/^/    /'
fi

# The unit as installed: its ExecStart must exist here.
unit=/lib/systemd/system/odmd.service
if [ -f "$unit" ]; then
	if ! command -v systemd-analyze >/dev/null; then
		skip "systemd-analyze verify: systemd-analyze is not installed"
	elif out=$(systemd-analyze verify "$unit" 2>&1); then
		ok "systemd-analyze verify $unit${out:+ (said: $(echo "$out" | head -n 2 | tr '\n' ' '))}"
	else
		bad "systemd-analyze verify $unit:"
		echo "$out" | head -n 10 | sed 's/^/    /'
	fi
elif [ -e has-unit ]; then
	bad "the tree has systemd/odmd.service, the odm package has no $unit"
else
	bad "systemd/odmd.service: not in the tree"
fi

# Every man page of the tree, in a package, and man shows it.
files=$(dpkg -L odm libodm1 libodm-dev)
while read -r sec name; do
	f=/usr/share/man/man$sec/$name.$sec.gz
	if ! echo "$files" | grep -qxF "$f"; then
		bad "dpkg -L: no $f"
	elif ! MANWIDTH=80 man "$sec" "$name" 2>/dev/null | grep -q .; then
		bad "man $sec $name: nothing"
	else
		ok "dpkg -L $(dpkg -S "$f" | cut -d: -f1): $f; man $sec $name shows it"
	fi
done <man.list

if [ -f odm.conf ]; then
	if dpkg-query -W -f='${Conffiles}\n' odm | grep -q '^ /etc/odm/odm.conf '; then
		ok "/etc/odm/odm.conf is a conffile of odm"
	else
		bad "/etc/odm/odm.conf is not a conffile of odm"
	fi
	if cmp -s odm.conf /etc/odm/odm.conf; then
		ok "/etc/odm/odm.conf is the tree's etc/odm.conf"
	else
		bad "/etc/odm/odm.conf is not the tree's etc/odm.conf"
	fi
else
	bad "etc/odm.conf: not in the tree"
fi
if [ -f completions.list ]; then
	while read -r c; do
		f=/usr/share/bash-completion/completions/$c
		if echo "$files" | grep -qxF "$f"; then
			ok "dpkg -L odm: $f"
		else
			bad "dpkg -L odm: no $f"
		fi
	done <completions.list
else
	bad "completion/: no completions in the tree"
fi

# Remove keeps the configuration and odmd's state; purge takes both.
mkdir -p /var/lib/odm && echo lease >/var/lib/odm/dhcp6.leases
if out=$(dpkg -r odm 2>&1); then
	if [ -x /usr/sbin/odmd ]; then
		bad "dpkg -r odm: /usr/sbin/odmd is still there"
	elif [ -f odm.conf ] && [ ! -f /etc/odm/odm.conf ]; then
		bad "dpkg -r odm: took /etc/odm/odm.conf (a conffile stays until purge)"
	elif [ ! -f /var/lib/odm/dhcp6.leases ]; then
		bad "dpkg -r odm: took /var/lib/odm"
	else
		ok "dpkg -r odm: binaries gone, configuration and /var/lib/odm kept"
	fi
else
	bad "dpkg -r odm: $out"
fi
if out=$(dpkg -P odm libodm-dev libodm1 2>&1); then
	left=$(ls -d /etc/odm /var/lib/odm /lib/systemd/system/odmd.service \
		/usr/lib/*/libodm.so* /usr/include/odm.h \
		/etc/systemd/system/*.wants/odmd.service 2>/dev/null)
	st=$(dpkg-query -W -f='${db:Status-Abbrev}' odm libodm1 libodm-dev 2>/dev/null | tr -d ' ')
	if [ -z "$left" ] && { [ -z "$st" ] || [ "$st" = "unun" ] || [ "$st" = "ununun" ]; }; then
		ok "dpkg -P: nothing of odm is left"
	else
		bad "dpkg -P: left $(echo $left) (status '$st')"
	fi
else
	bad "dpkg -P: $out"
fi
EOF

root=$tmp/root
mkdir -p "$root"
# Everything below the new mount namespace's private mounts: gone when it ends.
out=$(unshare --mount --propagation private bash -s "$root" "$debs" "$version" "$debversion" <<'EOF' 2>&1
set -u
root=$1 debs=$2
mount -t tmpfs odm-package "$root" || { echo "NOROOT cannot mount a tmpfs"; exit 0; }
mkdir "$root/upper" "$root/work" "$root/fs"
if ! mount -t overlay overlay -o "lowerdir=/,upperdir=$root/upper,workdir=$root/work" "$root/fs"; then
	echo "NOROOT cannot mount an overlay of / (overlayfs)"
	exit 0
fi
mount -t proc proc "$root/fs/proc"
mount --rbind /dev "$root/fs/dev"
mount --rbind /sys "$root/fs/sys"
mount -t tmpfs tmpfs "$root/fs/tmp"
mount -t tmpfs tmpfs "$root/fs/run"	# no /run/systemd/system: nothing starts
mkdir -p "$root/fs/odm-debs"
mount --bind "$debs" "$root/fs/odm-debs"
chroot "$root/fs" /bin/bash /odm-debs/checks.sh "$3" "$4"
EOF
)
echo "$out" | grep -v '^NOROOT'
if echo "$out" | grep -q '^NOROOT'; then
	skip "installing: $(echo "$out" | sed -n 's/^NOROOT //p'): the packages were built, not tried"
fi
passed=$((passed + $(echo "$out" | grep -c '^ok ')))
failed=$((failed + $(echo "$out" | grep -c '^FAIL ')))
if ! echo "$out" | grep -qE '^(ok|FAIL|NOROOT)'; then
	fail "the throw-away root said nothing:"
	echo "$out" | tail -n 10 | sed 's/^/    /'
fi

# Nothing leaked: not into the source tree, not into this machine's dpkg.
if [ "$(git status --porcelain 2>/dev/null)" = "$git_before" ]; then
	ok "the source tree is as it was (git status)"
else
	fail "the source tree changed: $(git status --porcelain | head -n 5)"
fi
host_after=$(dpkg-query -W -f='${binary:Package} ${Status} ${Version}\n' odm libodm1 libodm-dev 2>&1)
if [ "$host_after" = "$host_before" ] && [ ! -e /odm-debs ]; then
	ok "this machine's odm packages are as they were"
else
	fail "this machine's dpkg changed: $host_before -> $host_after"
fi

finish
