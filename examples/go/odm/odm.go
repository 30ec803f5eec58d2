// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// Package odm is RFC 8653 setsc() for Go, through cgo and the installed
// libodm (found by pkg-config).  Call it on the socket before connect(),
// from a net.Dialer's Control function:
//
//	d := net.Dialer{Control: func(network, address string, c syscall.RawConn) error {
//		var err error
//		if cerr := c.Control(func(fd uintptr) { _, err = odm.Setsc(int(fd), odm.Fixed, 0) }); cerr != nil {
//			return cerr
//		}
//		return err
//	}}
//	conn, err := d.Dial("tcp6", "[2001:db8:ffff::1]:7000")
package odm

/*
#cgo pkg-config: libodm
#include <errno.h>
#include <netinet/in.h>
#include <odm.h>
*/
import "C"

import (
	"net"
	"syscall"
	"unsafe"
)

// Type is a requested type of session continuity service (<odm.h> sc_type).
type Type uint8

// The section 6.1 types.  0 and 5-7 are reserved.
const (
	Fixed               Type = C.FIXED_IPV6_ADDRESS
	SessionLasting      Type = C.SESSION_LASTING_IPV6_ADDRESS
	NonPersistent       Type = C.NON_PERSISTENT_IPV6_ADDRESS
	GracefulReplacement Type = C.GRACEFUL_REPLACEMENT_IPV6_ADDRESS
)

// RequireSrcOnNet asks for a fresh prefix from the network (section 6.2).
const RequireSrcOnNet = C.IPV6_REQUIRE_SRC_ON_NET

// setsc() results besides 0 and EAI_SYSTEM.
const (
	EAIRequiredIPNotSupported = C.EAI_REQUIREDIPNOTSUPPORTED
	EAIRequiredIPFailed       = C.EAI_REQUIREDIPFAILED
)

var names = map[Type]string{
	Fixed:               "fixed",
	SessionLasting:      "session-lasting",
	NonPersistent:       "non-persistent",
	GracefulReplacement: "graceful-replacement",
}

// String is odm's name of the type, "reserved" for the others.
func (t Type) String() string {
	if n, ok := names[t]; ok {
		return n
	}
	return "reserved"
}

// ParseType takes odm's names; a number is passed on as it is, reserved
// ones too, for libodm to judge.
func ParseType(s string) (Type, bool) {
	for t, n := range names {
		if s == n {
			return t, true
		}
	}
	var v uint
	for _, c := range s {
		if c < '0' || c > '9' || v > 255 {
			return 0, false
		}
		v = v*10 + uint(c-'0')
	}
	if s == "" || v > 255 {
		return 0, false
	}
	return Type(v), true
}

// Error is a setsc() answer other than success and EAI_SYSTEM (which is
// returned as the syscall.Errno): Code is EAIRequiredIPNotSupported or
// EAIRequiredIPFailed.
type Error struct {
	Code int
}

func (e *Error) Error() string {
	return C.GoString(C.setsc_strerror(C.int(e.Code)))
}

// Setsc asks odm for a source address of type t for the socket fd and
// returns it.  flags may hold RequireSrcOnNet.
func Setsc(fd int, t Type, flags int) (net.IP, error) {
	var addr C.struct_in6_addr

	if flags&^RequireSrcOnNet != 0 {
		return nil, syscall.EINVAL
	}
	if flags&RequireSrcOnNet != 0 {
		prefs, err := syscall.GetsockoptInt(fd, syscall.IPPROTO_IPV6, C.IPV6_ADDR_PREFERENCES)
		if err == nil {
			err = syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, C.IPV6_ADDR_PREFERENCES,
				prefs|RequireSrcOnNet)
		}
		if err != nil {
			return nil, err
		}
	}
	rc, errno := C.setsc(C.int(fd), &addr, C.sc_type(t))
	switch {
	case rc == 0:
		return C.GoBytes(unsafe.Pointer(&addr), 16), nil
	case rc == C.EAI_SYSTEM:
		return nil, errno
	default:
		return nil, &Error{Code: int(rc)}
	}
}
