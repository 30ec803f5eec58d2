/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * env.h - a throw-away world for one integration test, in the manner of the
 * kernel's cgroup_helpers.c / network_helpers.c:
 *
 *   netns "host" (the mobile host)  <-- veth -->  netns "net" (the peer)
 *   veth-h: typed addresses             veth-s: 2001:db8:ffff::1/64,
 *           2001:db8:ffff::2/64 (untyped,       fe80::1, 192.0.2.2/24
 *           what the kernel picks), fe80::2,
 *           192.0.2.1/24
 *   a cgroup v2 directory odmd attaches to, its own pin directory, odmd.
 *
 * Applications run in an "agent" (agent.h): a child process inside the
 * cgroup and the host netns.  The test process itself plays the peer in
 * the "net" namespace and reports what it saw.
 */
#ifndef ODM_TEST_ENV_H
#define ODM_TEST_ENV_H

#include <stdbool.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#define ENV_NAME_MAX 64

struct env {
	char host_ns[ENV_NAME_MAX];	/* ip netns names */
	char net_ns[ENV_NAME_MAX];
	char cgroup[4200];		/* absolute cgroup v2 path */
	char pin_dir[128];
	char config[128];		/* odmd's config file */
	int orig_ns;			/* the test's own netns */
	char odmd_args[512];		/* extra odmd arguments, e.g. "--dhcp6 veth-h" */
	char tmpdir[128];		/* per-env scratch: Kea config, leases */
	pid_t odmd;
	pid_t kea;
	pid_t radvd;
	char net2_ns[ENV_NAME_MAX + 4];	/* env_add_net2(): a second network, "" without */
	pid_t kea2;
	bool ready;
};

/* Peer-side addresses. */
#define NET_ADDR	"2001:db8:ffff::1"
#define HOST_UNTYPED	"2001:db8:ffff::2"	/* the kernel's choice toward NET_ADDR */
#define NET_LL		"fe80::1"
#define HOST_LL		"fe80::2"
#define NET_ADDR4	"192.0.2.2"
#define HOST_ADDR4	"192.0.2.1"

/* Run a command through sh; a message and false when it fails. */
bool sys(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Like sys(), captures the first line of stdout into out. */
bool sys_out(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Run a command and return its exit status (or -1), output into out (all of it). */
int sys_status(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Milliseconds on the monotonic clock. */
long long mono_ms(void);

/* Build the namespaces, veth, base addresses and the cgroup; write config
 * text to the config file.  odmd is not started. */
bool env_setup(struct env *e, const char *config);
/* Start odmd in the host netns and wait (10 s at most) for READY. */
bool env_start_odmd(struct env *e);
/* SIGKILL (hard) or SIGTERM odmd and reap it. */
void env_stop_odmd(struct env *e, bool hard);
/*
 * Start kea-dhcp6 on veth-s in the net namespace with one pd-pool per
 * class; classes match the top-level continuity option (wire numbering:
 * 1 non-persistent, 2 session-lasting, 3 fixed, 4 graceful).  pools: a
 * NULL-terminated list of "WIRETYPE PREFIX/LEN" (delegated /64s).
 */
bool env_start_kea(struct env *e, const char *const *pools);
void env_stop_kea(struct env *e);
/*
 * The same anywhere: kea-dhcp6 in namespace ns serving ifname (which must
 * have a link-local), its config, leases, log and pid file in dir; its pid
 * into *kea.  For a world of the test's own making, which stops it
 * (env_stop_kea_at) since env_teardown() does not know it.
 */
bool env_start_kea_at(const char *ns, const char *ifname, const char *dir,
		      const char *const *pools, pid_t *kea);
void env_stop_kea_at(pid_t *kea);
/*
 * Kea serving relayed clients only: listening on the interfaces ifaces (a
 * JSON list's inside: "\"a\", \"b\""), the subnet 2001:db8::/32 chosen by
 * the relays' link-address; script (absolute; NULL: none) run by Kea's
 * run_script hook with the hook's name and the lease in its environment.
 */
bool env_start_kea_relayed(const char *ns, const char *ifaces, const char *dir,
			   const char *const *pools, const char *script, pid_t *kea);
/*
 * A second network, for a host on several at once: veth-h2 in the host
 * namespace <-> veth-s2 in its own namespace net2_ns (NET_LL on veth-s2,
 * nothing routed to the peer).  Kea on it (env_start_kea2) keeps its
 * config, leases and log in tmpdir/net2.
 */
bool env_add_net2(struct env *e);
bool env_start_kea2(struct env *e, const char *const *pools);
void env_stop_kea2(struct env *e);
/* env_kea_leases() of the second network's Kea. */
int env_kea2_leases(struct env *e);
/*
 * Start radvd on veth-s in the net namespace (forwarding on there, as radvd
 * requires), advertising every 3-4 s each prefix of the NULL-terminated
 * list ("PREFIX/LEN") with the L and A flags.  Its log is tmpdir/radvd.log.
 */
bool env_start_radvd(struct env *e, const char *const *prefixes);
void env_stop_radvd(struct env *e);
/* Prefixes Kea's lease file shows delegated (type 2) and neither released nor expired. */
int env_kea_leases(struct env *e);
/* The same for the Kea whose directory is dir (env_start_kea_at()). */
int env_kea_leases_at(const char *dir);
/* Stop odmd, unload, remove cgroup, namespaces, files.  Safe to call twice. */
void env_teardown(struct env *e);
/* Run `ip netns exec HOST cmd`. */
bool env_host(struct env *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run the odm CLI on this env's pins in the host netns; status, output in out. */
int env_odm(struct env *e, char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Enter a namespace by name (setns); back with ns_restore. */
bool ns_enter(const char *name);
void ns_restore(struct env *e);
/* Read use counts of an address from the pinned maps (sockets open). */
long long env_sockets_on(struct env *e, const char *addr);

/* Fill a sockaddr_in6 (v6 or "::ffff:a.b.c.d") with port and scope interface. */
socklen_t make_sa6(struct sockaddr_storage *ss, const char *addr, int port, const char *ifname_ns,
		   const char *ifname);
/* Text of the address in a sockaddr (v6 or v4). */
const char *sa_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len);

#endif
