# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# check.sh - what every shell suite shares: one line per case, and the
# "N passed, N failed" line tests/run.sh adds up.  Sourced, from bash:
#
#   . "$(dirname "$0")/lib/check.sh"
#   ok "NAME"                     a case passed
#   fail "NAME" [DETAIL...]       a case failed; each DETAIL on a line of its own
#   skip "NAME" [WHY]             a case that cannot run here (counted in neither)
#   summary                       the totals; its status is 0 when nothing failed
#   setup_fail [DETAIL...]        the world could not be made: a failed "setup",
#                                 the totals, exit 1 (the caller's EXIT trap cleans)
#   cgroup2_root                  prints where cgroup v2 is mounted
#
# The lines are those of the C harness (tests/lib/test.c): "ok   NAME",
# "FAIL NAME", details indented by two spaces.

passed=0
failed=0

ok() {
	passed=$((passed + 1))
	echo "ok   $*"
}

fail() {
	local line

	failed=$((failed + 1))
	echo "FAIL $1"
	shift
	for line in "$@"; do
		printf '  %s\n' "$line"
	done
}

skip() {
	echo "skip $1${2:+: $2}"
}

summary() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}

setup_fail() {
	fail "setup" "$@"
	summary
	exit 1
}

# Where cgroup v2 is mounted (optional mountinfo fields handled there).
cgroup2_root() {
	sh "$(dirname "${BASH_SOURCE[0]:-$0}")/../../scripts/cgroup2-root.sh"
}
