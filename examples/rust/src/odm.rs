// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
//! RFC 8653 setsc() for Rust: <odm.h> through extern "C", and a safe wrapper.

use std::ffi::CStr;
use std::fmt;
use std::io;
use std::net::Ipv6Addr;
use std::os::raw::{c_char, c_int, c_void};
use std::os::unix::io::RawFd;

/// A requested type of session continuity service (`sc_type`).
pub type ScType = u8;

/// The section 6.1 types.  0 and 5-7 are reserved.
pub const FIXED_IPV6_ADDRESS: ScType = 1;
pub const SESSION_LASTING_IPV6_ADDRESS: ScType = 2;
pub const NON_PERSISTENT_IPV6_ADDRESS: ScType = 3;
pub const GRACEFUL_REPLACEMENT_IPV6_ADDRESS: ScType = 4;

/// Section 6.2: a fresh prefix from the network, an IPV6_ADDR_PREFERENCES flag.
pub const IPV6_REQUIRE_SRC_ON_NET: c_int = 0x10000;

/// setsc() results besides 0 (the client only prints them).
#[allow(dead_code)]
pub const EAI_REQUIREDIPNOTSUPPORTED: c_int = -200;
#[allow(dead_code)]
pub const EAI_REQUIREDIPFAILED: c_int = -201;
const EAI_SYSTEM: c_int = -11; // glibc's <netdb.h>

// Linux's <netinet/in.h> and <sys/socket.h>.
const IPPROTO_IPV6: c_int = 41;
const IPV6_ADDR_PREFERENCES: c_int = 72;

#[link(name = "odm")]
extern "C" {
    fn setsc(sockfd: c_int, source_address: *mut [u8; 16], address_type: ScType) -> c_int;
    fn setsc_strerror(err: c_int) -> *const c_char;
}

extern "C" {
    fn getsockopt(fd: c_int, level: c_int, name: c_int, val: *mut c_void, len: *mut u32) -> c_int;
    fn setsockopt(fd: c_int, level: c_int, name: c_int, val: *const c_void, len: u32) -> c_int;
    fn strerror(errnum: c_int) -> *const c_char;
}

/// The name odm gives a type.
pub fn type_name(t: ScType) -> &'static str {
    match t {
        FIXED_IPV6_ADDRESS => "fixed",
        SESSION_LASTING_IPV6_ADDRESS => "session-lasting",
        NON_PERSISTENT_IPV6_ADDRESS => "non-persistent",
        GRACEFUL_REPLACEMENT_IPV6_ADDRESS => "graceful-replacement",
        _ => "reserved",
    }
}

/// odm's names, or a number (reserved ones too: libodm judges them).
pub fn type_parse(s: &str) -> Option<ScType> {
    (1..=4)
        .find(|&t| type_name(t) == s)
        .or_else(|| s.parse().ok())
}

/// What setsc() can answer besides an address.
#[derive(Debug)]
pub enum Error {
    /// EAI_REQUIREDIPNOTSUPPORTED or EAI_REQUIREDIPFAILED.
    Eai(c_int),
    /// EAI_SYSTEM: the errno.
    Sys(io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            // SAFETY: setsc_strerror() returns a static string, never NULL.
            Error::Eai(code) => write!(
                f,
                "{} ({})",
                unsafe { CStr::from_ptr(setsc_strerror(*code)).to_string_lossy() },
                code
            ),
            Error::Sys(e) => {
                let n = e.raw_os_error().unwrap_or(0);
                // SAFETY: strerror() returns a string, never NULL; no other thread calls it.
                write!(
                    f,
                    "{} (errno {})",
                    unsafe { CStr::from_ptr(strerror(n)).to_string_lossy() },
                    n
                )
            }
        }
    }
}

impl std::error::Error for Error {}

/// Ask odm for a source address of type `t` for the socket `fd`;
/// `flags` may hold IPV6_REQUIRE_SRC_ON_NET.
pub fn set_sc(fd: RawFd, t: ScType, flags: c_int) -> Result<Ipv6Addr, Error> {
    if flags & !IPV6_REQUIRE_SRC_ON_NET != 0 {
        return Err(Error::Sys(io::Error::from_raw_os_error(22))); // EINVAL
    }
    if flags & IPV6_REQUIRE_SRC_ON_NET != 0 {
        let mut prefs: c_int = 0;
        let mut len = std::mem::size_of::<c_int>() as u32;
        // SAFETY: prefs and len outlive the calls and have the sizes given.
        unsafe {
            let p = &mut prefs as *mut c_int as *mut c_void;
            if getsockopt(fd, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, p, &mut len) != 0 {
                return Err(Error::Sys(io::Error::last_os_error()));
            }
            let want = prefs | IPV6_REQUIRE_SRC_ON_NET;
            let p = &want as *const c_int as *const c_void;
            if setsockopt(fd, IPPROTO_IPV6, IPV6_ADDR_PREFERENCES, p, len) != 0 {
                return Err(Error::Sys(io::Error::last_os_error()));
            }
        }
    }
    let mut addr = [0u8; 16];
    // SAFETY: addr is the 16 bytes of a struct in6_addr.
    let rc = unsafe { setsc(fd, &mut addr, t) };
    match rc {
        0 => Ok(Ipv6Addr::from(addr)),
        EAI_SYSTEM => Err(Error::Sys(io::Error::last_os_error())),
        code => Err(Error::Eai(code)),
    }
}
