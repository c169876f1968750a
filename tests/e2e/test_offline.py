"""Nothing leaves the machine: the commands that load the pose model open no network socket.

MediaPipe's native library resolves play.googleapis.com and opens TLS to it whenever a model
is loaded; the tracker builds the landmarker where it cannot (tracker/pose/no_network.py).
The commands are traced with strace: any socket other than AF_UNIX that is created, any
connect/send to a non-local address (a DNS query included), or a name lookup handed to a
local resolver daemon (nscd, systemd-resolved) fails the test.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading

import pytest
from sample_clip import short_clip

from tracker.pose.no_network import call_offline, install_filter

from conftest import PROJECT

_CALL = re.compile(r"\b(socket|connect|sendto|sendmsg|sendmmsg)\((.*)")
_FAMILY = re.compile(r"sa_family=(AF_\w+)")
_RESOLVER = re.compile(r'sun_path="[^"]*(?:nscd|resolve)')


def network_calls(trace: str) -> list[str]:
    """The traced lines that reach past the machine: a non-AF_UNIX socket that was created,
    a connect/send naming a non-AF_UNIX address, or one to a resolver daemon's socket."""
    bad = []
    for line in trace.splitlines():
        m = _CALL.search(line)
        if not m:
            continue
        call, rest = m.groups()
        if call == "socket":
            if not rest.startswith("AF_UNIX") and not re.search(r"= -1 E", line):
                bad.append(line)
        elif set(_FAMILY.findall(rest)) - {"AF_UNIX"} or _RESOLVER.search(rest):
            bad.append(line)
    return bad


def test_the_trace_check_catches_what_the_library_did_before():
    """Lines from a trace of the unguarded library (a DNS query for play.googleapis.com)."""
    before = ('socket(AF_INET, SOCK_DGRAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 6\n'
              'connect(6, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.53")}, 16) = 0\n'
              'connect(6, {sa_family=AF_INET6, sin6_port=htons(443)}, 28) = -1 EINPROGRESS\n'
              'socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE) = 7\n'
              'connect(6, {sa_family=AF_UNIX, sun_path="/var/run/nscd/socket"}, 110) = -1 ENOENT\n')
    assert len(network_calls(before)) == 5
    after = ('socket(AF_UNIX, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, 0) = 6\n'
             'connect(6, {sa_family=AF_UNIX, sun_path="/tmp/.X11-unix/X0"}, 20) = 0\n'
             'socket(AF_INET6, SOCK_DGRAM, IPPROTO_IP) = -1 EACCES (Permission denied)\n')
    assert network_calls(after) == []


def test_the_filter_denies_sockets_to_its_thread_and_its_children_only():
    seen = {}

    def guarded():
        seen["why"] = install_filter()

        def child():
            seen["child"] = _try(socket.AF_INET)

        t = threading.Thread(target=child)
        t.start()
        t.join()
        seen["inet"], seen["inet6"], seen["unix"] = _try(socket.AF_INET), _try(socket.AF_INET6), _try(socket.AF_UNIX)

    t = threading.Thread(target=guarded)
    t.start()
    t.join()
    if seen["why"]:
        pytest.skip(f"no seccomp filter here: {seen['why']}")
    assert (seen["inet"], seen["inet6"], seen["child"], seen["unix"]) == ("denied",) * 4
    assert _try(socket.AF_INET) == "ok"  # the rest of the process keeps its network


def test_ctrl_c_while_the_model_loads_waits_for_it_and_closes_it():
    """The native call is never left running in a thread while the interpreter exits (that
    printed a traceback from the landmarker's __del__); what it built is closed."""
    import _thread
    import time

    class Built:
        closed = False

        def close(self):
            Built.closed = True

    def slow():
        time.sleep(0.6)
        return Built()

    threading.Timer(0.1, _thread.interrupt_main).start()
    with pytest.raises(KeyboardInterrupt):
        call_offline(slow)
    assert Built.closed


def _try(family) -> str:
    try:
        socket.socket(family, socket.SOCK_DGRAM).close()
        return "ok"
    except PermissionError:
        return "denied"


def _strace() -> str:
    exe = shutil.which("strace")
    if not exe:
        pytest.skip("strace is not installed")
    if subprocess.run([exe, "-f", "-o", os.devnull, "true"], capture_output=True).returncode != 0:
        pytest.skip("strace cannot trace here (ptrace not permitted)")
    return exe


@pytest.mark.slow
@pytest.mark.parametrize("command", ["analyze", "live", "pose", "demo"])
def test_commands_that_load_the_pose_model_open_no_network_socket(tmp_path, command):
    exe = _strace()
    clip = short_clip(tmp_path)
    args = {
        "analyze": ["analyze", str(clip), "--exercise", "heel_raise", "--no-history"],
        "live": ["live", "--camera", str(clip), "--headless", "--fast", "--exercise", "heel_raise", "--no-history"],
        "pose": ["pose", str(clip), "-o", str(tmp_path / "clip.npz")],
        "demo": ["demo", "--out", str(tmp_path / "demo"), "--model", "lite"],
    }[command]
    trace = tmp_path / "trace"
    p = subprocess.run([exe, "-f", "-ff", "-qq", "-e", "trace=socket,connect,sendto,sendmsg,sendmmsg",
                        "-e", "signal=none", "-o", str(trace), sys.executable, "-m", "tracker", *args],
                       cwd=PROJECT, capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, p.stderr[-800:]
    files = list(tmp_path.glob("trace.*"))
    assert len(files) > 1, "strace did not follow the threads"
    traced = "".join(f.read_text() for f in files)
    assert network_calls(traced) == []
