#!/usr/bin/env python3
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""client.py - odm-client in Python: ask for a source address type with
setsc(), bind it (RFC 8653 section 4.1), connect over TCP, send one line.

    client.py [-o] TYPE DST PORT
      -o     IPV6_REQUIRE_SRC_ON_NET: a fresh prefix from the network
      TYPE   fixed, session-lasting, non-persistent, graceful-replacement,
             an <odm.h> name, or a number

Prints "asked TYPE setsc ADDR local ADDR"; exit 0 when the line was sent,
1 when setsc() or the connection failed (the error on stderr), 2 on usage.
"""
import argparse
import socket
import sys

import odm


def main():
    ap = argparse.ArgumentParser(prog="client.py")
    ap.add_argument("-o", dest="on_net", action="store_true")
    ap.add_argument("type")
    ap.add_argument("dst")
    ap.add_argument("port", type=int)
    args = ap.parse_args()
    try:
        addr_type = odm.type_parse(args.type)
    except ValueError:
        print("client.py: unknown type '%s'" % args.type, file=sys.stderr)
        return 2

    with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
        try:
            src = odm.setsc(s, addr_type, odm.IPV6_REQUIRE_SRC_ON_NET if args.on_net else 0)
        except odm.SetscError as e:
            print("client.py: setsc %s: %s (%d)" % (args.type, e.strerror, e.errno),
                  file=sys.stderr)
            return 1
        except OSError as e:
            print("client.py: setsc %s: %s (errno %d)" % (args.type, e.strerror, e.errno),
                  file=sys.stderr)
            return 1
        try:
            s.bind((src, 0))
            s.connect((args.dst, args.port))
            local = s.getsockname()[0]
            print("asked %s setsc %s local %s" % (odm.type_name(addr_type), src, local))
            s.sendall(("asked=%s handed=%s\n" % (odm.type_name(addr_type), src)).encode())
        except OSError as e:
            print("client.py: %s" % e, file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
