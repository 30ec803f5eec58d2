// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)

// odm-client in Go: ask for a source address type with setsc() in the
// Dialer's Control function, bind it there (RFC 8653 section 4.1), connect
// over TCP, send one line.
//
//	client [-o] TYPE DST PORT
//	  -o     IPV6_REQUIRE_SRC_ON_NET: a fresh prefix from the network
//	  TYPE   fixed, session-lasting, non-persistent, graceful-replacement, or a number
//
// Exit 0 when the line was sent, 1 when setsc() or the connection failed
// (the error on stderr), 2 on usage.
package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	"syscall"

	"odm.example/client/odm"
)

func main() {
	onNet := flag.Bool("o", false, "IPV6_REQUIRE_SRC_ON_NET: a fresh prefix from the network")
	flag.Usage = func() { fmt.Fprintln(os.Stderr, "usage: client [-o] TYPE DST PORT") }
	flag.Parse()
	if flag.NArg() != 3 {
		flag.Usage()
		os.Exit(2)
	}
	typeArg := flag.Arg(0)
	t, ok := odm.ParseType(typeArg)
	if !ok {
		fmt.Fprintf(os.Stderr, "client: unknown type '%s'\n", typeArg)
		os.Exit(2)
	}
	flags := 0
	if *onNet {
		flags = odm.RequireSrcOnNet
	}

	var src net.IP
	var scErr error
	d := net.Dialer{
		// Runs on the new socket before connect(): the place for setsc().
		Control: func(network, address string, c syscall.RawConn) error {
			err := c.Control(func(fd uintptr) {
				src, scErr = odm.Setsc(int(fd), t, flags)
				if scErr == nil {
					sa := &syscall.SockaddrInet6{}
					copy(sa.Addr[:], src)
					scErr = syscall.Bind(int(fd), sa)
				}
			})
			if err != nil {
				return err
			}
			return scErr
		},
	}
	conn, err := d.Dial("tcp6", net.JoinHostPort(flag.Arg(1), flag.Arg(2)))
	if err != nil {
		var oe *odm.Error
		var errno syscall.Errno
		switch {
		case errors.As(scErr, &oe):
			fmt.Fprintf(os.Stderr, "client: setsc %s: %v (%d)\n", typeArg, oe, oe.Code)
		case errors.As(scErr, &errno):
			fmt.Fprintf(os.Stderr, "client: setsc %s: %v (errno %d)\n", typeArg, errno,
				int(errno))
		default:
			fmt.Fprintf(os.Stderr, "client: %v\n", err)
		}
		os.Exit(1)
	}
	defer conn.Close()
	local := conn.LocalAddr().(*net.TCPAddr).IP
	fmt.Printf("asked %s setsc %s local %s\n", t, src, local)
	if _, err := fmt.Fprintf(conn, "asked=%s handed=%s\n", t, src); err != nil {
		fmt.Fprintf(os.Stderr, "client: %v\n", err)
		os.Exit(1)
	}
}
