# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
"""odm - RFC 8653 setsc() for Python, through ctypes and the installed libodm.

    import socket, odm
    s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
    addr = odm.setsc(s, odm.FIXED_IPV6_ADDRESS)     # '2001:db8:f1::10'
    s.bind((addr, 0))                               # RFC 8653 section 4.1
    s.connect(('2001:db8:ffff::1', 7000))

The names and values are <odm.h>'s.  setsc() raises OSError:
  - odm.SetscError (a socket.gaierror, as the C API answers like
    getaddrinfo()) with .errno EAI_REQUIREDIPNOTSUPPORTED or
    EAI_REQUIREDIPFAILED and .strerror from setsc_strerror();
  - a plain OSError with the system's errno (EINVAL, EBADF, ENOTSOCK,
    EAFNOSUPPORT, EISCONN, ...) for the C API's EAI_SYSTEM.

libodm is loaded by its soname, libodm.so.1, as the dynamic loader finds it
(the system's library directories, or LD_LIBRARY_PATH).
"""
import ctypes
import os
import socket

__all__ = ["setsc", "setsc_strerror", "SetscError", "type_parse", "type_name",
           "FIXED_IPV6_ADDRESS", "SESSION_LASTING_IPV6_ADDRESS",
           "NON_PERSISTENT_IPV6_ADDRESS", "GRACEFUL_REPLACEMENT_IPV6_ADDRESS",
           "IPV6_REQUIRE_SRC_ON_NET", "EAI_REQUIREDIPNOTSUPPORTED", "EAI_REQUIREDIPFAILED"]

# <odm.h>: the types (section 6.1), the ON_NET flag (section 6.2), the results.
FIXED_IPV6_ADDRESS = 1
SESSION_LASTING_IPV6_ADDRESS = 2
NON_PERSISTENT_IPV6_ADDRESS = 3
GRACEFUL_REPLACEMENT_IPV6_ADDRESS = 4
IPV6_REQUIRE_SRC_ON_NET = 0x10000
EAI_REQUIREDIPNOTSUPPORTED = -200
EAI_REQUIREDIPFAILED = -201
EAI_SYSTEM = -11            # glibc's <netdb.h>

# Linux's <netinet/in.h>; the socket module does not name it.
IPV6_ADDR_PREFERENCES = getattr(socket, "IPV6_ADDR_PREFERENCES", 72)

_NAMES = {
    FIXED_IPV6_ADDRESS: "fixed",
    SESSION_LASTING_IPV6_ADDRESS: "session-lasting",
    NON_PERSISTENT_IPV6_ADDRESS: "non-persistent",
    GRACEFUL_REPLACEMENT_IPV6_ADDRESS: "graceful-replacement",
}
_RFC_NAMES = {
    "FIXED_IPV6_ADDRESS": FIXED_IPV6_ADDRESS,
    "SESSION_LASTING_IPV6_ADDRESS": SESSION_LASTING_IPV6_ADDRESS,
    "NON_PERSISTENT_IPV6_ADDRESS": NON_PERSISTENT_IPV6_ADDRESS,
    "GRACEFUL_REPLACEMENT_IPV6_ADDRESS": GRACEFUL_REPLACEMENT_IPV6_ADDRESS,
}

_lib = ctypes.CDLL("libodm.so.1", use_errno=True)
_lib.setsc.argtypes = [ctypes.c_int, ctypes.POINTER(ctypes.c_ubyte * 16), ctypes.c_uint8]
_lib.setsc.restype = ctypes.c_int
_lib.setsc_strerror.argtypes = [ctypes.c_int]
_lib.setsc_strerror.restype = ctypes.c_char_p


class SetscError(socket.gaierror):
    """setsc() answered EAI_REQUIREDIPNOTSUPPORTED or EAI_REQUIREDIPFAILED."""


def setsc_strerror(code):
    """libodm's English text for a setsc() result."""
    return _lib.setsc_strerror(code).decode()


def type_parse(s):
    """A type from its odm name (fixed, ...), its <odm.h> name or its number."""
    for value, name in _NAMES.items():
        if s.lower() in (name, name.replace("-", "_")):
            return value
    if s.upper() in _RFC_NAMES:
        return _RFC_NAMES[s.upper()]
    return int(s, 0)        # reserved numbers too: libodm judges them


def type_name(value):
    return _NAMES.get(value, "reserved")


def _fileno(sock):
    return sock if isinstance(sock, int) else sock.fileno()


def setsc(sock, addr_type, flags=0):
    """Ask odm for a source address of addr_type for sock (a socket or a
    descriptor); return it as a string.  flags may hold
    IPV6_REQUIRE_SRC_ON_NET: a fresh prefix from the network (section 6.2),
    set with IPV6_ADDR_PREFERENCES as the C API wants it."""
    fd = _fileno(sock)
    if not 0 <= addr_type <= 255:       # sc_type is 8 bits: do not let ctypes wrap it
        raise OSError(22, os.strerror(22) + ": type %d" % addr_type)
    if flags & ~IPV6_REQUIRE_SRC_ON_NET:
        raise OSError(22, os.strerror(22) + ": flags %#x" % flags)
    if flags & IPV6_REQUIRE_SRC_ON_NET:
        s = socket.socket(fileno=os.dup(fd))    # borrow fd without owning it
        try:
            prefs = s.getsockopt(socket.IPPROTO_IPV6, IPV6_ADDR_PREFERENCES)
            s.setsockopt(socket.IPPROTO_IPV6, IPV6_ADDR_PREFERENCES,
                         prefs | IPV6_REQUIRE_SRC_ON_NET)
        finally:
            s.close()
    addr = (ctypes.c_ubyte * 16)()
    rc = _lib.setsc(fd, ctypes.byref(addr), addr_type)
    if rc == 0:
        return socket.inet_ntop(socket.AF_INET6, bytes(addr))
    if rc == EAI_SYSTEM:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    raise SetscError(rc, setsc_strerror(rc))
