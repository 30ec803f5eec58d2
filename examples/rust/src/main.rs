// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
//! odm-client in Rust: ask for a source address type with setsc(), bind it
//! (RFC 8653 section 4.1), connect over TCP, send one line.
//!
//!   odm-client [-o] TYPE DST PORT
//!     -o     IPV6_REQUIRE_SRC_ON_NET: a fresh prefix from the network
//!     TYPE   fixed, session-lasting, non-persistent, graceful-replacement, or a number
//!
//! Exit 0 when the line was sent, 1 when setsc() or the connection failed
//! (the error on stderr), 2 on usage.
//!
//! std has no socket that is made, typed and only then connected, so the
//! socket is the C library's, handed to a TcpStream once connected.

mod odm;

use std::io::{self, Write};
use std::net::{Ipv6Addr, TcpStream};
use std::os::raw::{c_int, c_void};
use std::os::unix::io::FromRawFd;
use std::process::exit;

const AF_INET6: c_int = 10;
const SOCK_STREAM: c_int = 1;
const SOCK_CLOEXEC: c_int = 0o2000000;

/// struct sockaddr_in6, in the kernel's layout.
#[repr(C)]
struct SockaddrIn6 {
    family: u16,
    port: u16, // network order
    flowinfo: u32,
    addr: [u8; 16],
    scope_id: u32,
}

extern "C" {
    fn socket(domain: c_int, ty: c_int, proto: c_int) -> c_int;
    fn bind(fd: c_int, sa: *const c_void, len: u32) -> c_int;
    fn connect(fd: c_int, sa: *const c_void, len: u32) -> c_int;
}

fn sockaddr(addr: Ipv6Addr, port: u16) -> SockaddrIn6 {
    SockaddrIn6 {
        family: AF_INET6 as u16,
        port: port.to_be(),
        flowinfo: 0,
        addr: addr.octets(),
        scope_id: 0,
    }
}

fn check(what: &str, rc: c_int) -> Result<(), String> {
    if rc < 0 {
        return Err(format!("{}: {}", what, io::Error::last_os_error()));
    }
    Ok(())
}

fn usage() -> ! {
    eprintln!("usage: odm-client [-o] TYPE DST PORT");
    exit(2)
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut flags = 0;
    if args.first().map(String::as_str) == Some("-o") {
        flags = odm::IPV6_REQUIRE_SRC_ON_NET;
        args.remove(0);
    }
    if args.len() != 3 {
        usage();
    }
    let t = odm::type_parse(&args[0]).unwrap_or_else(|| {
        eprintln!("odm-client: unknown type '{}'", args[0]);
        exit(2)
    });
    let (dst, port) = match (args[1].parse::<Ipv6Addr>(), args[2].parse::<u16>()) {
        (Ok(d), Ok(p)) if p != 0 => (d, p),
        _ => usage(),
    };

    // SAFETY: a plain system call; the descriptor is owned by the TcpStream below
    // or leaked at exit.
    let fd = unsafe { socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0) };
    if fd < 0 {
        eprintln!("odm-client: socket: {}", io::Error::last_os_error());
        exit(1);
    }
    let src = odm::set_sc(fd, t, flags).unwrap_or_else(|e| {
        eprintln!("odm-client: setsc {}: {}", args[0], e);
        exit(1)
    });
    let run = || -> Result<(), String> {
        let (s, d) = (sockaddr(src, 0), sockaddr(dst, port));
        let len = std::mem::size_of::<SockaddrIn6>() as u32;
        // SAFETY: s and d are sockaddr_in6 of the length given.
        check("bind", unsafe {
            bind(fd, &s as *const _ as *const c_void, len)
        })?;
        check("connect", unsafe {
            connect(fd, &d as *const _ as *const c_void, len)
        })?;
        // SAFETY: fd is a connected TCP socket that nothing else owns.
        let mut conn = unsafe { TcpStream::from_raw_fd(fd) };
        let local = conn.local_addr().map_err(|e| e.to_string())?;
        println!(
            "asked {} setsc {} local {}",
            odm::type_name(t),
            src,
            local.ip()
        );
        // One write: the peer reads one segment (writeln! writes piece by piece).
        let line = format!("asked={} handed={}\n", odm::type_name(t), src);
        conn.write_all(line.as_bytes()).map_err(|e| e.to_string())
    };
    if let Err(e) = run() {
        eprintln!("odm-client: {}", e);
        exit(1);
    }
}
