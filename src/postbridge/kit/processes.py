"""Child processes that die with their parent (Linux ``prctl(PR_SET_PDEATHSIG)``).

``postbridge serve`` starts its worker this way, and the worker's forked pipeline processes
adopt it too, so a ``kill -9`` of the parent leaves no orphan behind. Elsewhere a no-op.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int, signum: int = signal.SIGTERM) -> None:
    """Ask the kernel to send ``signum`` to this process when ``parent_pid`` exits (call it in
    the child, e.g. as Popen's preexec_fn)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signum, 0, 0, 0) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, os.strerror(errno))
    # The parent may have died before the request took effect: then nobody will signal us.
    if os.getppid() != parent_pid:
        os.kill(os.getpid(), signum)
