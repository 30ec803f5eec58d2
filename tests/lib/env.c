// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * env.c - namespaces, cgroup, odmd and agents for the integration tests.
 * See env.h for the picture.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
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
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/time.h>
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

bool env_start_kea(struct env *e, const char *const *pools)
{
	char path[256], ready[256];
	FILE *f;
	int i;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/kea.json", e->tmpdir);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "{ \"Dhcp6\": {\n"
		"  \"interfaces-config\": { \"interfaces\": [ \"veth-s\" ] },\n"
		"  \"server-id\": { \"type\": \"LL\", \"persist\": false },\n"
		"  \"lease-database\": { \"type\": \"memfile\", \"persist\": true,"
		" \"lfc-interval\": 0, \"name\": \"%s/kea-leases6.csv\" },\n"
		"  \"preferred-lifetime\": 3000, \"valid-lifetime\": 4000,\n"
		"  \"renew-timer\": 1000, \"rebind-timer\": 2000,\n"
		"  \"option-data\": [ { \"name\": \"preference\", \"data\": \"255\", \"always-send\": true } ],\n"
		"  \"client-classes\": [\n", e->tmpdir);
	/* Each class types its grants (top level: all Kea 2.2 can do). */
	for (i = 1; i <= 4; i++)
		fprintf(f, "    { \"name\": \"odm-%d\", \"test\": \"option[65000].hex == 0x0%d\",\n"
			"      \"option-data\": [ { \"code\": 65000, \"space\": \"dhcp6\","
			" \"csv-format\": false, \"data\": \"0%d\",\n"
			"        \"always-send\": true } ] }%s\n",
			i, i, i, i < 4 ? "," : "");
	fprintf(f, "  ],\n  \"subnet6\": [ { \"id\": 1, \"subnet\": \"2001:db8::/32\", \"interface\": \"veth-s\",\n"
		"    \"pd-pools\": [\n");
	for (i = 0; pools && pools[i]; i++) {
		char prefix[64];
		int wire, plen;

		if (sscanf(pools[i], "%d %63[^/]/%d", &wire, prefix, &plen) != 3)
			return false;
		fprintf(f, "      { \"prefix\": \"%s\", \"prefix-len\": %d, \"delegated-len\": 64,"
			" \"client-class\": \"odm-%d\" }%s\n", prefix, plen, wire,
			pools[i + 1] ? "," : "");
	}
	fprintf(f, "    ] } ],\n"
		"  \"loggers\": [ { \"name\": \"kea-dhcp6\", \"severity\": \"INFO\",\n"
		"    \"output_options\": [ { \"output\": \"%s/kea.log\" } ] } ]\n} }\n", e->tmpdir);
	if (fclose(f))
		return false;
	mkdir("/run/kea", 0755);
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		char env_dir[300];

		if (!ns_enter(e->net_ns))
			_exit(127);
		snprintf(env_dir, sizeof(env_dir), "%s", e->tmpdir);
		setenv("KEA_PIDFILE_DIR", env_dir, 1);
		setenv("KEA_LOCKFILE_DIR", env_dir, 1);
		{
			char out[320];
			int fd;

			/* Kea's own console output goes next to its log. */
			snprintf(out, sizeof(out), "%s/kea.out", env_dir);
			fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
			if (fd >= 0) {
				dup2(fd, 1);
				dup2(fd, 2);
			}
		}
		execl("/usr/sbin/kea-dhcp6", "kea-dhcp6", "-c", path, (char *)NULL);
		_exit(127);
	}
	e->kea = pid;
	/* Ready once it listens on 547 in the net namespace. */
	for (i = 0; i < 100; i++) {
		if (sys_status(ready, sizeof(ready), "nsenter --net=/run/netns/%s ss -Hlun 'sport = :547'"
			       " | grep -c 547", e->net_ns) == 0 && atoi(ready) > 0)
			return true;
		usleep(50000);
	}
	fprintf(stderr, "  kea-dhcp6 did not start (see %s/kea.log)\n", e->tmpdir);
	return false;
}

void env_stop_kea(struct env *e)
{
	if (e->kea <= 0)
		return;
	kill(e->kea, SIGTERM);
	waitpid(e->kea, NULL, 0);
	e->kea = -1;
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

int env_kea_leases(struct env *e)
{
	char out[64];

	/* address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,... state */
	if (sys_status(out, sizeof(out), "awk -F, '$7 == 2 && $14 == 0' %s/kea-leases6.csv | "
		       "cut -d, -f1 | sort -u | wc -l", e->tmpdir))
		return -1;
	return atoi(out);
}

void env_teardown(struct env *e)
{
	if (!e->ready)
		return;
	env_stop_kea(e);
	env_stop_radvd(e);
	env_stop_odmd(e, false);
	sys("%s/odmd --unload --pin-dir %s", ODM_BUILD_DIR, e->pin_dir);
	sys("ip netns del %s; ip netns del %s; true", e->host_ns, e->net_ns);
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

/* ---- the agent ---- */

#define AGENT_MAX_SOCKS 64

static bool join_cgroup(const char *cgroup);

struct stress_arg {
	const struct agent_req *req;
	int ok, failed;
};

/* One stress thread: sockets opened, typed, connected and closed. */
static void *stress_thread(void *p)
{
	struct stress_arg *a = p;
	int i;

	for (i = 0; i < a->req->id; i++) {
		struct in6_addr addr;
		int s = socket(AF_INET6, SOCK_DGRAM, 0);

		if (s < 0) {
			a->failed++;
			continue;
		}
		if (setsc(s, &addr, (sc_type)(1 + i % 3)) == 0 &&
		    connect(s, (const struct sockaddr *)&a->req->sa, a->req->salen) == 0)
			a->ok++;
		else
			a->failed++;
		close(s);
	}
	return NULL;
}

static long long mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* AG_SETSC_WAIT: what an event loop does with a pending request. */
static void agent_setsc_wait(struct setsc_req **pending, int bound_ms, struct agent_resp *resp)
{
	long long end = mono_ms() + bound_ms;
	int fd = setsc_req_fd(*pending);

	resp->ret = EAI_INPROGRESS;
	while (resp->ret == EAI_INPROGRESS) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		long long left = end - mono_ms();

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			resp->err = ETIMEDOUT;
			setsc_cancel(*pending);
			break;
		}
		resp->ret = setsc_finish(*pending, &resp->addr);
		if (resp->ret == EAI_INPROGRESS) {
			resp->arg++;
			/* Applications register the descriptor once. */
			if (setsc_req_fd(*pending) != fd)
				resp->err = EBADFD;
		}
	}
	*pending = NULL;
}

static void agent_serve(int fd)
{
	struct setsc_req *pending = NULL;
	int socks[AGENT_MAX_SOCKS];
	struct agent_req req;
	struct agent_resp resp;
	int i;

	for (i = 0; i < AGENT_MAX_SOCKS; i++)
		socks[i] = -1;
	while (read(fd, &req, sizeof(req)) == sizeof(req)) {
		int s = (req.id >= 0 && req.id < AGENT_MAX_SOCKS) ? socks[req.id] : -1;
		socklen_t len = sizeof(resp.local);

		memset(&resp, 0, sizeof(resp));
		errno = 0;
		switch (req.op) {
		case AG_SOCKET:
			for (i = 0; i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = -1;
			if (i < AGENT_MAX_SOCKS) {
				socks[i] = socket(req.family ? req.family : AF_INET6, req.arg, 0);
				resp.ret = socks[i] >= 0 ? i : -1;
				if (socks[i] >= 0) {
					/* A broken path fails the test in 5 s, not after
					 * TCP's two minutes of SYN retries. */
					struct timeval tv = { .tv_sec = 5 };

					setsockopt(socks[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
					setsockopt(socks[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
				}
			}
			break;
		case AG_SETSC:
			/* A setsc() that never returns fails the test, not hangs it. */
			alarm(15);
			resp.ret = setsc(s, &resp.addr, (sc_type)req.arg);
			alarm(0);
			break;
		case AG_SETSC_START: {
			struct setsc_opts opts = { .sz = sizeof(opts), .timeout_ms = req.arg };
			long long t0 = mono_ms();

			setsc_cancel(pending);
			pending = NULL;
			alarm(5);
			resp.ret = setsc_start(s, (sc_type)req.family, &opts, &pending);
			alarm(0);
			resp.arg = (int)(mono_ms() - t0);
			resp.err = resp.ret ? errno : 0;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_SETSC_WAIT:
			if (pending)
				agent_setsc_wait(&pending, req.arg, &resp);
			else
				resp.err = ENOENT;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		case AG_BIND:
			resp.ret = bind(s, (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_CONNECT:
			resp.ret = connect(s, (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_SENDTO:
			resp.ret = (int)sendto(s, req.payload, strlen(req.payload), 0,
					       (struct sockaddr *)&req.sa, req.salen);
			break;
		case AG_SEND:
			resp.ret = (int)send(s, req.payload, strlen(req.payload), MSG_NOSIGNAL);
			break;
		case AG_CLOSE:
			resp.ret = close(s);
			if (req.id >= 0 && req.id < AGENT_MAX_SOCKS)
				socks[req.id] = -1;
			break;
		case AG_SETPREFS:
			resp.ret = setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &req.arg,
					      sizeof(req.arg));
			break;
		case AG_SETPREFS_BIG: {
			static char big[3 * 4096];	/* child-only scratch */

			memset(big, 0, sizeof(big));
			memcpy(big, &req.arg, sizeof(req.arg));
			resp.ret = setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, big,
					      sizeof(big));
			break;
		}
		case AG_SC_RAW: {
			/* What libodm sends, hint and all: a test can play the
			 * answer of any odmd, impostors included. */
			struct odm_sc_req sc = { .version = ODM_SOCKOPT_VERSION,
						 .type = (__u8)req.arg };
			struct odm_sc_result res = { 0 };
			socklen_t rlen = sizeof(res);

			if (req.salen)
				memcpy(sc.hint, &((struct sockaddr_in6 *)&req.sa)->sin6_addr,
				       sizeof(sc.hint));
			resp.ret = setsockopt(s, IPPROTO_IPV6, ODM_SO_SC_TYPE, &sc, sizeof(sc));
			if (!resp.ret)
				resp.ret = getsockopt(s, IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &rlen);
			resp.arg = res.status;
			memcpy(&resp.addr, res.addr, sizeof(resp.addr));
			break;
		}
		case AG_GETPREFS: {
			socklen_t olen = sizeof(resp.arg);

			resp.ret = getsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &resp.arg,
					      &olen);
			break;
		}
		case AG_LISTEN:
			resp.ret = bind(s, (struct sockaddr *)&req.sa, req.salen);
			if (!resp.ret)
				resp.ret = listen(s, 16);
			break;
		case AG_ACCEPT: {
			socklen_t plen = sizeof(resp.peer);
			int c = accept(s, (struct sockaddr *)&resp.peer, &plen);

			for (i = 0; c >= 0 && i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = -1;
			if (c >= 0 && i < AGENT_MAX_SOCKS) {
				socks[i] = c;
				resp.ret = i;
				s = c;
			}
			break;
		}
		case AG_RECV: {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			char buf[256];

			/* 3 s at most: a lost path must fail the test, not hang it */
			resp.ret = poll(&pfd, 1, 3000) == 1 ? (int)recv(s, buf, sizeof(buf), 0) : -1;
			if (resp.ret < 0 && !errno)
				errno = ETIMEDOUT;
			break;
		}
		case AG_BIGOPT: {
			static char big[3 * 4096];	/* child-only scratch */
			socklen_t olen = sizeof(big);
			int val = 65536;

			memset(big, 0, sizeof(big));
			memcpy(big, &val, sizeof(val));
			resp.ret = setsockopt(s, SOL_SOCKET, SO_RCVBUF, big, sizeof(big));
			if (!resp.ret)
				resp.ret = getsockopt(s, IPPROTO_TCP, TCP_INFO, big, &olen);
			resp.local.ss_family = (sa_family_t)olen;
			olen = sizeof(resp.arg);
			if (!resp.ret)
				resp.ret = getsockopt(s, SOL_SOCKET, SO_RCVBUF, &resp.arg, &olen);
			resp.err = resp.ret < 0 ? errno : 0;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_SETSC_MANY: {
			int fds[32], n = req.arg < 32 ? req.arg : 32, k, distinct = 0;
			struct setsc_req *rq[32];
			struct in6_addr got[32];

			resp.ret = 0;
			for (k = 0; k < n; k++) {
				fds[k] = socket(AF_INET6, SOCK_STREAM, 0);
				if (!strcmp(req.payload, "on-net"))
					setsockopt(fds[k], IPPROTO_IPV6, IPV6_ADDR_PREFERENCES,
						   &(int){ IPV6_REQUIRE_SRC_ON_NET }, sizeof(int));
				if (setsc_start(fds[k], (sc_type)req.id, NULL, &rq[k]))
					rq[k] = NULL;
			}
			for (k = 0; k < n; k++) {
				struct pollfd pfd = { .fd = setsc_req_fd(rq[k]), .events = POLLIN };
				int rc = EAI_INPROGRESS;

				while (rq[k] && rc == EAI_INPROGRESS) {
					poll(&pfd, 1, 1000);
					rc = setsc_finish(rq[k], &got[resp.ret]);
				}
				if (rc == 0) {
					int j;

					for (j = 0; j < resp.ret; j++)
						if (!memcmp(&got[j], &got[resp.ret], sizeof(got[j])))
							break;
					distinct += j == resp.ret;
					resp.ret++;
				}
				close(fds[k]);
			}
			if (resp.ret)
				resp.addr = got[0];
			resp.arg = distinct;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_JOIN:
			resp.ret = join_cgroup(req.payload) ? 0 : -1;
			break;
		case AG_STRESS: {
			pthread_t th[16];
			struct stress_arg sa[16];
			int n = req.arg > 16 ? 16 : req.arg, k;

			for (k = 0; k < n; k++) {
				sa[k] = (struct stress_arg){ .req = &req };
				pthread_create(&th[k], NULL, stress_thread, &sa[k]);
			}
			resp.ret = resp.err = 0;
			for (k = 0; k < n; k++) {
				pthread_join(th[k], NULL);
				resp.ret += sa[k].ok;
				resp.err += sa[k].failed;
			}
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_WATCH_OPEN: {
			int w = setsc_watch_open();

			for (i = 0; w >= 0 && i < AGENT_MAX_SOCKS && socks[i] >= 0; i++)
				;
			resp.ret = w < 0 ? w : i < AGENT_MAX_SOCKS ? i : -EMFILE;
			if (w >= 0 && i < AGENT_MAX_SOCKS)
				socks[i] = w;
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_WATCH_READ: {
			struct pollfd pfd = { .fd = s, .events = POLLIN };
			struct setsc_replacement ev;
			struct sockaddr_in6 *nsa = (struct sockaddr_in6 *)&resp.local;

			resp.ret = poll(&pfd, 1, 5000) == 1 ? setsc_watch_read(s, &ev) : -ETIMEDOUT;
			resp.err = resp.ret < 0 ? -resp.ret : 0;
			if (resp.ret == 0) {
				resp.addr = ev.old_addr;
				nsa->sin6_family = AF_INET6;
				nsa->sin6_addr = ev.new_addr;
				resp.arg = (int)ev.grace_s;
			}
			if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
				_exit(1);
			continue;
		}
		case AG_EXIT:
			_exit(0);
		default:
			resp.ret = -1;
			errno = EINVAL;
		}
		resp.err = resp.ret < 0 ? errno : 0;
		if (s >= 0)
			getsockname(s, (struct sockaddr *)&resp.local, &len);
		if (write(fd, &resp, sizeof(resp)) != sizeof(resp))
			_exit(1);
	}
	_exit(0);
}

static bool join_cgroup(const char *cgroup)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	f = fopen(path, "w");
	if (!f)
		return false;
	fprintf(f, "%d\n", getpid());
	return fclose(f) == 0;
}

bool agent_start(struct env *e, struct agent *a, const char *cgroup, uid_t uid)
{
	int sv[2];
	char ok;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return false;
	pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		close(sv[0]);
		if ((cgroup && !join_cgroup(cgroup)) || !ns_enter(e->host_ns))
			_exit(127);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(127);
		ok = 1;
		if (write(sv[1], &ok, 1) != 1)
			_exit(127);
		agent_serve(sv[1]);
	}
	close(sv[1]);
	a->pid = pid;
	a->fd = sv[0];
	if (read(a->fd, &ok, 1) != 1) {
		fprintf(stderr, "  agent failed to start\n");
		agent_stop(a);
		return false;
	}
	return true;
}

bool agent_send(struct agent *a, const struct agent_req *req)
{
	if (write(a->fd, req, sizeof(*req)) != sizeof(*req)) {
		fprintf(stderr, "  agent call %d failed\n", req->op);
		return false;
	}
	return true;
}

bool agent_recv(struct agent *a, int op, struct agent_resp *resp)
{
	if (read(a->fd, resp, sizeof(*resp)) != sizeof(*resp)) {
		fprintf(stderr, "  agent call %d failed\n", op);
		return false;
	}
	return true;
}

bool agent_call(struct agent *a, const struct agent_req *req, struct agent_resp *resp)
{
	return agent_send(a, req) && agent_recv(a, req->op, resp);
}

void agent_stop(struct agent *a)
{
	if (a->pid <= 0)
		return;
	close(a->fd);
	kill(a->pid, SIGKILL);
	waitpid(a->pid, NULL, 0);
	a->pid = -1;
}
