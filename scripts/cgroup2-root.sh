#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Print where cgroup v2 is mounted, from /proc/self/mountinfo (or FILE, the
# first argument: tests/unit/test_cgroup.c); nothing when it is not.  A
# mountinfo line is "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] -
# FSTYPE SOURCE SUPER": the file system type is the field after " - ", as
# many optional fields as the mount has come before it.  The kernel writes
# space, tab, newline and backslash in the mount point as \040, \011, \012
# and \134.  core/cgroup.c reads it the same way for odmd and odm.
exec awk '{
	for (i = 7; i <= NF; i++)
		if ($i == "-") {
			if ($(i + 1) == "cgroup2") {
				m = $5
				gsub(/\\040/, " ", m)
				gsub(/\\011/, "\t", m)
				gsub(/\\012/, "\n", m)
				gsub(/\\134/, "\\", m)
				print m
				exit
			}
			break
		}
}' "${1:-/proc/self/mountinfo}"
