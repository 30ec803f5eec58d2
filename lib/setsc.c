// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * setsc.c - RFC 8653 section 6.1 setsc() on top of odm's BPF programs.
 *
 * The request is a setsockopt() of a private IPPROTO_IPV6 option that the
 * cgroup/setsockopt program consumes; the answer is read back with a
 * getsockopt() the cgroup/getsockopt program answers.  Both work for any
 * unprivileged process in the attached cgroup: no bpf() call, no daemon
 * round trip when a prefix of the type is configured.  Without odm the
 * kernel answers ENOPROTOOPT, which is the legacy host of section 5.1.
 */
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/types.h>

#include "odm.h"
#include "../bpf/odm_abi.h"

#define ODM_EXPORT __attribute__((visibility("default")))

/* The socket's family, or EAI_SYSTEM with errno set (EBADF, ENOTSOCK). */
static int sock_family(int fd, int *family)
{
	socklen_t len = sizeof(*family);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, family, &len))
		return EAI_SYSTEM;
	return 0;
}

static int sys_error(int err)
{
	errno = err;
	return EAI_SYSTEM;
}

ODM_EXPORT int setsc(int sockfd, struct in6_addr *sourceAddress, sc_type addressType)
{
	struct odm_sc_req req = { .version = ODM_ABI_VERSION, .type = addressType };
	struct odm_sc_result res;
	socklen_t len = sizeof(res);
	int family, ret;

	if (!sourceAddress || addressType > 7)
		return sys_error(EINVAL);
	ret = sock_family(sockfd, &family);
	if (ret)
		return ret;
	if (family != AF_INET6)
		return sys_error(EAFNOSUPPORT);
	if (addressType == 0 || addressType > ODM_TYPE_MAX)
		return EAI_REQUIREDIPNOTSUPPORTED;	/* reserved values */

	if (setsockopt(sockfd, IPPROTO_IPV6, ODM_SO_SC_TYPE, &req, sizeof(req)))
		return errno == ENOPROTOOPT ? EAI_REQUIREDIPNOTSUPPORTED : EAI_SYSTEM;
	memset(&res, 0, sizeof(res));
	if (getsockopt(sockfd, IPPROTO_IPV6, ODM_SO_SC_RESULT, &res, &len))
		return errno == ENOPROTOOPT ? EAI_REQUIREDIPNOTSUPPORTED : EAI_SYSTEM;
	if (len != sizeof(res) || res.version != ODM_ABI_VERSION)
		return sys_error(EPROTO);

	switch (res.status) {
	case ODM_ST_OK:
		memcpy(sourceAddress, res.addr, sizeof(*sourceAddress));
		return 0;
	case ODM_ST_NO_PREFIX:
		return EAI_REQUIREDIPNOTSUPPORTED;
	case ODM_ST_NEED_NET:
		return EAI_REQUIREDIPFAILED;
	default:
		return sys_error(EPROTO);
	}
}

ODM_EXPORT const char *setsc_strerror(int err)
{
	switch (err) {
	case 0:
		return "Success";
	case EAI_REQUIREDIPNOTSUPPORTED:
		return "Required source address type not supported";
	case EAI_REQUIREDIPFAILED:
		return "Required source address type could not be provided";
	case EAI_SYSTEM:
		return "System error (see errno)";
	default:
		return "Unknown setsc() error";
	}
}
