"""Keep the pose library off the network: build the landmarker in a thread that cannot open one.

Why: MediaPipe's native library sends a usage log to Google (it resolves play.googleapis.com
and opens TLS to it on port 443, a Clearcut endpoint) every time a model is loaded, and it
has no option to turn that off. The landmarker is therefore created in a short-lived thread
under a seccomp filter that refuses ``socket()`` of any family (so not even a local name
service such as nscd or systemd-resolved can be asked to look the name up) and io_uring
(which could open sockets past the filter). The landmarker needs no socket. A filter is inherited by every
thread the library starts from there, and by nothing else: the rest of the process keeps
its network, unprivileged, no root needed. Linux on x86-64 and arm64 only; elsewhere
``install_filter`` says it could not.
"""
from __future__ import annotations

import ctypes
import errno
import platform
import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

# machine -> (AUDIT_ARCH_*, mask applied to the syscall number, __NR_socket, __NR_seccomp)
_ARCHES = {
    "x86_64": (0xC000003E, 0xBFFFFFFF, 41, 317),  # the mask folds x32 numbers onto x86-64's
    "aarch64": (0xC00000B7, 0xFFFFFFFF, 198, 277),
}
_NR_IO_URING_SETUP = 425  # the same on both
_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_LD_W_ABS, _ALU_AND_K, _JEQ_K, _RET_K = 0x20, 0x54, 0x15, 0x06


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def filter_program(arch: int, mask: int, nr_socket: int) -> list[tuple[int, int, int, int]]:
    """The classic-BPF program: (code, jump if true, jump if false, k), jumps relative."""
    return [
        (_LD_W_ABS, 0, 0, 4),                      # 0 seccomp_data.arch
        (_JEQ_K, 1, 0, arch),                      # 1 native ABI -> 3
        (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES),  # 2 a foreign ABI (e.g. int 0x80): refuse all
        (_LD_W_ABS, 0, 0, 0),                      # 3 seccomp_data.nr
        (_ALU_AND_K, 0, 0, mask),                  # 4
        (_JEQ_K, 0, 1, _NR_IO_URING_SETUP),        # 5
        (_RET_K, 0, 0, _RET_ERRNO | errno.ENOSYS),  # 6 io_uring: "not available"
        (_JEQ_K, 0, 1, nr_socket),                 # 7
        (_RET_K, 0, 0, _RET_ERRNO | errno.EACCES),  # 8 socket(), of any family: permission denied
        (_RET_K, 0, 0, _RET_ALLOW),                # 9
    ]


def install_filter() -> str | None:
    """Deny sockets to the calling thread and the threads it starts from now on.

    Irreversible for this thread. Returns None when installed, else why not."""
    if not sys.platform.startswith("linux"):
        return f"not on {sys.platform}"
    spec = _ARCHES.get(platform.machine())
    if spec is None:
        return f"not on {platform.machine()}"
    arch, mask, nr_socket, nr_seccomp = spec
    prog = filter_program(arch, mask, nr_socket)
    insns = (_SockFilter * len(prog))(*(_SockFilter(*i) for i in prog))
    fprog = _SockFprog(len(prog), insns)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(NO_NEW_PRIVS) failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    if libc.syscall(nr_seccomp, _SECCOMP_SET_MODE_FILTER, 0, ctypes.byref(fprog)) != 0:
        return f"seccomp failed: {errno.errorcode.get(ctypes.get_errno(), '?')}"
    return None


def call_offline(fn: Callable[[], T]) -> tuple[T, str | None]:
    """``fn()`` run in a fresh thread under ``install_filter``: (its result, why unguarded or None).

    Its exception, if any, is re-raised here."""
    box: dict = {}

    def run():
        box["why"] = install_filter()
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the calling thread
            box["error"] = exc

    t = threading.Thread(target=run, name="pose-offline", daemon=True)
    t.start()
    interrupted = False
    while t.is_alive():  # a Ctrl-C waits for the native call: never left running at exit
        try:
            t.join()
        except KeyboardInterrupt:
            interrupted = True
    if interrupted:
        _close(box.get("value"))
        raise KeyboardInterrupt
    if "error" in box:
        raise box["error"]
    return box["value"], box["why"]


def _close(obj) -> None:
    try:
        getattr(obj, "close", lambda: None)()
    except Exception:  # noqa: BLE001 - already interrupted; the interrupt is what matters
        pass
