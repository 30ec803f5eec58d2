// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * exec.c - odm exec: run an unmodified program with a default address type,
 * the way `ip netns exec` runs one in a namespace and `systemd-run --scope`
 * in a cgroup.
 *
 * odm's BPF programs apply to every cgroup below the one odmd attached to,
 * and the odm_policy entry of the deepest cgroup that has one gives a new
 * socket its default type.  So odm exec:
 *
 *   1. finds odm's cgroup (odm_info in the pinned maps: its id, then the
 *      path under the cgroup2 mount);
 *   2. creates the child cgroup (default "odm-exec.TYPE" below it, or
 *      --cgroup PATH, relative to odm's cgroup) and sets its policy's
 *      default type (other fields of an existing policy are kept);
 *   3. forks; the child writes itself to cgroup.procs, drops to --user
 *      (setgid, initgroups, setuid), restores the signals and execs;
 *   4. waits, then removes the cgroup, and its policy, if it is empty:
 *      one still holding processes (the command's daemons, another odm
 *      exec sharing it) is left, to be removed by whoever empties it last.
 *
 * The exit status is the command's (128 + N when signal N killed it; 126
 * and 127 when it could not be executed, as the shell says), so odm exec
 * composes in scripts.  Before the fork every doubt is a usage error (2):
 * an unknown user, a cgroup outside odm's.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <bpf/bpf.h>

#include "cli.h"

/* Where the child failed before exec, reported through the status pipe. */
enum child_stage { ST_CGROUP = 1, ST_GROUPS, ST_GID, ST_UID, ST_EXEC };

struct child_err {
	int stage;
	int err;
};

struct target {
	char path[PATH_MAX];	/* the child cgroup, absolute */
	__u64 cgid;
	bool user;
	uid_t uid;
	gid_t gid;
	char name[256];		/* for initgroups() */
};

static pid_t child = -1;

/* SIGTERM or SIGHUP to odm goes to the command: odm waits to clean up. */
static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* --user NAME or UID: a passwd entry, or a bare number (its own group). */
static int resolve_user(const char *user, struct target *t)
{
	struct passwd *pw;
	char *end;
	unsigned long n;

	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		errno = 0;
		n = strtoul(user, &end, 10);
		if (errno || *end || end == user || n >= (uid_t)-1)
			return -ESRCH;
		pw = getpwuid((uid_t)n);
		if (!pw) {
			t->uid = (uid_t)n;
			t->gid = (gid_t)n;
			t->name[0] = '\0';
			t->user = true;
			return 0;
		}
	}
	t->uid = pw->pw_uid;
	t->gid = pw->pw_gid;
	snprintf(t->name, sizeof(t->name), "%s", pw->pw_name);
	t->user = true;
	return 0;
}

/* The path of odm's cgroup (where odmd attached the programs). */
static int odm_cgroup(const struct cli_cmd *c, char *path, size_t len)
{
	char root[PATH_MAX], rel[PATH_MAX];
	struct odm_info info;
	struct odm_maps m;
	int err;

	err = cli_open_maps(c, &m);
	if (err)
		return err;
	err = odm_info_get(&m, &info);
	odm_maps_close(&m);
	if (err || !info.cgroup_id) {
		cli_errmsg(err ? err : ENOENT, "odm's maps in %s do not say which cgroup it is "
			   "attached to", c->pin_dir);
		return err ? err : -ENOENT;
	}
	err = odm_cgroup2_root(root, sizeof(root));
	if (!err)
		err = odm_cgroup_path(info.cgroup_id, rel, sizeof(rel));
	if (!err && snprintf(path, len, "%s%s", root, strcmp(rel, "/") ? rel : "") >= (int)len)
		err = -ENAMETOOLONG;
	if (err)
		cli_errmsg(err, "cannot find odm's cgroup (id %llu): %s",
			   (unsigned long long)info.cgroup_id, strerror(-err));
	return err;
}

/* mkdir -p below base (which exists). */
static int make_cgroup(const char *base, const char *path)
{
	char buf[PATH_MAX];
	size_t i = strlen(base);

	snprintf(buf, sizeof(buf), "%s", path);
	for (i = i + 1; ; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		if (i > 0 && buf[i - 1] != '/') {
			char ch = buf[i];

			buf[i] = '\0';
			if (mkdir(buf, 0755) && errno != EEXIST)
				return -errno;
			buf[i] = ch;
		}
		if (!buf[i])
			return 0;
	}
}

/*
 * The child cgroup: --cgroup relative to odm's cgroup (an absolute path
 * must lie inside it), else odm-exec.TYPE (odm-exec without a type).
 */
static int target_path(const struct cli_cmd *c, const char *base, struct target *t)
{
	const char *rel = c->cgroup;
	char def[64];
	size_t bl = strlen(base);
	int n;

	if (!rel) {
		snprintf(def, sizeof(def), "odm-exec%s%s", c->has_type ? "." : "",
			 c->has_type ? odm_type_name(c->type) : "");
		rel = def;
	}
	if (rel[0] == '/') {
		char root[PATH_MAX];

		/* A path on the mount, or one from its root as odm policy shows them. */
		if (strncmp(rel, base, bl) && odm_cgroup2_root(root, sizeof(root)) == 0 &&
		    strncmp(rel, root, strlen(root))) {
			n = snprintf(t->path, sizeof(t->path), "%s%s", root, rel);
			if (n >= (int)sizeof(t->path))
				return -ENAMETOOLONG;
		} else {
			snprintf(t->path, sizeof(t->path), "%s", rel);
		}
		if (strncmp(t->path, base, bl) || t->path[bl] != '/' || !t->path[bl + 1])
			return -EXDEV;
		n = (int)strlen(t->path);
	} else {
		n = snprintf(t->path, sizeof(t->path), "%s/%s", base, rel);
	}
	if (n >= (int)sizeof(t->path))
		return -ENAMETOOLONG;
	while ((n = (int)strlen(t->path)) > 1 && t->path[n - 1] == '/')
		t->path[n - 1] = '\0';
	return 0;
}

/* The policy's default type, the other fields as they were. */
static int set_default(const struct cli_cmd *c, struct target *t)
{
	struct odm_maps m;
	int err;

	err = cli_open_maps(c, &m);
	if (err)
		return err;
	err = odm_maps_lock(&m);
	if (!err) {
		err = odm_policy_set_default(&m, t->cgid, c->type);
		odm_maps_unlock(&m);
	}
	odm_maps_close(&m);
	if (err)
		cli_errmsg(err, "cannot set the default type of %s: %s", t->path, strerror(-err));
	return err;
}

/* After the command: an empty cgroup goes, with its policy. */
static void cleanup(const struct cli_cmd *c, const struct target *t)
{
	struct odm_maps m;

	if (rmdir(t->path))
		return;		/* EBUSY: still used (left to the last one out) */
	if (odm_maps_open(&m, c->pin_dir))
		return;
	if (odm_maps_lock(&m) == 0) {
		odm_policy_del(&m, t->cgid);
		odm_maps_unlock(&m);
	}
	odm_maps_close(&m);
}

/* odm exec's status when the child failed before exec: 127 when the
 * command is not found, 126 when it cannot run, as the shell says. */
static int child_status(const struct child_err *ce)
{
	if (ce->stage != ST_EXEC)
		return CLI_ERROR;
	return ce->err == ENOENT ? 127 : 126;
}

/* The child: into the cgroup, down to the user, exec.  Never returns. */
static void run_child(const struct cli_cmd *c, const struct target *t, int status_fd)
{
	struct child_err ce = { 0 };
	char procs[PATH_MAX + 16];
	int fd;

	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", t->path);
	/* "0" moves the writer itself: no pid to race with. */
	fd = open(procs, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "0", 1) != 1) {
		ce = (struct child_err){ ST_CGROUP, errno };
		goto fail;
	}
	close(fd);
	if (t->user) {
		if ((t->name[0] ? initgroups(t->name, t->gid) : setgroups(0, NULL)) < 0) {
			ce = (struct child_err){ ST_GROUPS, errno };
			goto fail;
		}
		if (setgid(t->gid) < 0) {
			ce = (struct child_err){ ST_GID, errno };
			goto fail;
		}
		if (setuid(t->uid) < 0) {
			ce = (struct child_err){ ST_UID, errno };
			goto fail;
		}
	}
	execvp(c->argv[0], c->argv);
	ce = (struct child_err){ ST_EXEC, errno };
fail:
	if (write(status_fd, &ce, sizeof(ce)) < 0)
		_exit(127);
	_exit(child_status(&ce));
}

static void say_child_error(const struct cli_cmd *c, const struct target *t,
			    const struct child_err *ce)
{
	switch (ce->stage) {
	case ST_CGROUP:
		cli_errmsg(ce->err, "cannot move into %s: %s", t->path, strerror(ce->err));
		break;
	case ST_GROUPS:
	case ST_GID:
	case ST_UID:
		cli_errmsg(ce->err, "cannot become user %s: %s", c->user, strerror(ce->err));
		break;
	default:
		cli_errmsg(ce->err, "cannot execute %s: %s", c->argv[0], strerror(ce->err));
		break;
	}
}

int cli_exec(const struct cli_cmd *c)
{
	struct sigaction sa = { .sa_handler = forward };
	struct target t = { 0 };
	struct child_err ce;
	char base[PATH_MAX];
	int pipefd[2], status, err, tries;
	ssize_t n;

	if (c->user && resolve_user(c->user, &t)) {
		cli_errmsg(ESRCH, "no user '%s'", c->user);
		return CLI_USAGE;
	}
	if (odm_cgroup(c, base, sizeof(base)))
		return CLI_ERROR;
	err = target_path(c, base, &t);
	if (err) {
		cli_errmsg(err, "cgroup '%s' is not below odm's cgroup %s", c->cgroup, base);
		return CLI_USAGE;
	}
	/*
	 * Another odm exec of the type may remove the cgroup between our
	 * mkdir and the child's move: make it again, a few times.
	 */
	for (tries = 0; tries < 3; tries++) {
		err = make_cgroup(base, t.path);
		if (!err)
			err = odm_cgroup_id(t.path, &t.cgid);
		if (!err && c->has_type && set_default(c, &t))
			return CLI_ERROR;
		if (err) {
			cli_errmsg(err, "cannot create cgroup %s: %s", t.path, strerror(-err));
			return err == -ENOENT || err == -ENOTDIR ? CLI_USAGE : CLI_ERROR;
		}
		if (pipe2(pipefd, O_CLOEXEC)) {
			cli_errmsg(errno, "cannot create a pipe: %s", strerror(errno));
			return CLI_ERROR;
		}
		fflush(NULL);
		child = fork();
		if (child < 0) {
			cli_errmsg(errno, "cannot fork: %s", strerror(errno));
			close(pipefd[0]);
			close(pipefd[1]);
			cleanup(c, &t);
			return CLI_ERROR;
		}
		if (child == 0) {
			close(pipefd[0]);
			run_child(c, &t, pipefd[1]);
		}
		/* The terminal's ^C reaches the command; odm waits for it. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		close(pipefd[1]);
		/* EOF: exec succeeded (the pipe was close-on-exec). */
		do
			n = read(pipefd[0], &ce, sizeof(ce));
		while (n < 0 && errno == EINTR);
		close(pipefd[0]);
		while (waitpid(child, &status, 0) < 0)
			if (errno != EINTR) {
				status = CLI_ERROR << 8;
				break;
			}
		if (n == sizeof(ce) && ce.stage == ST_CGROUP && ce.err == ENOENT)
			continue;	/* removed under us: again */
		cleanup(c, &t);
		if (n == sizeof(ce)) {
			say_child_error(c, &t, &ce);
			return child_status(&ce);
		}
		if (WIFSIGNALED(status))
			return 128 + WTERMSIG(status);
		return WEXITSTATUS(status);
	}
	cli_errmsg(ENOENT, "cgroup %s keeps disappearing", t.path);
	return CLI_ERROR;
}
