// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * env.c - namespaces, cgroup, odmd, Kea and radvd for the integration tests.
 * See env.h for the picture.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "env.h"
#include "core.h"
#include "odm.h"

#ifndef ODM_BUILD_DIR
#define ODM_BUILD_DIR "build"
#endif

static int vsys_status(char *out, size_t len, const char *fmt, va_list ap)
{
	char cmd[2048], line[512];
	size_t used = 0;
	FILE *f;
	int st;

	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	if (out && len)
		out[0] = '\0';
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		if (out && used + n < len) {
			memcpy(out + used, line, n + 1);
			used += n;
		}
	}
	st = pclose(f);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int sys_status(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int st;

	va_start(ap, fmt);
	st = vsys_status(out, len, fmt, ap);
	va_end(ap);
	return st;
}

bool sys(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "  command failed (%d): %s\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1,
			cmd);
		return false;
	}
	return true;
}

bool sys_out(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	char *nl;
	int st;

	va_start(ap, fmt);
	st = vsys_status(out, len, fmt, ap);
	va_end(ap);
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	return st == 0;
}

bool ns_enter(const char *name)
{
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "  open %s: %s\n", path, strerror(errno));
		return false;
	}
	err = setns(fd, CLONE_NEWNET);
	close(fd);
	if (err)
		fprintf(stderr, "  setns %s: %s\n", name, strerror(errno));
	return err == 0;
}

void ns_restore(struct env *e)
{
	if (setns(e->orig_ns, CLONE_NEWNET))
		fprintf(stderr, "  setns back: %s\n", strerror(errno));
}

bool env_host(struct env *e, const char *fmt, ...)
{
	char cmd[1800];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return sys("nsenter --net=/run/netns/%s %s", e->host_ns, cmd);
}

int env_odm(struct env *e, char *out, size_t len, const char *fmt, ...)
{
	char args[1500];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	return sys_status(out, len, "nsenter --net=/run/netns/%s %s/odm -d %s %s 2>&1", e->host_ns,
			  ODM_BUILD_DIR, e->pin_dir, args);
}

static bool write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return false;
	fputs(text, f);
	return fclose(f) == 0;
}

bool env_setup(struct env *e, const char *config)
{
	static int seq;
	char root[PATH_MAX];
	int n = ++seq, pid = getpid();

	memset(e, 0, sizeof(*e));
	e->odmd = -1;
	e->orig_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	snprintf(e->host_ns, sizeof(e->host_ns), "odmt-h-%d-%d", pid, n);
	snprintf(e->net_ns, sizeof(e->net_ns), "odmt-n-%d-%d", pid, n);
	snprintf(e->pin_dir, sizeof(e->pin_dir), "/sys/fs/bpf/odmt-%d-%d", pid, n);
	snprintf(e->config, sizeof(e->config), "/tmp/odmt-%d-%d.conf", pid, n);
	snprintf(e->tmpdir, sizeof(e->tmpdir), "/tmp/odmt-%d-%d.d", pid, n);
	e->kea = -1;
	e->kea2 = -1;
	e->radvd = -1;
	if (mkdir(e->tmpdir, 0700) && errno != EEXIST)
		return false;
	if (odm_cgroup2_root(root, sizeof(root))) {
		fprintf(stderr, "  no cgroup2 mount\n");
		return false;
	}
	snprintf(e->cgroup, sizeof(e->cgroup), "%s/odmt-%d-%d", root, pid, n);
	if (mkdir(e->cgroup, 0755) && errno != EEXIST) {
		fprintf(stderr, "  mkdir %s: %s\n", e->cgroup, strerror(errno));
		return false;
	}
	if (!write_file(e->config, config ? config : ""))
		return false;
	e->ready = true;
	return sys("ip netns add %s && ip netns add %s", e->host_ns, e->net_ns) &&
	       sys("ip -n %s link add veth-h type veth peer name veth-s netns %s",
		   e->host_ns, e->net_ns) &&
	       sys("ip -n %s link set lo up && ip -n %s link set lo up", e->host_ns, e->net_ns) &&
	       /* Only fe80::1 (no DAD) on the network side: Kea binds to the
		* link-local it finds at start and fails on a tentative one. */
	       sys("ip -n %s link set veth-s addrgenmode none", e->net_ns) &&
	       sys("ip -n %s link set veth-h up && ip -n %s link set veth-s up",
		   e->host_ns, e->net_ns) &&
	       sys("ip -n %s addr add %s/64 dev veth-s nodad && ip -n %s addr add %s/64 dev veth-s nodad"
		   " && ip -n %s addr add %s/24 dev veth-s",
		   e->net_ns, NET_ADDR, e->net_ns, NET_LL, e->net_ns, NET_ADDR4) &&
	       sys("ip -n %s addr add %s/64 dev veth-h nodad && ip -n %s addr add %s/64 dev veth-h nodad"
		   " && ip -n %s addr add %s/24 dev veth-h",
		   e->host_ns, HOST_UNTYPED, e->host_ns, HOST_LL, e->host_ns, HOST_ADDR4) &&
	       /* Replies to every typed prefix of the host go back over the veth. */
	       sys("ip -n %s -6 route add 2001:db8::/32 dev veth-s", e->net_ns);
}

bool env_start_odmd(struct env *e)
{
	char buf[16] = { 0 };
	struct pollfd pfd;
	int pipefd[2];
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		char fdarg[16];

		if (!ns_enter(e->host_ns))
			_exit(127);
		/* The notify end must survive exec; everything else is CLOEXEC. */
		if (dup2(pipefd[1], 3) < 0)
			_exit(127);
		snprintf(fdarg, sizeof(fdarg), "%d", 3);
		{
			char cmd[8192];

			/* through sh for the extra arguments; exec keeps the pid */
			snprintf(cmd, sizeof(cmd), "exec %s/odmd --cgroup '%s' --config '%s' "
				 "--pin-dir '%s' --notify-fd %s %s", ODM_BUILD_DIR, e->cgroup,
				 e->config, e->pin_dir, fdarg, e->odmd_args);
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		_exit(127);
	}
	close(pipefd[1]);
	e->odmd = pid;
	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	if (poll(&pfd, 1, 10000) != 1 || read(pipefd[0], buf, sizeof(buf) - 1) <= 0 ||
	    strcmp(buf, "READY\n")) {
		fprintf(stderr, "  odmd did not get ready\n");
		close(pipefd[0]);
		env_stop_odmd(e, true);
		return false;
	}
	close(pipefd[0]);
	return true;
}

void env_stop_odmd(struct env *e, bool hard)
{
	if (e->odmd <= 0)
		return;
	kill(e->odmd, hard ? SIGKILL : SIGTERM);
	waitpid(e->odmd, NULL, 0);
	e->odmd = -1;
}

/* ---- Kea ---- */

/* Kea's own hook that runs a program at lease events (kea-common's
 * libdhcp_run_script.so, under the multiarch directory) into path. */
static bool kea_run_script(char *path, size_t len)
{
	glob_t g;
	bool ok;

	if (glob("/usr/lib/*/kea/hooks/libdhcp_run_script.so", 0, NULL, &g))
		return false;
	ok = g.gl_pathc > 0 && snprintf(path, len, "%s", g.gl_pathv[0]) < (int)len;
	globfree(&g);
	return ok;
}

long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Whether pid has a UDP socket on port 547: /proc/PID/net/udp6 is the table
 * of that process's network namespace, read without starting a program
 * (under qemu's TCG every nsenter/ss costs a good part of a second).
 */
static bool kea_listening(pid_t pid)
{
	char path[64], line[256];
	unsigned int port;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/net/udp6", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, " %*u: %*32[0-9A-Fa-f]:%x", &port) == 1 && port == 547;
	fclose(f);
	return found;
}

/* The last bytes of dir/name on stderr, each line indented: the test's
 * directory is gone once a guest powers off, its output is not. */
static void print_tail(const char *dir, const char *name)
{
	char path[PATH_MAX], buf[1536], *line, *save;
	size_t n;
	long size;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "re");
	if (!f)
		return;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, size > (long)sizeof(buf) - 1 ? size - (long)sizeof(buf) + 1 : 0, SEEK_SET);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	fprintf(stderr, "  --- %s (last %zu bytes)\n", path, n);
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(stderr, "  | %s\n", line);
}

/*
 * Waits until Kea (pid, started by start_kea()) listens on 547; gives up
 * at once when it exits, after 60 s otherwise (a bound for an emulated
 * guest, where Kea takes about 0.6 s).  On failure says why, with the end of
 * Kea's output and log: the guest's files are gone when it powers off.
 */
static bool kea_wait_ready(pid_t pid, pid_t *kea, const char *dir)
{
	long long t0 = mono_ms(), waited;
	int st;

	for (;;) {
		waited = mono_ms() - t0;
		if (kea_listening(pid)) {
			if (waited > 5000)
				fprintf(stderr, "  kea-dhcp6 listening after %.1f s\n", waited / 1000.0);
			return true;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*kea = -1;
			fprintf(stderr, "  kea-dhcp6 %s %d after %.1f s\n",
				WIFEXITED(st) ? "exited with status" : "killed by signal",
				WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st), waited / 1000.0);
			break;
		}
		if (waited > 60000) {
			fprintf(stderr, "  kea-dhcp6 not listening on 547 after %.1f s\n",
				waited / 1000.0);
			break;
		}
		usleep(20000);
	}
	print_tail(dir, "kea.out");
	print_tail(dir, "kea.log");
	return false;
}

/*
 * Waits (up to 10 s) until every interface of ifaces, a JSON list's inside
 * as Kea reads it ("veth-s", "br0/fe80::1"), is RUNNING in this process's
 * namespace.  Kea opens its sockets once, at start, and skips for good an
 * interface that is not running yet ("DHCPSRV_OPEN_SOCKET_FAIL ... not
 * running"): a veth's operstate follows its carrier through the kernel's
 * linkwatch, up to a second later, longer on a slow or emulated machine.
 */
static bool ifaces_running(const char *ifaces)
{
	const char *p = ifaces;
	int fd, i;

	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	while ((p = strchr(p, '"'))) {
		struct ifreq ifr = { 0 };
		size_t n = strcspn(++p, "\"/");

		if (n == 0 || n >= IF_NAMESIZE)
			break;
		memcpy(ifr.ifr_name, p, n);
		for (i = 0; i < 500; i++) {
			if (ioctl(fd, SIOCGIFFLAGS, &ifr) == 0 && (ifr.ifr_flags & IFF_RUNNING))
				break;
			usleep(20000);
		}
		if (i == 500) {
			fprintf(stderr, "  %s is not running after 10 s: Kea would not listen on it\n",
				ifr.ifr_name);
			close(fd);
			return false;
		}
		p = strchr(p, '"');
		if (!p++)
			break;
	}
	close(fd);
	return true;
}

/*
 * Kea in ns on the interfaces ifaces (a JSON list's inside), its lease
 * file and log in dir.  The subnet is the whole documentation prefix: on
 * one interface it is that interface's (direct clients), otherwise
 * relayed clients select it by their relay's link-address.  script, when
 * not NULL, is run by Kea's run_script hook at every lease event.
 */
static bool start_kea(const char *ns, const char *ifaces, const char *subnet_if, const char *dir,
		      const char *const *pools, const char *script, pid_t *kea)
{
	char path[256];
	FILE *f;
	int i;
	pid_t pid;

	if (mkdir(dir, 0700) && errno != EEXIST)
		return false;
	snprintf(path, sizeof(path), "%s/kea.json", dir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "{ \"Dhcp6\": {\n"
		"  \"interfaces-config\": { \"interfaces\": [ %s ] },\n"
		"  \"server-id\": { \"type\": \"LL\", \"persist\": false },\n"
		"  \"lease-database\": { \"type\": \"memfile\", \"persist\": true,"
		" \"lfc-interval\": 0, \"name\": \"%s/kea-leases6.csv\" },\n"
		"  \"preferred-lifetime\": 3000, \"valid-lifetime\": 4000,\n"
		"  \"renew-timer\": 1000, \"rebind-timer\": 2000,\n"
		"  \"option-data\": [ { \"name\": \"preference\", \"data\": \"255\", \"always-send\": true } ],\n",
		ifaces, dir);
	if (script) {
		char lib[PATH_MAX];

		if (!kea_run_script(lib, sizeof(lib))) {
			fprintf(stderr, "  kea's run_script hook (libdhcp_run_script.so) not found\n");
			fclose(f);
			return false;
		}
		fprintf(f, "  \"hooks-libraries\": [ { \"library\": \"%s\",\n"
			"    \"parameters\": { \"name\": \"%s\", \"sync\": true } } ],\n",
			lib, script);
	}
	fprintf(f, "  \"client-classes\": [\n");
	/* Each class types its grants (top level: all Kea 2.2 can do). */
	for (i = 1; i <= 4; i++)
		fprintf(f, "    { \"name\": \"odm-%d\", \"test\": \"option[65000].hex == 0x0%d\",\n"
			"      \"option-data\": [ { \"code\": 65000, \"space\": \"dhcp6\","
			" \"csv-format\": false, \"data\": \"0%d\",\n"
			"        \"always-send\": true } ] }%s\n",
			i, i, i, i < 4 ? "," : "");
	fprintf(f, "  ],\n  \"subnet6\": [ { \"id\": 1, \"subnet\": \"2001:db8::/32\",%s%s%s\n"
		"    \"pd-pools\": [\n", subnet_if ? " \"interface\": \"" : "",
		subnet_if ? subnet_if : "", subnet_if ? "\"," : "");
	for (i = 0; pools && pools[i]; i++) {
		char prefix[64];
		int wire, plen;

		if (sscanf(pools[i], "%d %63[^/]/%d", &wire, prefix, &plen) != 3) {
			fclose(f);
			return false;
		}
		fprintf(f, "      { \"prefix\": \"%s\", \"prefix-len\": %d, \"delegated-len\": 64,"
			" \"client-class\": \"odm-%d\" }%s\n", prefix, plen, wire,
			pools[i + 1] ? "," : "");
	}
	fprintf(f, "    ] } ],\n"
		"  \"loggers\": [ { \"name\": \"kea-dhcp6\", \"severity\": \"INFO\",\n"
		"    \"output_options\": [ { \"output\": \"%s/kea.log\" } ] } ]\n} }\n", dir);
	if (fclose(f))
		return false;
	mkdir("/run/kea", 0755);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		char out[320];
		int fd;

		if (!ns_enter(ns))
			_exit(127);
		if (!ifaces_running(ifaces))
			_exit(126);
		setenv("KEA_PIDFILE_DIR", dir, 1);
		setenv("KEA_LOCKFILE_DIR", dir, 1);
		/* Kea's own console output goes next to its log. */
		snprintf(out, sizeof(out), "%s/kea.out", dir);
		fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/usr/sbin/kea-dhcp6", "kea-dhcp6", "-c", path, (char *)NULL);
		_exit(127);
	}
	*kea = pid;
	return kea_wait_ready(pid, kea, dir);
}

bool env_start_kea_at(const char *ns, const char *ifname, const char *dir,
		      const char *const *pools, pid_t *kea)
{
	char ifaces[IF_NAMESIZE + 4];

	snprintf(ifaces, sizeof(ifaces), "\"%s\"", ifname);
	return start_kea(ns, ifaces, ifname, dir, pools, NULL, kea);
}

bool env_start_kea_relayed(const char *ns, const char *ifaces, const char *dir,
			   const char *const *pools, const char *script, pid_t *kea)
{
	return start_kea(ns, ifaces, NULL, dir, pools, script, kea);
}

void env_stop_kea_at(pid_t *pid)
{
	if (*pid <= 0)
		return;
	kill(*pid, SIGTERM);
	waitpid(*pid, NULL, 0);
	*pid = -1;
}

bool env_start_kea(struct env *e, const char *const *pools)
{
	return env_start_kea_at(e->net_ns, "veth-s", e->tmpdir, pools, &e->kea);
}

void env_stop_kea(struct env *e)
{
	env_stop_kea_at(&e->kea);
}

bool env_add_net2(struct env *e)
{
	snprintf(e->net2_ns, sizeof(e->net2_ns), "%s-2", e->net_ns);
	return sys("ip netns add %s && ip -n %s link set lo up", e->net2_ns, e->net2_ns) &&
	       sys("ip -n %s link add veth-h2 type veth peer name veth-s2 netns %s", e->host_ns,
		   e->net2_ns) &&
	       /* as on veth-s: one link-local, no DAD, for Kea to bind to */
	       sys("ip -n %s link set veth-s2 addrgenmode none && "
		   "ip -n %s addr add %s/64 dev veth-s2 nodad", e->net2_ns, e->net2_ns, NET_LL) &&
	       sys("ip -n %s link set veth-h2 up && ip -n %s link set veth-s2 up", e->host_ns,
		   e->net2_ns);
}

bool env_start_kea2(struct env *e, const char *const *pools)
{
	char dir[160];

	snprintf(dir, sizeof(dir), "%s/net2", e->tmpdir);
	return env_start_kea_at(e->net2_ns, "veth-s2", dir, pools, &e->kea2);
}

void env_stop_kea2(struct env *e)
{
	env_stop_kea_at(&e->kea2);
}

/* ---- radvd ---- */

bool env_start_radvd(struct env *e, const char *const *prefixes)
{
	char conf[256], log[256], pidf[256];
	FILE *f;
	pid_t pid;
	int i;

	snprintf(conf, sizeof(conf), "%s/radvd.conf", e->tmpdir);
	snprintf(log, sizeof(log), "%s/radvd.log", e->tmpdir);
	snprintf(pidf, sizeof(pidf), "%s/radvd.pid", e->tmpdir);
	f = fopen(conf, "w");
	if (!f)
		return false;
	/* Short intervals so a test waits seconds, not the default 200-600 s. */
	fprintf(f, "interface veth-s {\n\tAdvSendAdvert on;\n"
		"\tMinRtrAdvInterval 3;\n\tMaxRtrAdvInterval 4;\n");
	for (i = 0; prefixes && prefixes[i]; i++)
		fprintf(f, "\tprefix %s { AdvOnLink on; AdvAutonomous on; };\n", prefixes[i]);
	fprintf(f, "};\n");
	if (fclose(f))
		return false;
	if (!sys("nsenter --net=/run/netns/%s sysctl -qw net.ipv6.conf.all.forwarding=1",
		 e->net_ns))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int fd;

		if (!ns_enter(e->net_ns))
			_exit(127);
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execl("/usr/sbin/radvd", "radvd", "-C", conf, "-p", pidf, "-n", "-m", "stderr",
		      (char *)NULL);
		_exit(127);
	}
	e->radvd = pid;
	return true;
}

void env_stop_radvd(struct env *e)
{
	if (e->radvd <= 0)
		return;
	kill(e->radvd, SIGTERM);
	waitpid(e->radvd, NULL, 0);
	e->radvd = -1;
}

int env_kea_leases_at(const char *dir)
{
	char out[64];

	/*
	 * address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,... state.
	 * The memfile appends every change: a prefix is held when its last
	 * line is in state 0 with a valid lifetime (a Release appends the
	 * lease again with valid lifetime 0).
	 */
	if (sys_status(out, sizeof(out), "cat %s/kea-leases6.csv 2>/dev/null | awk -F, '$7 == 2 "
		       "{ held[$1] = ($3 != 0 && $14 == 0) } END { for (p in held) n += held[p]; "
		       "print n + 0 }'", dir))
		return -1;
	return atoi(out);
}

int env_kea_leases(struct env *e)
{
	return env_kea_leases_at(e->tmpdir);
}

int env_kea2_leases(struct env *e)
{
	char dir[160];

	snprintf(dir, sizeof(dir), "%s/net2", e->tmpdir);
	return env_kea_leases_at(dir);
}

void env_teardown(struct env *e)
{
	if (!e->ready)
		return;
	env_stop_kea(e);
	env_stop_kea2(e);
	env_stop_radvd(e);
	env_stop_odmd(e, false);
	sys("%s/odmd --unload --pin-dir %s", ODM_BUILD_DIR, e->pin_dir);
	sys("ip netns del %s; ip netns del %s; true", e->host_ns, e->net_ns);
	if (e->net2_ns[0])
		sys("ip netns del %s; true", e->net2_ns);
	if (rmdir(e->cgroup) && errno != ENOENT)
		fprintf(stderr, "  rmdir %s: %s\n", e->cgroup, strerror(errno));
	unlink(e->config);
	sys("rm -rf '%s'", e->tmpdir);
	if (e->orig_ns >= 0)
		close(e->orig_ns);
	e->ready = false;
}

long long env_sockets_on(struct env *e, const char *addr)
{
	struct odm_maps m;
	struct odm_use use;
	__u32 a[4];
	int err;

	if (odm_addr_parse(addr, a) || odm_maps_open(&m, e->pin_dir))
		return -1;
	err = odm_use_get(&m, a, &use);
	odm_maps_close(&m);
	return err ? -1 : (long long)use.sockets;
}

/* ---- sockaddr helpers ---- */

socklen_t make_sa6(struct sockaddr_storage *ss, const char *addr, int port, const char *ifname_ns,
		   const char *ifname)
{
	struct sockaddr_in6 *sa = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons((unsigned short)port);
	if (inet_pton(AF_INET6, addr, &sa->sin6_addr) != 1)
		return 0;
	if (ifname) {
		/* Scope ids are per netns: resolve inside the namespace. */
		int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);

		if (fd >= 0 && ns_enter(ifname_ns)) {
			sa->sin6_scope_id = if_nametoindex(ifname);
			setns(fd, CLONE_NEWNET);
		}
		if (fd >= 0)
			close(fd);
	}
	return sizeof(*sa);
}

const char *sa_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	if (ss->ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &s6->sin6_addr, buf, (socklen_t)len);
	if (ss->ss_family == AF_INET)
		return inet_ntop(AF_INET, &s4->sin_addr, buf, (socklen_t)len);
	snprintf(buf, len, "(family %d)", ss->ss_family);
	return buf;
}
