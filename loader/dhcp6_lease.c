// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * dhcp6_lease.c - the DHCPv6 client's lease file (dhcp6_int.h): writes the
 * leases the client holds, reads them back at start, and refuses a file
 * others could tamper with.  What a restored lease becomes is the state
 * machine's decision (dhcp6.c).
 *
 * One line per lease, written whole to a temporary file and renamed over
 * the old one, so a crash leaves the old or the new list, never half:
 *
 *   IAID TYPE PREFIX/PLEN PREFERRED VALID T1 T2 OBTAINED SERVER-DUID TYPED ADDR
 *
 * OBTAINED is the wall clock (Unix seconds) of the grant, because
 * CLOCK_BOOTTIME restarts at boot; lifetimes are as granted.  TYPED is
 * "typed" or "untyped" (granted without the continuity option).  A line
 * without it was written by an odmd from before the rule, which did not
 * record it: such a lease is kept as it was granted (logged), since giving
 * a Fixed or Session-lasting prefix back at an upgrade would break the
 * promise of its type; `odm prefix del` or a Release ends it.
 *
 * ADDR is the host address odmd keeps in the prefix (Fixed and
 * Session-lasting: the same address after a reboot), "-" for none.  A line
 * without it (an older odmd's) reads as "-": odmd then keeps the address
 * the interface has in the prefix, or makes one, and records it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "core.h"
#include "dhcp6_int.h"
#include "log.h"

/*
 * The lease file's directory must be one only its owner (root, or odmd's
 * user) may write to: where others may, they could plant a symlink or a
 * file of their own at FILE.tmp, or swap in leases of their choosing.
 * 0, or -EPERM with a message.
 */
static int lease_dir_safe(const char *file)
{
	char dir[PATH_MAX], *slash;
	struct stat st;

	if (snprintf(dir, sizeof(dir), "%s", file) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (stat(dir, &st))
		return -errno;
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) || (st.st_uid != 0 && st.st_uid != geteuid())) {
		log_warn("dhcpv6: refusing the lease file %s: its directory %s may be written by "
			 "others", file, dir);
		return -EPERM;
	}
	return 0;
}

/* FILE.tmp, created new: never through a link, never someone else's file. */
static FILE *lease_tmp_open(const char *tmp)
{
	struct stat st;
	int fd;

	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 && errno == EEXIST && lstat(tmp, &st) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid() && unlink(tmp) == 0)	/* ours, left by a crash */
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

int dhcp6_lease_begin(struct dhcp6_lease_writer *w, const char *file)
{
	int err;

	w->file = file;
	w->f = NULL;
	w->now_boot = odm_boottime_ns();
	w->now_real = time(NULL);
	if (snprintf(w->tmp, sizeof(w->tmp), "%s.tmp", file) >= (int)sizeof(w->tmp))
		return -ENAMETOOLONG;
	err = lease_dir_safe(file);
	if (err)
		return err;
	w->f = lease_tmp_open(w->tmp);
	if (!w->f)
		return -errno;
	fprintf(w->f, "# odmd DHCPv6 leases: iaid type prefix/plen preferred valid t1 t2 "
		"obtained(unix) server-duid typed|untyped host-address|-\n");
	return 0;
}

void dhcp6_lease_put(struct dhcp6_lease_writer *w, const struct odm_lease *l,
		     const struct odm_dhcp6_duid *server)
{
	long long age = (long long)((w->now_boot - l->obtained_ns) / NS_PER_S);
	char pfx[INET6_ADDRSTRLEN], addr[INET6_ADDRSTRLEN];
	int k;

	inet_ntop(AF_INET6, l->prefix, pfx, sizeof(pfx));
	if (odm_addr_is_zero(l->addr))
		strcpy(addr, "-");
	else
		inet_ntop(AF_INET6, l->addr, addr, sizeof(addr));
	fprintf(w->f, "%" PRIu32 " %s %s/%u %" PRIu32 " %" PRIu32 " %" PRIu32 " %" PRIu32
		" %lld ", l->iaid, odm_type_name(l->type), pfx, l->plen, l->preferred_lft,
		l->valid_lft, l->t1, l->t2, (long long)w->now_real - age);
	for (k = 0; k < server->len; k++)
		fprintf(w->f, "%02x", server->data[k]);
	fprintf(w->f, " %s %s\n", l->untyped ? "untyped" : "typed", addr);
}

int dhcp6_lease_commit(struct dhcp6_lease_writer *w)
{
	int err = 0;

	if (fflush(w->f) || fsync(fileno(w->f)))
		err = -errno;
	if (fclose(w->f) && !err)
		err = -errno;
	w->f = NULL;
	if (!err && rename(w->tmp, w->file))
		err = -errno;
	if (err)
		unlink(w->tmp);
	return err;
}

static int hex_duid(const char *s, struct odm_dhcp6_duid *d)
{
	size_t n = strlen(s), i;
	unsigned int b;

	if (!n || n % 2 || n / 2 > DHCP6_DUID_MAX)
		return -EINVAL;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		d->data[i] = b;
	}
	d->len = n / 2;
	return 0;
}

int dhcp6_lease_read(const char *file, dhcp6_lease_fn fn, void *ctx)
{
	time_t now_real = time(NULL);
	char line[512], type[64], pfx[INET6_ADDRSTRLEN + 8], duid[2 * DHCP6_DUID_MAX + 2];
	char typed[16], addr[INET6_ADDRSTRLEN];
	unsigned int plen, legacy = 0;
	int n, dropped = 0;
	long long obtained;
	FILE *f;

	if (lease_dir_safe(file))
		return 0;
	f = fopen(file, "re");
	if (!f)
		return 0;		/* first start: nothing to restore */
	while (fgets(line, sizeof(line), f)) {
		struct dhcp6_lease_rec r = { 0 };
		struct odm_lease *l = &r.lease;
		char *slash;
		long long age;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		n = sscanf(line, "%" SCNu32 " %63s %47s %" SCNu32 " %" SCNu32 " %" SCNu32
			   " %" SCNu32 " %lld %261s %15s %45s", &l->iaid, type, pfx,
			   &l->preferred_lft, &l->valid_lft, &l->t1, &l->t2, &obtained, duid, typed,
			   addr);
		if (n == 9) {
			if (!legacy++)
				log_warn("dhcpv6: %s: written by an older odmd that did not "
					 "record whether its grants were typed: keeping them as "
					 "granted", file);
		} else if (n >= 10 && (!strcmp(typed, "untyped") || !strcmp(typed, "typed"))) {
			l->untyped = !strcmp(typed, "untyped");
		} else {
			goto bad;
		}
		/* Ten fields: an odmd that did not record the address yet. */
		if (n == 11 && strcmp(addr, "-") && inet_pton(AF_INET6, addr, l->addr) != 1)
			goto bad;
		slash = strchr(pfx, '/');
		if (!slash || sscanf(slash + 1, "%u", &plen) != 1 || plen > 128)
			goto bad;
		*slash = '\0';
		if (inet_pton(AF_INET6, pfx, l->prefix) != 1 ||
		    odm_type_parse(type, false, &l->type))
			goto bad;
		l->plen = plen;
		/* An address outside its prefix is no host address of the lease. */
		if (!odm_addr_is_zero(l->addr)) {
			struct odm_prefix_key k = { .prefixlen = plen };

			memcpy(&k.prefix, l->prefix, sizeof(k.prefix));
			if (!odm_prefix_contains(&k, l->addr))
				goto bad;
		}
		/* A restored lease is checked like a fresh one (section 7). */
		if (odm_prefix_unsafe(l->prefix, l->plen)) {
			log_warn("dhcpv6: %s: refusing the lease of %s/%u: %s", file, pfx, plen,
				 odm_prefix_unsafe(l->prefix, l->plen));
			dropped++;
			continue;
		}
		age = (long long)now_real - obtained;
		if (age < 0)
			age = 0;		/* the wall clock went back: trust the lifetimes */
		if (l->valid_lft != DHCP6_INFINITY && age >= l->valid_lft) {
			dropped++;
			continue;
		}
		r.elapsed_s = age > UINT32_MAX - 1 ? UINT32_MAX - 1 : (__u32)age;
		if (hex_duid(duid, &r.server))
			goto bad;
		n = fn(ctx, &r);
		if (n < 0)
			break;
		dropped += n;
		continue;
bad:
		log_warn("dhcpv6: %s: ignoring a malformed line", file);
	}
	fclose(f);
	return dropped;
}
