// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * odm_bench.c - what odm costs, against no odm and against what users would
 * do instead, as ratios measured in one run.
 *
 *	odm-bench [--quick] [--rounds N] [--json FILE] [--dat FILE] [--preload SO]
 *
 * The world is the integration tests' (tests/lib/env.h): a host and a
 * peer namespace joined by a veth, 2001:db8::/32 only, odmd on its own
 * cgroup and pin directory.  The benchmark moves itself between three
 * cgroups, since a socket belongs to the cgroup of the process creating it:
 * "plain" (no odm ever attached), odm's cgroup, and the one it came from.
 *
 * Every round runs all modes in the same order (no odm loaded, odm on
 * another cgroup, odm on ours), unloading odmd at the end of the round, so
 * drift of the machine (frequency, other tenants) hits every mode alike.
 * A figure is a ratio within one round; the table shows its median with
 * min..max over the rounds.  Each measurement is the fastest of a few
 * batches of N operations timed with CLOCK_MONOTONIC, N sized for ~10 ms,
 * after one untimed batch.
 *
 * Prints "N passed, N failed": passed = figures measured, failed = figures
 * that errored out.  A missed target is a result, not a failure.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/perf_event.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "env.h"
#include "core.h"
#include "odm.h"

#ifndef ODM_BUILD_DIR
#define ODM_BUILD_DIR	"build"
#endif

#define TYPED_ADDR	"2001:db8:1::10"	/* host address of the one valid prefix */
#define UDP_PORT	7			/* the peer's sink */
#define TCP_PORT	5001			/* the host's own listener */
#define MAX_ROUNDS	64
#define BATCH_NS	10000000.0		/* aim of one timed batch */
#define BIG_SOCKETS	100000

static const char base_config[] =
	"# odm-bench: one valid prefix (TYPED_ADDR); the benchmark adds the others\n"
	"prefix 2001:db8:1::/64 type session-lasting dev veth-h\n";

/* Steps of the prefix and socket scaling curves (the plot's x axes). */
static const int prefix_steps[] = { 16, 256, 1024, 4096 };
static const int socket_steps[] = { 100, 1000, 10000, BIG_SOCKETS };
#define N_PSTEPS (int)(sizeof(prefix_steps) / sizeof(prefix_steps[0]))
#define N_SSTEPS (int)(sizeof(socket_steps) / sizeof(socket_steps[0]))

static volatile sig_atomic_t stop;

/* ---- the world ---------------------------------------------------------- */

static struct env env;
static char cg_plain[PATH_MAX + 64];
static char cg_home[2 * PATH_MAX];
static char cg_floor[PATH_MAX + 64];
static bool odm_loaded;
static int listen_fd = -1;
static pthread_t acceptor;
static bool acceptor_running;
static int sink_fd = -1;
static struct sockaddr_in6 dst_udp, dst_tcp, src_typed;
static int (*shim_connect)(int, const struct sockaddr *, socklen_t);
static void *shim;

static void holders_stop(void);

static int cg_enter(const char *cg)
{
	char path[2 * PATH_MAX + 16];
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f, "%d\n", getpid());
	err = fclose(f) ? -errno : 0;
	if (err)
		fprintf(stderr, "odm-bench: cannot move into %s: %s\n", cg, strerror(-err));
	return err;
}

/* The cgroup2 directory this process started in, to go back to it. */
static int cg_find_home(void)
{
	char root[PATH_MAX], line[PATH_MAX];
	FILE *f;
	int err = -ENOENT;

	if (odm_cgroup2_root(root, sizeof(root)))
		return -ENOENT;
	f = fopen("/proc/self/cgroup", "r");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(cg_home, sizeof(cg_home), "%s%s", root,
			 strcmp(line + 3, "/") ? line + 3 : "");
		err = 0;
	}
	fclose(f);
	return err;
}

static void *accept_loop(void *arg)
{
	for (;;) {
		int fd = accept(listen_fd, NULL, NULL);

		if (fd >= 0)
			close(fd);
		else if (errno != EINTR && errno != ECONNABORTED)
			return NULL;
	}
}

static bool odm_load(void)
{
	if (cg_enter(cg_home))
		return false;
	/* odmd is forked from here and must not run in a measured cgroup. */
	odm_loaded = env_start_odmd(&env);
	/* odmd's first sync runs right after READY: let it finish. */
	usleep(200000);
	return odm_loaded;
}

static void odm_unload(void)
{
	if (!odm_loaded)
		return;
	env_stop_odmd(&env, false);
	sys("%s/odmd --unload --pin-dir %s", ODM_BUILD_DIR, env.pin_dir);
	odm_loaded = false;
	/* 100000 sockets were just closed: their RCU frees run in the background
	 * and would land on the next round's first mode. */
	usleep(300000);
}

static socklen_t sa6(struct sockaddr_in6 *sa, const char *addr, int port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &sa->sin6_addr);
	return sizeof(*sa);
}

/*
 * The kernel's floor: what any cgroup socket-option program costs before
 * it does anything.  The kernel copies the option in, locks the socket,
 * runs the program array, and for getsockopt() copies the answer out.
 * floor_prog() is three or four instructions: optlen 0 ("nothing changed",
 * as odm passes the options it does not own) and for getsockopt retval 0,
 * so that getsockopt(ODM_SOL) is answered as setsc()'s call is.  Attached,
 * from raw instructions, to a cgroup of its own (cg_floor); figures 6d, 6e
 * and 3g are measured there, and odm's figure less the floor is odm's own
 * work.
 */
static int floor_prog(enum bpf_attach_type at)
{
	struct bpf_insn insns[] = {
		/* r2 = 0; ctx->optlen = r2; ctx->retval = r2; r0 = 1; exit */
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = 0 },
		{ .code = BPF_STX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
		  .off = offsetof(struct bpf_sockopt, optlen) },
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 1 },
		{ .code = BPF_JMP | BPF_EXIT },
		{ 0 },
	};
	LIBBPF_OPTS(bpf_prog_load_opts, opts, .expected_attach_type = at);
	int n = 4, fd, cg, err;

	if (at == BPF_CGROUP_GETSOCKOPT) {
		/* retval is a getsockopt program's only: inserted after optlen */
		memmove(&insns[3], &insns[2], 2 * sizeof(insns[0]));
		insns[2] = (struct bpf_insn){ .code = BPF_STX | BPF_MEM | BPF_W,
					      .dst_reg = BPF_REG_1, .src_reg = BPF_REG_2,
					      .off = offsetof(struct bpf_sockopt, retval) };
		n = 5;
	}
	fd = bpf_prog_load(BPF_PROG_TYPE_CGROUP_SOCKOPT, "odmb_floor", "GPL", insns, n, &opts);
	if (fd < 0)
		return -errno;
	cg = open(cg_floor, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	err = cg < 0 || bpf_prog_attach(fd, cg, at, 0) ? -errno : 0;
	if (cg >= 0)
		close(cg);
	close(fd);	/* the attachment holds the program until the cgroup goes */
	return err;
}

static bool world_setup(const char *preload)
{
	char root[PATH_MAX];
	int one = 1;

	if (!env_setup(&env, base_config))
		return false;
	if (!env_host(&env, "ip addr add %s/64 dev veth-h nodad", TYPED_ADDR) ||
	    !env_host(&env, "sh -c 'sysctl -qw net.ipv4.ip_local_port_range=\"1024 65535\" "
			    "net.ipv4.tcp_tw_reuse=1'"))
		return false;
	if (odm_cgroup2_root(root, sizeof(root)) || cg_find_home())
		return false;
	snprintf(cg_plain, sizeof(cg_plain), "%s/odmb-%d-plain", root, getpid());
	if (mkdir(cg_plain, 0755) && errno != EEXIST)
		return false;
	snprintf(cg_floor, sizeof(cg_floor), "%s/odmb-%d-floor", root, getpid());
	if (mkdir(cg_floor, 0755) && errno != EEXIST)
		return false;
	if (floor_prog(BPF_CGROUP_SETSOCKOPT) || floor_prog(BPF_CGROUP_GETSOCKOPT)) {
		fprintf(stderr, "odm-bench: cannot attach the floor programs: %s\n",
			strerror(errno));
		return false;
	}

	/* The peer's sink: datagrams are dropped when its buffer is full, with
	 * no ICMP errors coming back to muddy the sender's timing. */
	if (!ns_enter(env.net_ns))
		return false;
	sink_fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sa6(&dst_udp, "::", UDP_PORT);
	if (sink_fd < 0 || bind(sink_fd, (struct sockaddr *)&dst_udp, sizeof(dst_udp)))
		return false;

	/* From here on every socket is created in the host namespace. */
	if (!ns_enter(env.host_ns))
		return false;
	listen_fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	sa6(&dst_tcp, "::", TCP_PORT);
	if (listen_fd < 0 || setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(listen_fd, (struct sockaddr *)&dst_tcp, sizeof(dst_tcp)) ||
	    listen(listen_fd, 4096))
		return false;
	if (pthread_create(&acceptor, NULL, accept_loop, NULL))
		return false;
	acceptor_running = true;

	sa6(&dst_udp, NET_ADDR, UDP_PORT);
	sa6(&dst_tcp, HOST_UNTYPED, TCP_PORT);
	sa6(&src_typed, TYPED_ADDR, 0);

	setenv("ODM_PRELOAD_SRC", TYPED_ADDR, 1);
	shim = dlopen(preload, RTLD_NOW | RTLD_LOCAL);
	if (shim)
		shim_connect = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(shim,
										       "connect");
	if (!shim_connect)
		fprintf(stderr, "odm-bench: no LD_PRELOAD baseline: %s\n", dlerror());
	return true;
}

static void world_teardown(void)
{
	holders_stop();
	if (cg_home[0])
		cg_enter(cg_home);
	if (acceptor_running) {
		shutdown(listen_fd, SHUT_RDWR);
		pthread_join(acceptor, NULL);
	}
	if (listen_fd >= 0)
		close(listen_fd);
	if (sink_fd >= 0)
		close(sink_fd);
	if (shim)
		dlclose(shim);
	odm_unload();
	if (env.ready)
		ns_restore(&env);
	env_teardown(&env);
	if (cg_plain[0] && rmdir(cg_plain) && errno != ENOENT)
		fprintf(stderr, "odm-bench: rmdir %s: %s\n", cg_plain, strerror(errno));
	if (cg_floor[0] && rmdir(cg_floor) && errno != ENOENT)
		fprintf(stderr, "odm-bench: rmdir %s: %s\n", cg_floor, strerror(errno));
}

/* ---- timing --------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

/*
 * The CPU view beside wall time (figures 1, 2, 3, 6): a counter of this
 * thread only, read around each batch.  Instructions retired when the
 * PMU can count them (the cost of the code itself, blind to other
 * tenants); otherwise task-clock, this thread's time on a CPU, which at
 * least leaves out the time other tasks of the guest held it.  This VM
 * has no PMU ("PMU not available due to virtualization"): task-clock.
 */
static int cpu_fd = -1;
static const char *cpu_unit = "ns";		/* of the CPU view */
static const char *cpu_name = "none";

static int perf_open(__u32 type, __u64 config)
{
	struct perf_event_attr a;

	memset(&a, 0, sizeof(a));
	a.size = sizeof(a);
	a.type = type;
	a.config = config;
	a.exclude_hv = 1;
	return (int)syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void cpu_counter_open(void)
{
	cpu_fd = perf_open(PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS);
	if (cpu_fd >= 0) {
		cpu_unit = "instr";
		cpu_name = "instructions";
		return;
	}
	cpu_fd = perf_open(PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK);
	if (cpu_fd >= 0) {
		cpu_unit = "ns";
		cpu_name = "task-clock";
	}
}

static double cpu_now(void)
{
	__u64 v = 0;

	if (cpu_fd < 0 || read(cpu_fd, &v, sizeof(v)) != sizeof(v))
		return 0;
	return (double)v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double tmp[MAX_ROUNDS * 4];

	if (n <= 0)
		return 0;
	memcpy(tmp, v, n * sizeof(*v));
	qsort(tmp, n, sizeof(*tmp), cmp_double);
	return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

static double vmin(const double *v, int n);
static int batches = 5;

enum op {
	OP_UDP_CONNECT,		/* connect() of fresh UDP sockets */
	OP_UDP_TYPED_CONNECT,	/* same, each typed by setsc() beforehand (untimed) */
	OP_UDP_SETSC_CONNECT,	/* setsc() + connect() */
	OP_UDP_BIND_CONNECT,	/* bind(TYPED_ADDR) + connect() */
	OP_UDP_SHIM_CONNECT,	/* the LD_PRELOAD shim's connect() */
	OP_SETSC,		/* setsc() alone */
	OP_SC_RAW,		/* setsc()'s one getsockopt(), without libodm */
	OP_UDP_PREBOUND_CONNECT,	/* connect() after bind(TYPED_ADDR), IP_BIND_ADDRESS_NO_PORT */
	OP_TCP_CYCLE,		/* socket, connect, close */
	OP_TCP_SETSC_CYCLE,	/* socket, setsc, connect, close */
	OP_TCP_BIND_CYCLE,	/* socket, bind, connect, close */
	OP_SENDTO,		/* sendto() on one unbound UDP socket */
	OP_SENDTO_TYPED,	/* same, typed by setsc() */
	OP_SETSOCKOPT,		/* setsockopt(SO_PRIORITY) */
	OP_SC_TWO,		/* the two socket options libodm made before the one call */
	OP_GETSOCKOPT,		/* getsockopt(SO_PRIORITY) */
	OP_SC_FLOOR,		/* getsockopt(ODM_SOL) of fresh sockets, answered by floor_prog() */
	OP_MAX,
};

/* Operations per batch, ~10 ms each on a 2 vCPU VM; the same N in every mode. */
static const int op_n[OP_MAX] = {
	[OP_UDP_CONNECT] = 4000, [OP_UDP_TYPED_CONNECT] = 4000, [OP_UDP_SETSC_CONNECT] = 4000,
	[OP_UDP_BIND_CONNECT] = 4000, [OP_UDP_SHIM_CONNECT] = 4000, [OP_SETSC] = 10000,
	[OP_SC_RAW] = 10000, [OP_UDP_PREBOUND_CONNECT] = 4000,
	[OP_TCP_CYCLE] = 400, [OP_TCP_SETSC_CYCLE] = 400, [OP_TCP_BIND_CYCLE] = 400,
	[OP_SENDTO] = 8000, [OP_SENDTO_TYPED] = 8000, [OP_SETSOCKOPT] = 30000,
	[OP_SC_TWO] = 10000, [OP_GETSOCKOPT] = 30000, [OP_SC_FLOOR] = 10000,
};

static int udp_socket(bool typed)
{
	struct in6_addr a;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int err;

	if (fd >= 0 && typed && (err = setsc(fd, &a, SESSION_LASTING_IPV6_ADDRESS))) {
		fprintf(stderr, "odm-bench: setsc: %s (%s)\n", setsc_strerror(err), strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int fds_open(int *fds, int n, bool typed)
{
	int i;

	for (i = 0; i < n; i++) {
		fds[i] = udp_socket(typed);
		if (fds[i] < 0) {
			while (i--)
				close(fds[i]);
			return -1;
		}
	}
	return 0;
}

static void fds_close(int *fds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		close(fds[i]);
}

static int tcp_cycle(enum op op)
{
	struct in6_addr a;
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int err = 0;

	if (fd < 0)
		return -1;
	if (op == OP_TCP_SETSC_CYCLE)
		err = setsc(fd, &a, SESSION_LASTING_IPV6_ADDRESS);
	else if (op == OP_TCP_BIND_CYCLE)
		err = bind(fd, (struct sockaddr *)&src_typed, sizeof(src_typed));
	if (!err)
		err = connect(fd, (struct sockaddr *)&dst_tcp, sizeof(dst_tcp));
	close(fd);
	return err ? -1 : 0;
}

/* One timed batch of n operations: ns per operation, or < 0 on error. */
static double batch(enum op op, int n, int *fds, double *cpu)
{
	double c0;
	bool typed = op == OP_UDP_TYPED_CONNECT || op == OP_SENDTO_TYPED;
	struct in6_addr a;
	char payload[64] = { 0 };
	double t0, t = -1;
	int i, err = 0, fd = -1;

	switch (op) {
	case OP_UDP_CONNECT:
	case OP_UDP_TYPED_CONNECT:
	case OP_UDP_SETSC_CONNECT:
	case OP_UDP_BIND_CONNECT:
	case OP_UDP_SHIM_CONNECT:
	case OP_SETSC:
	case OP_SC_RAW:
	case OP_SC_TWO:
	case OP_SC_FLOOR:
		if (fds_open(fds, n, typed))
			return -1;
		break;
	case OP_UDP_PREBOUND_CONNECT:
		if (fds_open(fds, n, false))
			return -1;
		for (i = 0; i < n; i++) {
			int one = 1;

			/* The port is picked at connect(), as after odm's bpf_bind(). */
			if (setsockopt(fds[i], IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one,
				       sizeof(one)) ||
			    bind(fds[i], (struct sockaddr *)&src_typed, sizeof(src_typed))) {
				fds_close(fds, n);
				return -1;
			}
		}
		break;
	case OP_SENDTO:
	case OP_SENDTO_TYPED:
	case OP_SETSOCKOPT:
	case OP_GETSOCKOPT:
		fd = udp_socket(typed);
		if (fd < 0)
			return -1;
		break;
	default:
		break;
	}

	c0 = cpu_now();
	t0 = now_ns();
	for (i = 0; i < n && !err; i++) {
		switch (op) {
		case OP_UDP_CONNECT:
		case OP_UDP_TYPED_CONNECT:
		case OP_UDP_PREBOUND_CONNECT:
			err = connect(fds[i], (struct sockaddr *)&dst_udp, sizeof(dst_udp));
			break;
		case OP_UDP_SETSC_CONNECT:
			err = setsc(fds[i], &a, SESSION_LASTING_IPV6_ADDRESS) ||
			      connect(fds[i], (struct sockaddr *)&dst_udp, sizeof(dst_udp));
			break;
		case OP_UDP_BIND_CONNECT:
			err = bind(fds[i], (struct sockaddr *)&src_typed, sizeof(src_typed)) ||
			      connect(fds[i], (struct sockaddr *)&dst_udp, sizeof(dst_udp));
			break;
		case OP_UDP_SHIM_CONNECT:
			err = shim_connect(fds[i], (struct sockaddr *)&dst_udp, sizeof(dst_udp));
			break;
		case OP_SETSC:
			err = setsc(fds[i], &a, SESSION_LASTING_IPV6_ADDRESS);
			break;
		case OP_SC_RAW: {
			struct odm_sc_result res;
			socklen_t len = sizeof(res);

			err = getsockopt(fds[i], ODM_SOL, ODM_SO_SC(ODM_TYPE_SESSION_LASTING, 0),
					 &res, &len) || res.status != ODM_ST_OK;
			break;
		}
		case OP_SC_FLOOR: {
			struct odm_sc_result res;
			socklen_t len = sizeof(res);

			err = getsockopt(fds[i], ODM_SOL, ODM_SO_SC(ODM_TYPE_SESSION_LASTING, 0),
					 &res, &len);
			break;
		}
		case OP_GETSOCKOPT: {
			int prio;
			socklen_t len = sizeof(prio);

			err = getsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, &len);
			break;
		}
		case OP_SC_TWO: {
			struct odm_sc_req req = { .version = ODM_SOCKOPT_VERSION,
						  .type = ODM_TYPE_SESSION_LASTING };
			struct odm_sc_result res;
			socklen_t len = sizeof(res);

			err = setsockopt(fds[i], IPPROTO_IPV6, ODM_SO_SC_TYPE, &req, sizeof(req)) ||
			      getsockopt(fds[i], IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &len) ||
			      res.status != ODM_ST_OK;
			break;
		}
		case OP_TCP_CYCLE:
		case OP_TCP_SETSC_CYCLE:
		case OP_TCP_BIND_CYCLE:
			err = tcp_cycle(op);
			break;
		case OP_SENDTO:
		case OP_SENDTO_TYPED:
			err = sendto(fd, payload, sizeof(payload), 0, (struct sockaddr *)&dst_udp,
				     sizeof(dst_udp)) != sizeof(payload);
			break;
		case OP_SETSOCKOPT: {
			int prio = i & 3;

			err = setsockopt(fd, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio));
			break;
		}
		default:
			err = -1;
		}
	}
	if (!err) {
		t = (now_ns() - t0) / n;
		*cpu = (cpu_now() - c0) / n;
	}
	else
		fprintf(stderr, "odm-bench: operation %d failed at %d: %s\n", op, i - 1,
			strerror(errno));

	if (fd >= 0)
		close(fd);
	if (op <= OP_UDP_PREBOUND_CONNECT || op == OP_SC_TWO || op == OP_SC_FLOOR)
		fds_close(fds, n);
	return t;
}

/*
 * ns per operation: the fastest of the batches, or < 0 on error.  The
 * machine is shared (2 vCPUs, other jobs): interference only ever adds time,
 * so the fastest batch is the best estimate of the operation itself.
 */
static double measure_cpu(enum op op, double *cpu)
{
	static int fds[20000];
	double v[16], c[16], ignore;
	int b;

	*cpu = -1;
	if (op == OP_UDP_SHIM_CONNECT && !shim_connect)
		return -1;
	/* One batch untimed: caches, slabs and port hash warm for this mode. */
	if (batch(op, op_n[op], fds, &ignore) < 0)
		return -1;
	for (b = 0; b < batches && !stop; b++) {
		v[b] = batch(op, op_n[op], fds, &c[b]);
		if (v[b] < 0)
			return -1;
	}
	if (stop || !b)
		return -1;
	/* Each view's fastest batch on its own: both only ever gain from
	 * interference, in different batches. */
	*cpu = vmin(c, b);
	return vmin(v, b);
}

static double measure(enum op op)
{
	double cpu;

	return measure_cpu(op, &cpu);
}

/* ---- figure 10: many applications at once ------------------------------------ */

#define SCALE_THREADS	64
#define SCALE_CYCLES	150		/* per thread and run: ~10k cycles in all */

struct scale_arg {
	pthread_barrier_t *start;
	bool typed;
	int failed;
};

/* One application: socket, setsc() (or its own bind()), connect, close. */
static void *scale_thread(void *p)
{
	struct scale_arg *a = p;
	struct in6_addr src;
	int i;

	pthread_barrier_wait(a->start);
	for (i = 0; i < SCALE_CYCLES; i++) {
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int err = fd < 0;

		if (!err && a->typed)
			err = setsc(fd, &src, SESSION_LASTING_IPV6_ADDRESS) != 0;
		else if (!err)
			err = bind(fd, (struct sockaddr *)&src_typed, sizeof(src_typed)) != 0;
		if (!err)
			err = connect(fd, (struct sockaddr *)&dst_udp, sizeof(dst_udp)) != 0;
		a->failed += err;
		if (fd >= 0)
			close(fd);
	}
	return NULL;
}

/*
 * SCALE_THREADS threads (on every CPU, not the measuring thread's one)
 * each doing SCALE_CYCLES cycles at once: wall ns per cycle over all of
 * them, the fastest of the batches; < 0 on error.  typed: setsc(), else the
 * application's own bind() to the same address.
 */
static double scale_run(bool typed)
{
	struct scale_arg args[SCALE_THREADS];
	pthread_t th[SCALE_THREADS];
	pthread_barrier_t start;
	pthread_attr_t attr;
	double v[16], t0;
	cpu_set_t all;
	int b, i, n, failed;

	CPU_ZERO(&all);
	for (i = 0; i < sysconf(_SC_NPROCESSORS_ONLN) && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	pthread_attr_init(&attr);
	pthread_attr_setaffinity_np(&attr, sizeof(all), &all);
	for (b = 0; b <= batches && !stop; b++) {	/* batch 0 untimed */
		pthread_barrier_init(&start, NULL, SCALE_THREADS + 1);
		for (n = 0; n < SCALE_THREADS; n++) {
			args[n] = (struct scale_arg){ .start = &start, .typed = typed };
			if (pthread_create(&th[n], &attr, scale_thread, &args[n]))
				break;
		}
		if (n < SCALE_THREADS) {
			/* cannot start them all: release those waiting, give up */
			fprintf(stderr, "odm-bench: cannot start %d threads\n", SCALE_THREADS);
			pthread_attr_destroy(&attr);
			return -1;	/* (the barrier leaks with its threads: exit follows) */
		}
		pthread_barrier_wait(&start);
		t0 = now_ns();
		for (i = 0, failed = 0; i < n; i++) {
			pthread_join(th[i], NULL);
			failed += args[i].failed;
		}
		if (b)
			v[b - 1] = (now_ns() - t0) / (SCALE_THREADS * SCALE_CYCLES);
		pthread_barrier_destroy(&start);
		if (failed) {
			fprintf(stderr, "odm-bench: %d of the %d threads' cycles failed\n", failed,
				SCALE_THREADS * SCALE_CYCLES);
			pthread_attr_destroy(&attr);
			return -1;
		}
	}
	pthread_attr_destroy(&attr);
	return stop || b < 2 ? -1 : vmin(v, b - 1);
}

/* ---- control plane -------------------------------------------------------- */

static void prefix_key(struct odm_prefix_key *k, int i)
{
	memset(k, 0, sizeof(*k));
	k->prefixlen = 64;
	k->prefix.w[0] = htonl(0x20010db8);
	k->prefix.w[1] = htonl(0x10000000u + (unsigned int)i);	/* 2001:db8:1000+i::/64 */
}

/* Prefixes [from, to) as `odm prefix add` writes them: no host address yet. */
static int prefixes_put(struct odm_maps *m, int from, int to, bool recompute)
{
	struct odm_prefix val = {
		.type = ODM_TYPE_NON_PERSISTENT, .state = ODM_PS_NOADDR, .source = ODM_SRC_CLI,
		.plen = 64, .valid_lft = 0xffffffff, .preferred_lft = 0xffffffff,
	};
	struct odm_prefix_key k;
	int i, err = odm_maps_lock(m);

	for (i = from; i < to && !err; i++) {
		prefix_key(&k, i);
		err = odm_prefix_put(m, &k, &val);
	}
	if (!err && recompute)
		err = odm_select_recompute(m);
	odm_maps_unlock(m);
	return err;
}

static int prefixes_del(struct odm_maps *m, int from, int to)
{
	struct odm_prefix_key k;
	int i, err = odm_maps_lock(m);

	for (i = from; i < to && !err; i++) {
		prefix_key(&k, i);
		err = odm_prefix_del(m, &k);
	}
	if (!err)
		err = odm_select_recompute(m);
	odm_maps_unlock(m);
	return err;
}

/* ---- figures ------------------------------------------------------------------ */

enum kind {
	K_RATIO,	/* odm / baseline, target is the largest ratio */
	K_ABS,		/* odm alone, in unit; target is the largest value */
	K_EXTRA,	/* odm - baseline in ns, target is the largest difference */
	K_INFO,		/* a ratio without a target (side-by-side baselines) */
};

struct figure {
	const char *id;
	const char *name;
	enum kind kind;
	const char *unit;	/* of base/odm: "ns", "us", "ms", "bytes" */
	double target;
	const char *skip;	/* not measured, and why */
	bool error;
	int n;
	double base[MAX_ROUNDS], odm[MAX_ROUNDS], val[MAX_ROUNDS];
};

enum {
	F1, F2U, F2T, F3U, F3T, F3S, F3R, F3W, F3L, F3G, F3H, F3I, F3J, F3K, F3O, F4, F5P, F5S, F5M, F6, F6L, F6G, F6D,
	F6E, F7A, F7R, F8, F8P, F8C, F9O, F9P, F9R, F10, F10T, F11C, F11M, F11P, F11S,
	/* the CPU view (cpu_name) of figures 1, 2, 3 and 6 */
	F1C, F2UC, F2TC, F3UC, F3TC, F3SC, F6C, F6LC, F_MAX
};

static struct figure figs[F_MAX] = {
	[F1]  = { "1", "UDP connect, odm on another cgroup / not loaded", K_RATIO, "ns", 1.03 },
	[F2U] = { "2a", "UDP connect, odm cgroup, untyped / no odm", K_RATIO, "ns", 1.20 },
	[F2T] = { "2b", "TCP socket+connect+close, untyped / no odm", K_RATIO, "ns", 1.05 },
	[F3U] = { "3a", "UDP setsc+connect / bind+connect", K_RATIO, "ns", 1.5 },
	[F3T] = { "3b", "TCP socket+setsc+connect+close / with bind", K_RATIO, "ns", 1.10 },
	[F3S] = { "3c", "setsc() alone", K_ABS, "ns", 1500 },
	[F3R] = { "3d", "setsc()'s one getsockopt alone (no libodm)", K_ABS, "ns", 0 },
	[F3W] = { "3e", "the two socket options of libodm before (no libodm)", K_ABS, "ns", 0 },
	[F3L] = { "3f", "setsc() alone, odmd --no-setsockopt", K_ABS, "ns", 0 },
	[F3G] = { "3g", "one getsockopt(ODM_SOL), a program that does nothing (floor)", K_ABS,
		  "ns", 0 },
	[F3H] = { "3h", "setsc()'s getsockopt program alone, its run time (bpf_stats)", K_ABS,
		  "ns", 0 },
	[F3I] = { "3i", "same, the socket's storage made at socket() by a default type", K_ABS,
		  "ns", 0 },
	[F3J] = { "3j", "sock_create program, no policy (bpf_stats)", K_ABS, "ns", 0 },
	[F3K] = { "3k", "sock_create program making the storage of a default type", K_ABS,
		  "ns", 0 },
	[F3O] = { "3l", "the floor's getsockopt program, its run time (what bpf_stats adds)",
		  K_ABS, "ns", 0 },
	[F4]  = { "4", "UDP sendto, typed unbound / no odm", K_RATIO, "ns", 1.06 },
	[F5P] = { "5a", "typed connect overhead over bound, 4096 / 16 prefixes", K_RATIO, "ns",
		  1.05 },
	[F5S] = { "5b", "setsc, 100000 / 100 open typed sockets", K_RATIO, "ns", 1.10 },
	[F5M] = { "5c", "sizeof(struct odm_sk) per socket", K_ABS, "bytes", 64 },
	[F6]  = { "6", "setsockopt(SO_PRIORITY), odm cgroup - no odm", K_EXTRA, "ns", 150 },
	[F6L] = { "6b", "same, odmd --no-setsockopt - no odm", K_EXTRA, "ns", 150 },
	[F6G] = { "6c", "getsockopt(SO_PRIORITY), odm cgroup - no odm", K_EXTRA, "ns", 0 },
	[F6D] = { "6d", "setsockopt(SO_PRIORITY), a program that does nothing - no odm",
		  K_EXTRA, "ns", 0 },
	[F6E] = { "6e", "getsockopt(SO_PRIORITY), a program that does nothing - no odm",
		  K_EXTRA, "ns", 0 },
	[F7A] = { "7a", "add one prefix (put + recompute)", K_ABS, "us", 0 },
	[F7R] = { "7b", "reload 1000 prefixes", K_ABS, "ms", 50 },
	[F8]  = { "8a", "setsc() with ON_NET: DHCPv6 PD from Kea, median", K_ABS, "ms", 0 },
	[F8P] = { "8b", "setsc() with ON_NET: DHCPv6 PD from Kea, p99", K_ABS, "ms", 0 },
	[F8C] = { "8c", "exchanges for 100 concurrent setsc() of a missing type", K_ABS, "count",
		  1 },
	[F9O] = { "9a", "UDP connect from a chosen source: odm typed / no odm", K_INFO, "ns" },
	[F9P] = { "9b", "UDP connect from a chosen source: LD_PRELOAD / no odm", K_INFO, "ns" },
	[F9R] = { "9c", "UDP connect from a chosen source: ip route src / no odm", K_INFO, "ns" },
	[F10] = { "10a", "64 threads socket+setsc+connect+close / +bind+, no odm", K_INFO,
		  "ns" },
	[F10T] = { "10b", "64 threads socket+setsc+connect+close, throughput", K_ABS, "kops/s",
		   0 },
	[F11C] = { "11a", "exchanges for 1000 queued setsc() of 3 missing types", K_ABS, "count",
		   3 },
	[F11M] = { "11b", "1000 queued setsc() of 3 missing types, median", K_ABS, "ms", 0 },
	[F11P] = { "11c", "1000 queued setsc() of 3 missing types, p99", K_ABS, "ms", 0 },
	[F11S] = { "11d", "of 1000 queued setsc() of 3 missing types, served", K_ABS, "count",
		   0 },
	[F1C]  = { "1*", "figure 1, CPU view", K_RATIO, "ns", 1.03 },
	[F2UC] = { "2a*", "figure 2a, CPU view", K_RATIO, "ns", 1.20 },
	[F2TC] = { "2b*", "figure 2b, CPU view", K_RATIO, "ns", 1.05 },
	[F3UC] = { "3a*", "figure 3a, CPU view", K_RATIO, "ns", 1.5 },
	[F3TC] = { "3b*", "figure 3b, CPU view", K_RATIO, "ns", 1.10 },
	[F3SC] = { "3c*", "figure 3c, CPU view", K_ABS, "ns", 1500 },
	[F6C]  = { "6*", "figure 6, CPU view", K_EXTRA, "ns", 150 },
	[F6LC] = { "6b*", "figure 6b, CPU view", K_EXTRA, "ns", 150 },
};

static void fig_add(int f, double base, double odm)
{
	struct figure *g = &figs[f];

	if (g->error || g->n >= MAX_ROUNDS)
		return;
	if (base < 0 || odm < 0 || (g->kind != K_ABS && base <= 0)) {
		fprintf(stderr, "odm-bench: figure %s: a measurement failed\n", g->id);
		g->error = true;
		return;
	}
	g->base[g->n] = base;
	g->odm[g->n] = odm;
	g->val[g->n] = g->kind == K_ABS ? odm : g->kind == K_EXTRA ? odm - base : odm / base;
	g->n++;
}

static double vmin(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double vmax(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static bool fig_has_target(const struct figure *g)
{
	return g->kind != K_INFO && g->target > 0;
}

static bool fig_met(const struct figure *g)
{
	double v = median(g->val, g->n);

	return v <= g->target;
}

/* Scaling curves: per round, ns per operation at each step. */
static double curve_p[N_PSTEPS][MAX_ROUNDS], curve_s[N_SSTEPS][MAX_ROUNDS];
static double curve_base[MAX_ROUNDS];
static int curve_n;

/* ---- figure 8: on demand, against a real Kea ------------------------------------ */

#define OD_SAMPLES_MAX	40
#define OD_CONCURRENT	100

/* Non-persistent and Fixed pools; the rounds configured no Fixed prefix. */
static const char *const od_pools[] = {
	"1 2001:db8:a100::/40",
	"3 2001:db8:f000::/40",
	"4 2001:db8:e000::/40",
	NULL,
};

#define OD_QUEUED	1000	/* figure 11: requests queued at once */

static double percentile(double *v, int n, double p)
{
	int i;

	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	i = (int)(p * n + 0.999999) - 1;
	return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

/* ON_NET setsc() samples, each a DHCPv6 exchange: how long apps wait. */
static int od_latency(double *ms, int samples)
{
	int i, n = 0;

	for (i = 0; i < samples && !stop; i++) {
		int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		int prefs = IPV6_REQUIRE_SRC_ON_NET;
		struct in6_addr a;
		double t;

		if (s < 0)
			continue;
		setsockopt(s, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, &prefs, sizeof(prefs));
		t = now_ns();
		if (setsc(s, &a, NON_PERSISTENT_IPV6_ADDRESS) == 0)
			ms[n++] = (now_ns() - t) / 1e6;
		close(s);
	}
	return n;
}

/* OD_CONCURRENT non-blocking requests for a type the host lacks: how many
 * prefixes the network delegated for them (coalescing says one). */
static int od_coalesce(int *ok)
{
	struct setsc_req *rq[OD_CONCURRENT];
	int fds[OD_CONCURRENT], i, before = env_kea_leases(&env);

	*ok = 0;
	for (i = 0; i < OD_CONCURRENT; i++) {
		fds[i] = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fds[i] < 0 || setsc_start(fds[i], FIXED_IPV6_ADDRESS, NULL, &rq[i]))
			rq[i] = NULL;
	}
	for (i = 0; i < OD_CONCURRENT; i++) {
		struct pollfd pfd = { .fd = setsc_req_fd(rq[i]), .events = POLLIN };
		struct in6_addr a;
		int rc = EAI_INPROGRESS;

		while (rq[i] && rc == EAI_INPROGRESS) {
			poll(&pfd, 1, 1000);
			rc = setsc_finish(rq[i], &a);
		}
		*ok += rq[i] && rc == 0;
		if (fds[i] >= 0)
			close(fds[i]);
	}
	return env_kea_leases(&env) - before;
}

/*
 * Figure 11: OD_QUEUED non-blocking setsc() at once, for the three types
 * the host lacks in turn (Fixed, Non-persistent, Graceful-replacement):
 * how many exchanges odmd makes for them, how long each application waits
 * from setsc_start() to its answer.  0, or -1 when a request failed.
 */
static int od_queued(double *ms, int *exchanges)
{
	static const sc_type types[] = { FIXED_IPV6_ADDRESS, NON_PERSISTENT_IPV6_ADDRESS,
					 GRACEFUL_REPLACEMENT_IPV6_ADDRESS };
	static struct setsc_req *rq[OD_QUEUED];
	static struct pollfd pfd[OD_QUEUED];
	static double t0[OD_QUEUED];
	static int fds[OD_QUEUED];
	int i, left = 0, ok = 0, before = env_kea_leases(&env);
	struct in6_addr a;
	double deadline;

	for (i = 0; i < OD_QUEUED; i++) {
		rq[i] = NULL;
		fds[i] = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		t0[i] = now_ns();
		if (fds[i] >= 0 && setsc_start(fds[i], types[i % 3], NULL, &rq[i]) == 0)
			left++;
		else
			rq[i] = NULL;
	}
	deadline = now_ns() + 15e9;
	while (left && !stop && now_ns() < deadline) {
		for (i = 0; i < OD_QUEUED; i++) {
			pfd[i].fd = rq[i] ? setsc_req_fd(rq[i]) : -1;
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, OD_QUEUED, 1000) < 0 && errno != EINTR)
			break;
		for (i = 0; i < OD_QUEUED; i++) {
			int rc;

			if (!rq[i] || !(pfd[i].revents & POLLIN))
				continue;
			rc = setsc_finish(rq[i], &a);
			if (rc == EAI_INPROGRESS)
				continue;
			rq[i] = NULL;
			left--;
			if (rc == 0)
				ms[ok++] = (now_ns() - t0[i]) / 1e6;
		}
	}
	for (i = 0; i < OD_QUEUED; i++) {
		setsc_cancel(rq[i]);
		if (fds[i] >= 0)
			close(fds[i]);
	}
	*exchanges = env_kea_leases(&env) - before;
	printf("  on demand: %d/%d queued requests of 3 types served by %d exchange(s)\n", ok,
	       OD_QUEUED, *exchanges);
	return ok;
}

/*
 * Program view (figures 3h-3k): the kernel's own count of the time spent in
 * a program (BPF_ENABLE_STATS, as `sysctl kernel.bpf_stats_enabled`, held
 * only while this phase runs: it adds two clock reads to every program
 * run, so the rounds go without it).  Tracing programs do not load here;
 * this itemizes setsc()'s call all the same.
 */
struct prog_run {
	__u64 ns, cnt;
};

/* The run time so far of the program attached at (cgroup, at). */
static int prog_run_read(const char *cg, enum bpf_attach_type at, struct prog_run *pr)
{
	struct bpf_prog_info info;
	__u32 ids[4], n = 4, len = sizeof(info);
	int cgfd, fd, err = 0;

	cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return -errno;
	if (bpf_prog_query(cgfd, at, 0, NULL, ids, &n) || n != 1)
		err = n != 1 ? -ENOENT : -errno;
	close(cgfd);
	if (err)
		return err;
	fd = bpf_prog_get_fd_by_id(ids[0]);
	if (fd < 0)
		return -errno;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		err = -errno;
	close(fd);
	pr->ns = info.run_time_ns;
	pr->cnt = info.run_cnt;
	return err;
}

/* ns per run of the programs at gs and sc while op is measured. */
static int prog_view(enum op op, double *gs, double *sc)
{
	struct prog_run g0, g1, s0, s1;

	if (prog_run_read(env.cgroup, BPF_CGROUP_GETSOCKOPT, &g0) ||
	    prog_run_read(env.cgroup, BPF_CGROUP_INET_SOCK_CREATE, &s0) || measure(op) < 0 ||
	    prog_run_read(env.cgroup, BPF_CGROUP_GETSOCKOPT, &g1) ||
	    prog_run_read(env.cgroup, BPF_CGROUP_INET_SOCK_CREATE, &s1) ||
	    g1.cnt == g0.cnt || s1.cnt == s0.cnt)
		return -1;
	*gs = (double)(g1.ns - g0.ns) / (double)(g1.cnt - g0.cnt);
	*sc = (double)(s1.ns - s0.ns) / (double)(s1.cnt - s0.cnt);
	return 0;
}

static void prog_phase(void)
{
	struct odm_policy pol = { .default_type = ODM_TYPE_SESSION_LASTING };
	double gs, sc, gs_def, sc_def, fl;
	struct prog_run f0, f1;
	struct odm_maps m;
	bool ok = false, maps = false;
	__u64 cgid;
	int stats;

	stats = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (stats < 0 || !odm_load() || odm_cgroup_id(env.cgroup, &cgid) ||
	    odm_maps_open(&m, env.pin_dir))
		goto out;
	maps = true;
	/* The floor program: what the clock reads of the statistics cost. */
	if (cg_enter(cg_floor) || prog_run_read(cg_floor, BPF_CGROUP_GETSOCKOPT, &f0) ||
	    measure(OP_SC_FLOOR) < 0 || prog_run_read(cg_floor, BPF_CGROUP_GETSOCKOPT, &f1) ||
	    f1.cnt == f0.cnt)
		goto out;
	fl = (double)(f1.ns - f0.ns) / (double)(f1.cnt - f0.cnt);
	if (cg_enter(env.cgroup) || prog_view(OP_SC_RAW, &gs, &sc))
		goto out;
	/* A default type: odm_sock_create makes the storage at socket(). */
	if (odm_policy_set(&m, cgid, &pol) || prog_view(OP_SC_RAW, &gs_def, &sc_def))
		goto out;
	fig_add(F3H, 0, gs);
	fig_add(F3I, 0, gs_def);
	fig_add(F3J, 0, sc);
	fig_add(F3K, 0, sc_def);
	fig_add(F3O, 0, fl);
	ok = true;
out:
	if (!ok) {
		fprintf(stderr, "odm-bench: no program view: %s\n",
			stats < 0 ? strerror(-stats) : "measuring failed");
		figs[F3H].error = figs[F3I].error = figs[F3J].error = figs[F3K].error = true;
		figs[F3O].error = true;
	}
	cg_enter(cg_home);
	if (maps)
		odm_maps_close(&m);
	odm_unload();
	if (stats >= 0)
		close(stats);
}

static void on_demand_phase(bool quick)
{
	double ms[OD_SAMPLES_MAX];
	int n, ok = 0, exchanges = -1;

	odm_unload();
	/* Figure 11 first, on an odmd of its own (lease file and all): the
	 * three types are missing.  Its delegated addresses are taken off the
	 * interface after, or figure 8's odmd would refuse the same prefixes
	 * again as overlapping what the host has. */
	snprintf(env.odmd_args, sizeof(env.odmd_args), "--dhcp6 veth-h --lease-file %s/leases11",
		 env.tmpdir);
	if (env_start_kea(&env, od_pools) && odm_load() && cg_enter(env.cgroup) == 0) {
		static double qms[OD_QUEUED];
		int qx = -1, served = od_queued(qms, &qx);

		fig_add(F11S, 0, served);
		if (served > 0 && qx >= 0) {
			fig_add(F11C, 0, qx);
			fig_add(F11M, 0, percentile(qms, served, 0.5));
			fig_add(F11P, 0, percentile(qms, served, 0.99));
		} else {
			figs[F11C].error = figs[F11M].error = figs[F11P].error = true;
		}
	} else {
		figs[F11C].error = figs[F11M].error = figs[F11P].error = figs[F11S].error = true;
	}
	cg_enter(cg_home);
	odm_unload();
	env_host(&env, "sh -c \"ip -6 -o addr show dev veth-h | "
		 "awk '/2001:db8:(a1|f0|e0)/ {print \\$4}' | "
		 "xargs -r -n1 ip -6 addr del dev veth-h\"");
	snprintf(env.odmd_args, sizeof(env.odmd_args), "--dhcp6 veth-h --lease-file %s/leases",
		 env.tmpdir);
	if (env.kea <= 0 || !odm_load() || cg_enter(env.cgroup)) {
		fprintf(stderr, "odm-bench: cannot set up Kea and odmd for figure 8\n");
		n = 0;
	} else {
		n = od_latency(ms, quick ? 8 : OD_SAMPLES_MAX);
		exchanges = od_coalesce(&ok);
		cg_enter(cg_home);
	}
	env_stop_kea(&env);
	odm_unload();
	env.odmd_args[0] = '\0';
	if (n) {
		fig_add(F8, 0, percentile(ms, n, 0.5));
		fig_add(F8P, 0, percentile(ms, n, 0.99));
	} else {
		figs[F8].error = figs[F8P].error = true;
	}
	if (ok == OD_CONCURRENT && exchanges >= 0)
		fig_add(F8C, 0, exchanges);
	else
		figs[F8C].error = true;
	printf("  on demand: %d ON_NET samples, %d/%d concurrent requests served by %d "
	       "exchange(s)\n", n, ok, OD_CONCURRENT, exchanges);
}

/* ---- one round ---------------------------------------------------------------- */

struct round {
	double none[OP_MAX], other_udp, odm[OP_MAX], route_udp;
	double none_c[OP_MAX], other_udp_c, odm_c[OP_MAX];	/* CPU view */
	double lean[OP_MAX], lean_c[OP_MAX];		/* odmd --no-setsockopt */
	double floor[OP_MAX];				/* cg_floor, no odm */
	double scale_none, scale_odm;			/* 64 threads, ns per cycle */
	double add_one_us, reload_ms;
	double typed_p[N_PSTEPS], setsc_s[N_SSTEPS];
};

/* Stage 1: no odm loaded anywhere (ours, at least), in the plain cgroup. */
static bool stage_none(struct round *r)
{
	static const enum op ops[] = { OP_UDP_CONNECT, OP_UDP_BIND_CONNECT, OP_UDP_SHIM_CONNECT,
				       OP_UDP_PREBOUND_CONNECT, OP_TCP_CYCLE, OP_TCP_BIND_CYCLE, OP_SENDTO, OP_SETSOCKOPT,
				       OP_GETSOCKOPT };
	size_t i;

	if (cg_enter(cg_plain))
		return false;
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		r->none[ops[i]] = measure_cpu(ops[i], &r->none_c[ops[i]]);
	r->scale_none = scale_run(false);
	if (cg_enter(cg_floor))
		return false;
	r->floor[OP_SETSOCKOPT] = measure(OP_SETSOCKOPT);
	r->floor[OP_GETSOCKOPT] = measure(OP_GETSOCKOPT);
	r->floor[OP_SC_FLOOR] = measure(OP_SC_FLOOR);
	if (cg_enter(cg_plain))
		return false;
	/* Policy routing: the source comes with the route to the peer. */
	if (env_host(&env, "ip -6 route add %s/128 dev veth-h src %s", NET_ADDR, TYPED_ADDR)) {
		r->route_udp = measure(OP_UDP_CONNECT);
		env_host(&env, "ip -6 route del %s/128 dev veth-h", NET_ADDR);
	} else {
		r->route_udp = -1;
	}
	return cg_enter(cg_home) == 0;
}

/*
 * Typed sockets held open by child processes: RLIMIT_NOFILE is 20000 here
 * and cannot be raised without CAP_SYS_RESOURCE, and what matters to odm is
 * the number of sockets with odm_sk storage, not who holds them.  Children
 * inherit our cgroup and network namespace.
 */
#define HOLD_PER_CHILD	15000
#define MAX_HOLDERS	(BIG_SOCKETS / HOLD_PER_CHILD + 8)

static pid_t holders[MAX_HOLDERS];
static int n_holders, n_held;

static int holder_start(int n)
{
	char c = 0;
	int p[2], i;
	pid_t pid;

	if (n_holders == MAX_HOLDERS || pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[0]);
		for (i = 0; i < n; i++) {
			if (udp_socket(true) < 0) {
				fprintf(stderr, "odm-bench: holder: socket %d: %s\n", i,
					strerror(errno));
				_exit(1);
			}
		}
		c = 1;
		if (write(p[1], &c, 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	holders[n_holders++] = pid;
	if (read(p[0], &c, 1) != 1)
		c = 0;
	close(p[0]);
	if (c != 1)
		return -1;
	n_held += n;
	return 0;
}

static void holders_stop(void)
{
	while (n_holders > 0) {
		pid_t pid = holders[--n_holders];

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	n_held = 0;
}

/* More typed sockets open until want are. */
static int hold_typed(int want)
{
	while (n_held < want) {
		int n = want - n_held;

		if (holder_start(n > HOLD_PER_CHILD ? HOLD_PER_CHILD : n))
			return -1;
	}
	return 0;
}

/* Stage 3: our cgroup is odm's. */
static bool stage_odm(struct round *r)
{
	static const enum op ops[] = { OP_UDP_CONNECT, OP_UDP_TYPED_CONNECT, OP_UDP_SETSC_CONNECT,
				       OP_SETSC, OP_SC_RAW, OP_TCP_CYCLE, OP_TCP_SETSC_CYCLE,
				       OP_SENDTO_TYPED, OP_SETSOCKOPT, OP_SC_TWO, OP_GETSOCKOPT };
	struct odm_maps m;
	int np = 16, i, k;
	size_t j;
	bool ok = false;

	if (odm_maps_open(&m, env.pin_dir)) {
		fprintf(stderr, "odm-bench: cannot open the maps in %s\n", env.pin_dir);
		return false;
	}
	if (cg_enter(env.cgroup))
		goto out;
	for (j = 0; j < sizeof(ops) / sizeof(ops[0]); j++)
		r->odm[ops[j]] = measure_cpu(ops[j], &r->odm_c[ops[j]]);
	r->scale_odm = scale_run(true);

	/* 15 more prefixes: the 16 of the small case. */
	if (prefixes_put(&m, 0, 15, true))
		goto fail_prefixes;
	/* Control plane, from the benchmark's own thread like `odm prefix add`. */
	{
		double v[64], t0;

		for (k = 0; k < 32; k++) {
			t0 = now_ns();
			if (prefixes_put(&m, 50000, 50001, true))
				goto fail_prefixes;
			v[k] = (now_ns() - t0) / 1e3;
			if (prefixes_del(&m, 50000, 50001))
				goto fail_prefixes;
		}
		r->add_one_us = median(v, k);
		t0 = now_ns();
		if (prefixes_put(&m, 40000, 41000, true))
			goto fail_prefixes;
		r->reload_ms = (now_ns() - t0) / 1e6;
		if (prefixes_del(&m, 40000, 41000))
			goto fail_prefixes;
	}

	for (i = 0; i < N_PSTEPS && !stop; i++) {
		if (prefixes_put(&m, np - 1, prefix_steps[i] - 1, true))
			goto fail_prefixes;
		np = prefix_steps[i];
		r->typed_p[i] = measure(OP_UDP_TYPED_CONNECT);
	}
	for (i = 0; i < N_SSTEPS && !stop; i++) {
		if (hold_typed(socket_steps[i])) {
			fprintf(stderr, "odm-bench: cannot hold %d typed sockets\n",
				socket_steps[i]);
			goto out;
		}
		r->setsc_s[i] = measure(OP_SETSC);
	}
	ok = !stop;
	goto out;
fail_prefixes:
	fprintf(stderr, "odm-bench: cannot update the prefixes in %s\n", env.pin_dir);
out:
	holders_stop();
	odm_maps_close(&m);
	return cg_enter(cg_home) == 0 && ok;
}

/* Stage 4: odmd --no-setsockopt, our cgroup odm's: what the mode saves. */
static bool stage_lean(struct round *r)
{
	static const enum op ops[] = { OP_SETSOCKOPT, OP_SETSC };
	bool ok;
	size_t j;

	snprintf(env.odmd_args, sizeof(env.odmd_args), "--no-setsockopt");
	ok = odm_load() && cg_enter(env.cgroup) == 0;
	env.odmd_args[0] = '\0';
	for (j = 0; ok && j < sizeof(ops) / sizeof(ops[0]); j++)
		r->lean[ops[j]] = measure_cpu(ops[j], &r->lean_c[ops[j]]);
	ok = cg_enter(cg_home) == 0 && ok && !stop;
	odm_unload();
	return ok;
}

static bool run_round(struct round *r)
{
	memset(r, 0, sizeof(*r));
	if (!stage_none(r) || stop)
		return false;
	if (!odm_load())
		return false;
	/* Stage 2: odm loaded, attached to another cgroup than ours. */
	if (cg_enter(cg_plain))
		return false;
	r->other_udp = measure_cpu(OP_UDP_CONNECT, &r->other_udp_c);
	if (cg_enter(cg_home) || stop)
		return false;
	if (!stage_odm(r))
		return false;
	odm_unload();
	return stage_lean(r);
}

static void round_record(const struct round *r)
{
	/* odm's part of a typed connect: against a socket the application bound
	 * to the same address itself (port still picked at connect). */
	double ov16 = r->typed_p[0] - r->none[OP_UDP_PREBOUND_CONNECT];
	double ov4k = r->typed_p[N_PSTEPS - 1] - r->none[OP_UDP_PREBOUND_CONNECT];
	int i;

	fig_add(F1, r->none[OP_UDP_CONNECT], r->other_udp);
	fig_add(F2U, r->none[OP_UDP_CONNECT], r->odm[OP_UDP_CONNECT]);
	fig_add(F2T, r->none[OP_TCP_CYCLE], r->odm[OP_TCP_CYCLE]);
	fig_add(F3U, r->none[OP_UDP_BIND_CONNECT], r->odm[OP_UDP_SETSC_CONNECT]);
	fig_add(F3T, r->none[OP_TCP_BIND_CYCLE], r->odm[OP_TCP_SETSC_CYCLE]);
	fig_add(F3S, 0, r->odm[OP_SETSC]);
	fig_add(F3R, 0, r->odm[OP_SC_RAW]);
	fig_add(F3W, 0, r->odm[OP_SC_TWO]);
	fig_add(F3L, 0, r->lean[OP_SETSC]);
	fig_add(F3G, 0, r->floor[OP_SC_FLOOR]);
	fig_add(F4, r->none[OP_SENDTO], r->odm[OP_SENDTO_TYPED]);
	/* A ratio of overheads is only defined where the small one is positive;
	 * a non-positive one means odm's cost drowned in the noise. */
	if (ov16 > 0)
		fig_add(F5P, ov16, ov4k > 0 ? ov4k : 0);
	fig_add(F5S, r->setsc_s[0], r->setsc_s[N_SSTEPS - 1]);
	fig_add(F5M, 0, sizeof(struct odm_sk));
	fig_add(F6, r->none[OP_SETSOCKOPT], r->odm[OP_SETSOCKOPT]);
	fig_add(F6L, r->none[OP_SETSOCKOPT], r->lean[OP_SETSOCKOPT]);
	fig_add(F6G, r->none[OP_GETSOCKOPT], r->odm[OP_GETSOCKOPT]);
	fig_add(F6D, r->none[OP_SETSOCKOPT], r->floor[OP_SETSOCKOPT]);
	fig_add(F6E, r->none[OP_GETSOCKOPT], r->floor[OP_GETSOCKOPT]);
	fig_add(F10, r->scale_none, r->scale_odm);
	fig_add(F10T, 0, r->scale_odm > 0 ? 1e6 / r->scale_odm : -1);
	if (cpu_fd >= 0) {
		fig_add(F1C, r->none_c[OP_UDP_CONNECT], r->other_udp_c);
		fig_add(F2UC, r->none_c[OP_UDP_CONNECT], r->odm_c[OP_UDP_CONNECT]);
		fig_add(F2TC, r->none_c[OP_TCP_CYCLE], r->odm_c[OP_TCP_CYCLE]);
		fig_add(F3UC, r->none_c[OP_UDP_BIND_CONNECT], r->odm_c[OP_UDP_SETSC_CONNECT]);
		fig_add(F3TC, r->none_c[OP_TCP_BIND_CYCLE], r->odm_c[OP_TCP_SETSC_CYCLE]);
		fig_add(F3SC, 0, r->odm_c[OP_SETSC]);
		fig_add(F6C, r->none_c[OP_SETSOCKOPT], r->odm_c[OP_SETSOCKOPT]);
		fig_add(F6LC, r->none_c[OP_SETSOCKOPT], r->lean_c[OP_SETSOCKOPT]);
	}
	fig_add(F7A, 0, r->add_one_us);
	fig_add(F7R, 0, r->reload_ms);
	fig_add(F9O, r->none[OP_UDP_CONNECT], r->odm[OP_UDP_TYPED_CONNECT]);
	fig_add(F9P, r->none[OP_UDP_CONNECT], r->none[OP_UDP_SHIM_CONNECT]);
	fig_add(F9R, r->none[OP_UDP_CONNECT], r->route_udp);
	for (i = 0; i < N_PSTEPS; i++)
		curve_p[i][curve_n] = r->typed_p[i];
	for (i = 0; i < N_SSTEPS; i++)
		curve_s[i][curve_n] = r->setsc_s[i];
	curve_base[curve_n] = r->none[OP_UDP_PREBOUND_CONNECT];
	curve_n++;
}

/* ---- output ----------------------------------------------------------------------- */

static const char *target_str(const struct figure *g, char *buf, size_t len)
{
	if (!fig_has_target(g))
		snprintf(buf, len, "-");
	else if (g->kind == K_RATIO)
		snprintf(buf, len, "<= %.2f", g->target);
	else if (g->kind == K_EXTRA)
		snprintf(buf, len, "<= +%.0f ns", g->target);
	else
		snprintf(buf, len, "<= %g %s", g->target, g->unit);
	return buf;
}

static void print_table(void)
{
	char tgt[32];
	int f;

	printf("\n%-4s %-56s %12s %12s %28s %14s %s\n", "fig", "name", "baseline", "odm",
	       "median [min..max]", "target", "met");
	for (f = 0; f < F_MAX; f++) {
		struct figure *g = &figs[f];
		char b[32] = "-", o[32] = "-", v[64];

		target_str(g, tgt, sizeof(tgt));
		if (g->skip || g->error || !g->n) {
			printf("%-4s %-56s %12s %12s %28s %14s %s\n", g->id, g->name, "-", "-",
			       g->skip ? "skipped" : "error", tgt, "-");
			if (g->skip)
				printf("     skipped: %s\n", g->skip);
			continue;
		}
		if (g->kind != K_ABS)
			snprintf(b, sizeof(b), "%.1f %s", median(g->base, g->n), g->unit);
		snprintf(o, sizeof(o), "%.1f %s", median(g->odm, g->n), g->unit);
		if (g->kind == K_ABS)
			snprintf(v, sizeof(v), "%.1f [%.1f..%.1f]", median(g->val, g->n),
				 vmin(g->val, g->n), vmax(g->val, g->n));
		else if (g->kind == K_EXTRA)
			snprintf(v, sizeof(v), "%+.1f [%+.1f..%+.1f] ns", median(g->val, g->n),
				 vmin(g->val, g->n), vmax(g->val, g->n));
		else
			snprintf(v, sizeof(v), "%.3f [%.3f..%.3f]", median(g->val, g->n),
				 vmin(g->val, g->n), vmax(g->val, g->n));
		printf("%-4s %-56s %12s %12s %28s %14s %s\n", g->id, g->name, b, o, v, tgt,
		       fig_has_target(g) ? (fig_met(g) ? "yes" : "NO") : "-");
	}
}

static const char *kind_name(const struct figure *g)
{
	return g->kind == K_RATIO ? "ratio" : g->kind == K_ABS ? "absolute" :
	       g->kind == K_EXTRA ? "extra_ns" : "ratio_info";
}

/* One figure as a JSON object, with odm's printer (core/print.c). */
static void json_figure(struct odm_printer *p, const struct figure *g)
{
	char tgt[32];
	int i;

	odm_print_open_object(p, NULL);
	odm_print_string(p, "id", NULL, g->id);
	odm_print_string(p, "name", NULL, g->name);
	odm_print_string(p, "unit", NULL, g->unit);
	odm_print_string(p, "kind", NULL, kind_name(g));
	odm_print_string(p, "target", NULL, target_str(g, tgt, sizeof(tgt)));
	if (g->skip) {
		odm_print_string(p, "status", NULL, "skipped");
		odm_print_string(p, "reason", NULL, g->skip);
	} else if (g->error || !g->n) {
		odm_print_string(p, "status", NULL, "error");
	} else {
		odm_print_string(p, "status", NULL, "measured");
		if (g->kind != K_ABS)
			odm_print_double(p, "baseline", NULL, median(g->base, g->n));
		odm_print_double(p, "odm", NULL, median(g->odm, g->n));
		odm_print_double(p, "median", NULL, median(g->val, g->n));
		odm_print_double(p, "min", NULL, vmin(g->val, g->n));
		odm_print_double(p, "max", NULL, vmax(g->val, g->n));
		odm_print_open_array(p, "rounds");
		for (i = 0; i < g->n; i++)
			odm_print_double(p, NULL, NULL, g->val[i]);
		odm_print_close_array(p);
		if (fig_has_target(g))
			odm_print_bool(p, "met", NULL, fig_met(g));
		else
			odm_print_null(p, "met", NULL);
	}
	odm_print_close_object(p);
}

/* A curve: [{ X: steps[i], "ns": median }]. */
static void json_curve(struct odm_printer *p, const char *key, const char *x, const int *steps,
		       double (*v)[MAX_ROUNDS], int nsteps)
{
	int i;

	odm_print_open_array(p, key);
	for (i = 0; i < nsteps; i++) {
		odm_print_open_object(p, NULL);
		odm_print_u64(p, x, NULL, (unsigned long long)steps[i]);
		odm_print_double(p, "ns", NULL, median(v[i], curve_n));
		odm_print_close_object(p);
	}
	odm_print_close_array(p);
}

static int write_json(const char *path, bool quick, int rounds, double secs)
{
	struct odm_printer *p;
	struct utsname u;
	FILE *f = fopen(path, "w");
	int fi, err;

	if (!f || !(p = odm_printer_new(f, true, true))) {
		fprintf(stderr, "odm-bench: cannot write %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	uname(&u);
	odm_print_open_object(p, NULL);
	odm_print_string(p, "mode", NULL, quick ? "quick" : "full");
	odm_print_u64(p, "rounds", NULL, (unsigned long long)rounds);
	odm_print_double(p, "seconds", NULL, secs);
	odm_print_string(p, "kernel", NULL, u.release);
	odm_print_u64(p, "cpus", NULL, (unsigned long long)sysconf(_SC_NPROCESSORS_ONLN));
	odm_print_string(p, "cpu_view", NULL, cpu_name);
	odm_print_open_array(p, "figures");
	for (fi = 0; fi < F_MAX; fi++)
		json_figure(p, &figs[fi]);
	odm_print_close_array(p);
	odm_print_open_object(p, "scaling");
	odm_print_double(p, "bound_udp_connect_no_odm_ns", NULL, median(curve_base, curve_n));
	json_curve(p, "typed_connect_by_prefixes", "prefixes", prefix_steps, curve_p, N_PSTEPS);
	json_curve(p, "setsc_by_open_sockets", "sockets", socket_steps, curve_s, N_SSTEPS);
	odm_print_close_object(p);
	odm_print_close_object(p);
	err = odm_printer_free(p);
	return fclose(f) || err ? -1 : 0;
}

/* Two gnuplot data blocks (index 0: prefixes, index 1: sockets). */
static int write_dat(const char *path)
{
	FILE *f = fopen(path, "w");
	int i;

	if (!f)
		return -1;
	fprintf(f, "# prefixes typed_udp_connect_ns min max no_odm_bound_udp_connect_ns\n");
	for (i = 0; i < N_PSTEPS; i++)
		fprintf(f, "%d %.1f %.1f %.1f %.1f\n", prefix_steps[i], median(curve_p[i], curve_n),
			vmin(curve_p[i], curve_n), vmax(curve_p[i], curve_n),
			median(curve_base, curve_n));
	fprintf(f, "\n\n# open_typed_sockets setsc_ns min max\n");
	for (i = 0; i < N_SSTEPS; i++)
		fprintf(f, "%d %.1f %.1f %.1f\n", socket_steps[i], median(curve_s[i], curve_n),
			vmin(curve_s[i], curve_n), vmax(curve_s[i], curve_n));
	return fclose(f) ? -1 : 0;
}

/* ---- main --------------------------------------------------------------------------- */

static void on_signal(int sig)
{
	stop = 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: odm-bench [--quick] [--rounds N] [--json FILE] [--dat FILE] "
		"[--preload SO]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *json = "build/bench.json", *dat = "build/bench.dat";
	const char *preload = "build/bench/preload_bind.so";
	struct sigaction sa = { .sa_handler = on_signal };
	int rounds = 9, r, f, passed = 0, failed = 0, rc = 1;
	bool quick = false;
	double t0;
	cpu_set_t cpus;

	for (r = 1; r < argc; r++) {
		if (!strcmp(argv[r], "--quick"))
			quick = true;
		else if (!strcmp(argv[r], "--rounds") && r + 1 < argc)
			rounds = atoi(argv[++r]);
		else if (!strcmp(argv[r], "--json") && r + 1 < argc)
			json = argv[++r];
		else if (!strcmp(argv[r], "--dat") && r + 1 < argc)
			dat = argv[++r];
		else if (!strcmp(argv[r], "--preload") && r + 1 < argc)
			preload = argv[++r];
		else
			return usage();
	}
	if (quick) {
		rounds = 3;
		batches = 3;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		return usage();
	if (geteuid()) {
		fprintf(stderr, "odm-bench: needs root (namespaces, cgroups, bpf)\n");
		return 1;
	}
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	t0 = now_ns();
	if (!world_setup(preload)) {
		fprintf(stderr, "odm-bench: cannot set up the namespaces and cgroups\n");
		goto cleanup;
	}
	cpu_counter_open();
	for (f = F1C; f <= F6LC; f++) {
		figs[f].unit = cpu_unit;
		if (cpu_fd < 0)
			figs[f].skip = "perf_event_open: neither instructions nor task-clock";
	}
	/* One CPU for the measuring thread; the acceptor keeps both. */
	CPU_ZERO(&cpus);
	CPU_SET(sysconf(_SC_NPROCESSORS_ONLN) - 1, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);

	printf("odm-bench: %s, %d rounds, modes interleaved in every round; CPU view: %s\n",
	       quick ? "quick" : "full", rounds, cpu_name);
	for (r = 0; r < rounds && !stop; r++) {
		struct round rd;
		double rt = now_ns();

		if (!run_round(&rd)) {
			fprintf(stderr, "odm-bench: round %d failed\n", r + 1);
			odm_unload();
			break;
		}
		round_record(&rd);
		printf("  round %d/%d: %.1f s\n", r + 1, rounds, (now_ns() - rt) / 1e9);
		fflush(stdout);
	}
	if (!stop)
		prog_phase();
	if (!stop)
		on_demand_phase(quick);
	for (f = 0; f < F_MAX; f++) {
		if (figs[f].skip)
			continue;
		if (figs[f].error || !figs[f].n)
			failed++;
		else
			passed++;
	}
	print_table();
	if (write_json(json, quick, curve_n, (now_ns() - t0) / 1e9) || write_dat(dat))
		failed++;
	else
		printf("\nodm-bench: %s, %s (%.1f s)\n", json, dat, (now_ns() - t0) / 1e9);
	rc = failed ? 1 : 0;
cleanup:
	world_teardown();
	printf("%d passed, %d failed\n", passed, failed ? failed : (rc ? 1 : 0));
	return rc;
}
