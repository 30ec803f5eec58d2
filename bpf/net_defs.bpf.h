/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * net_defs.bpf.h - the few UAPI macros odm's BPF programs need.  vmlinux.h
 * carries types and enums but no #defines, and the libc headers cannot be
 * mixed with it, so the values are restated here (they are ABI and never
 * change).
 */
#ifndef ODM_NET_DEFS_BPF_H
#define ODM_NET_DEFS_BPF_H

#define AF_INET			2
#define AF_INET6		10

#define SOCK_STREAM		1
#define SOCK_DGRAM		2

#define SOL_IPV6		41
#define IPV6_ADDR_PREFERENCES	72

/* RFC 5014 flags, include/uapi/linux/in6.h */
#define IPV6_PREFER_SRC_TMP		0x0001
#define IPV6_PREFER_SRC_PUBLIC		0x0002
#define IPV6_PREFER_SRC_COA		0x0004
#define IPV6_PREFER_SRC_CGA		0x0008
#define IPV6_PREFER_SRC_PUBTMP_DEFAULT	0x0100
#define IPV6_PREFER_SRC_HOME		0x0400
#define IPV6_PREFER_SRC_NONCGA		0x0800

#define ENOMEM			12
#define EINVAL			22
#define ENOSPC			28
#define EAFNOSUPPORT		97
#define EADDRNOTAVAIL		99
#define EISCONN			106

#endif
