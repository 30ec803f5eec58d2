// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * args.c - odmd's command line: every option, its default and its check,
 * and the usage text (odmd --help); then the config file's options under
 * the flags.  Nothing here touches the system but reading that file.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp6.h"
#include "graceful.h"
#include "log.h"
#include "odmd.h"
#include "ondemand.h"

#ifndef ODM_VERSION
#error "ODM_VERSION: the Makefile passes -DODM_VERSION='\"$(VERSION)\"'"
#endif

#define ODM_LEASE_FILE "/var/lib/odm/dhcp6.leases"
#define ODM_SECRET_FILE "/var/lib/odm/iid.secret"

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: odmd [--cgroup PATH] [--config FILE] [--pin-dir DIR] [--once] [--notify-fd FD] [-v]\n"
		"       odmd --unload [--pin-dir DIR] [--config FILE]\n"
		"       odmd --version\n"
		"\n"
		"  -c, --cgroup PATH   cgroup v2 to attach to (absolute, or relative to the cgroup2 root);\n"
		"                      required, here or in the config file (whose cgroup is made\n"
		"                      when missing and its parent exists)\n"
		"  -f, --config FILE   typed prefixes, policies and these options (odm.conf(5));\n"
		"                      default %s, which may be missing; flags override it\n"
		"  -d, --pin-dir DIR   where maps and links are pinned (default %s)\n"
		"      --once          load, attach, fill the maps, then exit (no netlink sync)\n"
		"      --dhcp6 IFNAME  obtain prefixes on demand by DHCPv6 prefix delegation on IFNAME;\n"
		"                      repeated: several networks; a type is asked of the first one\n"
		"                      that offers it and whose link is up (a config file's network\n"
		"                      lines come first and say which types each one offers)\n"
		"      --dhcp6-option CODE  option code of OPTION_IPv6_CONTINUITY_SERVICE (default %u)\n"
		"      --dhcp6-untyped TYPE[,TYPE...]|all  take delegated prefixes of these types\n"
		"                           even without the continuity option (a network that\n"
		"                           does not type them); by default they are refused\n"
		"      --lease-file FILE    where delegated prefixes are kept across restarts\n"
		"                           (default %s); networks after the first\n"
		"                           keep theirs in FILE.IFNAME\n"
		"      --sl-linger SECONDS  release a delegated session-lasting prefix that long\n"
		"                           after its last socket closed (default %u; 0: never)\n"
		"      --grace SECONDS      how long a replaced graceful-replacement address\n"
		"                           stays valid (default 60)\n"
		"      --iid random|stable  interface identifiers of the addresses odmd makes:\n"
		"                           random (default) or RFC 7217 stable-privacy\n"
		"      --secret-file FILE   RFC 7217's secret, made on first use (default %s)\n"
		"      --lifetime TYPE:SECONDS[:BYTES]  renew a type's host addresses after that\n"
		"                           long or that many bytes sent; 0: no limit (default\n"
		"                           non-persistent and graceful-replacement: 3600 s)\n"
		"      --ra            type prefixes from the SrvTp of router advertisements\n"
		"      --no-egress-routes   no source-specific default routes (default from\n"
		"                           PREFIX via ROUTER proto 79) that send a typed\n"
		"                           prefix's packets out through its own network;\n"
		"                           those of an earlier odmd are removed\n"
		"      --net-rate N         network requests a minute of a cgroup whose policy\n"
		"                           sets no rate (default %u; 0: no limit)\n"
		"      --net-max-held N     Fixed and Session-lasting prefixes held by such a\n"
		"                           cgroup (default %u; 0: no limit)\n"
		"      --addr-map-size N    entries of the per-address maps odm_addr_use and\n"
		"                           odm_tx (default 65536 and 16384; at first load)\n"
		"      --no-setsockopt      attach no cgroup/setsockopt program: other\n"
		"                           setsockopt() calls cost nothing more, but odm no\n"
		"                           longer sees IPV6_ADDR_PREFERENCES (ON_NET only\n"
		"                           through setsc_opts) nor libodm before setsc()'s one call\n"
		"      --notify-fd FD  write \"READY\\n\" to FD once the maps are filled (and\n"
		"                      $NOTIFY_SOCKET, as systemd sets it, gets READY=1 and more)\n"
		"      --syslog-prefix start each line with its syslog priority (<3> error...),\n"
		"                      as when stderr is the journal's ($JOURNAL_STREAM)\n"
		"  -u, --unload        detach and unpin everything under the pin directory\n"
		"  -v, --verbose       log libbpf and every map change\n"
		"  -V, --version       odmd's version\n"
		"  -h, --help          this text\n",
		ODM_CONFIG_FILE, ODM_PIN_DIR, ODM_DHCP6_OPT_CONTINUITY_DEFAULT, ODM_LEASE_FILE,
		ODM_SL_LINGER_DEFAULT_S, ODM_SECRET_FILE,
		ODM_NET_RATE_DEFAULT, ODM_NET_MAX_HELD_DEFAULT);
}

/* A decimal --NAME value in [min, max]: 0, or -EINVAL with a message. */
static int parse_uint(const char *name, const char *arg, unsigned long min, unsigned long max,
		      unsigned int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || end == arg || v < 0 || (unsigned long)v < min ||
	    (unsigned long)v > max) {
		logmsg("invalid --%s '%s': expected %lu to %lu", name, arg, min, max);
		return -EINVAL;
	}
	*out = (unsigned int)v;
	return 0;
}

/*
 * The config file's options, where no flag set them.  Read here, before
 * anything runs, so that a bad file stops odmd with FILE:LINE at once.
 */
static int merge_config(struct odmd_opts *o)
{
	const struct odm_config_opts *f = &o->file.opts;
	unsigned int set, t;
	char err[512];
	int ret;

	ret = odm_config_parse_file(o->config, &o->file, err, sizeof(err));
	if (ret == -ENOENT && !o->config_given) {
		o->config = NULL;	/* no file is no configuration, not an error */
		return 0;
	}
	if (ret) {
		logmsg("%s", err);
		return 1;
	}
	set = f->set & ~o->given;
#define FROM_FILE(opt)	(set & (1u << ODM_OPT_##opt))
	if (FROM_FILE(CGROUP))
		o->cgroup = f->cgroup;
	if (FROM_FILE(PIN_DIR))
		o->pin_dir = f->pin_dir;
	if (FROM_FILE(DHCP6_OPTION))
		o->dhcp6_option = f->dhcp6_option;
	if (FROM_FILE(DHCP6_UNTYPED))
		o->dhcp6_untyped = f->dhcp6_untyped;
	if (FROM_FILE(LEASE_FILE))
		o->lease_file = f->lease_file;
	if (FROM_FILE(SL_LINGER))
		o->sl_linger_s = f->sl_linger_s;
	if (FROM_FILE(GRACE))
		o->grace_s = f->grace_s;
	if (FROM_FILE(IID))
		o->iid.stable = f->iid_stable;
	if (FROM_FILE(SECRET_FILE))
		o->secret_file = f->secret_file;
	if (FROM_FILE(RA))
		o->ra = f->ra;
	if (FROM_FILE(EGRESS_ROUTES))
		o->no_egress = !f->egress_routes;
	if (FROM_FILE(SETSOCKOPT))
		o->no_setsockopt = !f->setsockopt;
	if (FROM_FILE(NET_RATE))
		o->net_per_min = f->net_rate;
	if (FROM_FILE(NET_MAX_HELD))
		o->net_max_held = f->net_max_held;
	if (FROM_FILE(ADDR_MAP_SIZE))
		o->addr_map_size = f->addr_map_size;
	if (FROM_FILE(VERBOSE))
		o->verbose = f->verbose;
#undef FROM_FILE
	/* --lifetime overrides the file's lifetime of the same type only. */
	for (t = 1; t <= ODM_TYPE_MAX; t++) {
		if (!f->lifetime[t].set || (o->lifetime_given & (1u << t)))
			continue;
		o->lifetimes.type[t].max_age_s = f->lifetime[t].max_age_s;
		o->lifetimes.type[t].max_bytes = f->lifetime[t].max_bytes;
	}
	return 0;
}

int parse_args(int argc, char **argv, struct odmd_opts *o)
{
	enum { OPT_ONCE = 256, OPT_NOTIFY, OPT_DHCP6, OPT_DHCP6_OPTION, OPT_LEASE_FILE, OPT_MAX_RT,
	       OPT_GRACE, OPT_RA, OPT_LIFETIME, OPT_IID, OPT_SECRET, OPT_ADDR_MAP,
	       OPT_NET_RATE, OPT_NET_HELD, OPT_DHCP6_UNTYPED, OPT_NO_EGRESS,
	       OPT_SL_LINGER, OPT_SYSLOG, OPT_NO_SETSOCKOPT };
	static const struct option longopts[] = {
		{ "cgroup",	required_argument, NULL, 'c' },
		{ "config",	required_argument, NULL, 'f' },
		{ "pin-dir",	required_argument, NULL, 'd' },
		{ "once",	no_argument,	   NULL, OPT_ONCE },
		{ "notify-fd",	required_argument, NULL, OPT_NOTIFY },
		{ "dhcp6",	required_argument, NULL, OPT_DHCP6 },
		{ "dhcp6-option", required_argument, NULL, OPT_DHCP6_OPTION },
		{ "lease-file",	required_argument, NULL, OPT_LEASE_FILE },
		{ "sl-linger",	required_argument, NULL, OPT_SL_LINGER },
		{ "dhcp6-max-rt", required_argument, NULL, OPT_MAX_RT },
		{ "dhcp6-untyped", required_argument, NULL, OPT_DHCP6_UNTYPED },
		{ "grace",	required_argument, NULL, OPT_GRACE },
		{ "lifetime",	required_argument, NULL, OPT_LIFETIME },
		{ "iid",	required_argument, NULL, OPT_IID },
		{ "secret-file", required_argument, NULL, OPT_SECRET },
		{ "ra",		no_argument,	   NULL, OPT_RA },
		{ "no-egress-routes", no_argument, NULL, OPT_NO_EGRESS },
		{ "addr-map-size", required_argument, NULL, OPT_ADDR_MAP },
		{ "net-rate",	required_argument, NULL, OPT_NET_RATE },
		{ "net-max-held", required_argument, NULL, OPT_NET_HELD },
		{ "no-setsockopt", no_argument,	   NULL, OPT_NO_SETSOCKOPT },
		{ "unload",	no_argument,	   NULL, 'u' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "version",	no_argument,	   NULL, 'V' },
		{ "syslog-prefix", no_argument,	   NULL, OPT_SYSLOG },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long fd;
	int c, ret;

	*o = (struct odmd_opts){ .config = ODM_CONFIG_FILE, .pin_dir = ODM_PIN_DIR, .notify_fd = -1,
			    .lease_file = ODM_LEASE_FILE,
			    .grace_s = ODM_GRACE_DEFAULT_S, .secret_file = ODM_SECRET_FILE,
			    .net_per_min = ODM_NET_RATE_DEFAULT,
			    .net_max_held = ODM_NET_MAX_HELD_DEFAULT,
			    .sl_linger_s = ODM_SL_LINGER_DEFAULT_S };
	odm_lifetimes_init(&o->lifetimes, ODM_GRACE_DEFAULT_S);
	while ((c = getopt_long(argc, argv, "c:f:d:uvVh", longopts, NULL)) != -1) {
		/* Which options the flags set: the file's do not override them. */
		switch (c) {
		case 'c': o->given |= 1u << ODM_OPT_CGROUP; break;
		case 'd': o->given |= 1u << ODM_OPT_PIN_DIR; break;
		case 'v': o->given |= 1u << ODM_OPT_VERBOSE; break;
		case OPT_RA: o->given |= 1u << ODM_OPT_RA; break;
		case OPT_NO_EGRESS: o->given |= 1u << ODM_OPT_EGRESS_ROUTES; break;
		case OPT_NO_SETSOCKOPT: o->given |= 1u << ODM_OPT_SETSOCKOPT; break;
		case OPT_DHCP6_OPTION: o->given |= 1u << ODM_OPT_DHCP6_OPTION; break;
		case OPT_DHCP6_UNTYPED: o->given |= 1u << ODM_OPT_DHCP6_UNTYPED; break;
		case OPT_LEASE_FILE: o->given |= 1u << ODM_OPT_LEASE_FILE; break;
		case OPT_SL_LINGER: o->given |= 1u << ODM_OPT_SL_LINGER; break;
		case OPT_GRACE: o->given |= 1u << ODM_OPT_GRACE; break;
		case OPT_IID: o->given |= 1u << ODM_OPT_IID; break;
		case OPT_SECRET: o->given |= 1u << ODM_OPT_SECRET_FILE; break;
		case OPT_NET_RATE: o->given |= 1u << ODM_OPT_NET_RATE; break;
		case OPT_NET_HELD: o->given |= 1u << ODM_OPT_NET_MAX_HELD; break;
		case OPT_ADDR_MAP: o->given |= 1u << ODM_OPT_ADDR_MAP_SIZE; break;
		}
		switch (c) {
		case 'c': o->cgroup = optarg; break;
		case 'f': o->config = optarg; o->config_given = true; break;
		case 'd': o->pin_dir = optarg; break;
		case 'u': o->unload = true; break;
		case 'v': o->verbose = true; break;
		case 'V': printf("odmd %s\n", ODM_VERSION); exit(0);
		case OPT_SYSLOG:
			/* At once: the config file's errors come before main's log_init(). */
			o->syslog_prefix = true;
			log_init(true);
			break;
		case OPT_ONCE: o->once = true; break;
		case OPT_RA: o->ra = true; break;
		case OPT_NO_EGRESS: o->no_egress = true; break;
		case OPT_NO_SETSOCKOPT: o->no_setsockopt = true; break;
		case OPT_NOTIFY:
			errno = 0;
			fd = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || fd < 0 || fd > INT_MAX) {
				logmsg("invalid --notify-fd '%s': expected a file descriptor number", optarg);
				return 2;
			}
			o->notify_fd = (int)fd;
			break;
		case OPT_DHCP6: {
			unsigned int i;

			/* Repeated: several networks, in order of preference. */
			for (i = 0; i < o->n_dhcp6; i++) {
				if (!strcmp(o->dhcp6_devs[i], optarg)) {
					logmsg("--dhcp6 %s given twice", optarg);
					return 2;
				}
			}
			if (o->n_dhcp6 == ODM_MAX_NETS) {
				logmsg("--dhcp6: at most %d networks", ODM_MAX_NETS);
				return 2;
			}
			o->dhcp6_devs[o->n_dhcp6++] = optarg;
			break;
		}
		case OPT_DHCP6_UNTYPED: {
			char why[256];
			unsigned int mask;

			/* Repeated, the lists add up, as --lifetime's do. */
			if (odm_type_list_parse(optarg, &mask, why, sizeof(why))) {
				logmsg("invalid --dhcp6-untyped '%s': %s", optarg, why);
				return 2;
			}
			o->dhcp6_untyped |= mask;
			break;
		}
		case OPT_LEASE_FILE: o->lease_file = optarg; break;
		case OPT_IID:
			if (strcmp(optarg, "random") && strcmp(optarg, "stable")) {
				logmsg("invalid --iid '%s': expected random or stable", optarg);
				return 2;
			}
			o->iid.stable = !strcmp(optarg, "stable");
			break;
		case OPT_SECRET: o->secret_file = optarg; break;
		case OPT_NET_RATE:
			if (parse_uint("net-rate", optarg, 0, 65535, &o->net_per_min))
				return 2;
			break;
		case OPT_SL_LINGER:
			if (parse_uint("sl-linger", optarg, 0, 86400 * 30, &o->sl_linger_s))
				return 2;
			break;
		case OPT_NET_HELD:
			if (parse_uint("net-max-held", optarg, 0, 65535, &o->net_max_held))
				return 2;
			break;
		case OPT_ADDR_MAP:
			if (parse_uint("addr-map-size", optarg, 16, 1 << 20, &o->addr_map_size))
				return 2;
			break;
		case OPT_LIFETIME: {
			char type[96];
			__u8 t;

			if (odm_lifetime_parse(optarg, &o->lifetimes)) {
				logmsg("invalid --lifetime '%s': expected TYPE:SECONDS[:BYTES]", optarg);
				return 2;
			}
			/* Parsed: the type before the ':' is good and short. */
			snprintf(type, sizeof(type), "%.*s", (int)strcspn(optarg, ":"), optarg);
			if (!odm_type_parse(type, false, &t))
				o->lifetime_given |= 1u << t;
			break;
		}
		case OPT_GRACE:
			if (parse_uint("grace", optarg, 1, 86400 * 30, &o->grace_s))
				return 2;
			break;
		case OPT_DHCP6_OPTION:
		case OPT_MAX_RT:
			errno = 0;
			fd = strtol(optarg, &end, 0);
			if (errno || *end || end == optarg || fd < 1 ||
			    fd > (c == OPT_DHCP6_OPTION ? 65535 : 3600000)) {
				logmsg("invalid --%s '%s'", c == OPT_DHCP6_OPTION ? "dhcp6-option" :
				       "dhcp6-max-rt", optarg);
				return 2;
			}
			if (c == OPT_DHCP6_OPTION)
				o->dhcp6_option = (unsigned int)fd;
			else
				o->dhcp6_max_rt_ms = (unsigned int)fd;
			break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		logmsg("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (o->unload && ((o->given & (1u << ODM_OPT_CGROUP)) || o->once)) {
		logmsg("--unload takes only --pin-dir and --config");
		return 2;
	}
	ret = merge_config(o);
	if (ret)
		return ret;
	o->lifetimes.grace_s = o->grace_s;
	o->lifetimes.iid = &o->iid;
	if (!o->unload && !o->cgroup) {
		logmsg("--cgroup PATH is required, or a cgroup line in %s (try odmd --help)",
		       o->config ? o->config : ODM_CONFIG_FILE);
		return 2;
	}
	if (o->pin_dir[0] != '/') {
		logmsg("--pin-dir must be an absolute path, not '%s'", o->pin_dir);
		return 2;
	}
	return 0;
}
