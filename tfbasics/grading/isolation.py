"""The sandbox a learner's code runs in while it is graded: one process tree, killed whole.

``launch(...)`` forks a *middle* process, which enters new namespaces and forks the worker:
- a PID namespace: the worker is its process 1, so when the worker dies (the middle kills it at
  the deadline, or the middle itself is killed and the worker gets PR_SET_PDEATHSIG) the kernel
  kills everything it started, double-forked daemons included, whatever holds its pipes;
- a network namespace with no interface up: no network, not even 127.0.0.1;
- a mount namespace where the class folder and the grades folder are hidden under empty tmpfs
  mounts (reads of other students' work fail) and the writable home is a small tmpfs;
- as root, a uid of its own (no access to the instructor's files; a process limit that means
  something); otherwise a user namespace makes the above possible without privileges.
Then rlimits (memory, CPU, output/file bytes, processes) and Landlock (writes only in its home,
no TCP, no signals outside) apply, and the learner's file is imported. What is in force is
reported back (``isolated``): a kernel without namespaces still gets the limits.
"""

import ctypes
import os
import resource
import signal
import socket
import sys
import tempfile

from tfbasics.grading import sandbox

CLONE_NEWNS, CLONE_NEWUSER = 0x00020000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 1, 2, 4, 0x4000, 1 << 18
PR_SET_PDEATHSIG = 1
WORKER_UID_BASE = 61000  # uids 61000-61999: one per worker, owning nothing else


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter_namespaces():
    """Unshare PID, network and mount namespaces (plus user, when not root).

    Called in the middle process; the PID namespace applies to its next child. Returns the
    list of namespaces in force, e.g. ["pid", "net", "mount"] ([] where the kernel refuses).
    """
    libc = _libc()
    root = os.geteuid() == 0
    uid, gid = os.getuid(), os.getgid()
    base = CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS
    if libc.unshare(base | (0 if root else CLONE_NEWUSER)) != 0:
        return []
    if not root:
        try:
            _write("/proc/self/setgroups", "deny")
            _write("/proc/self/uid_map", f"0 {uid} 1")
            _write("/proc/self/gid_map", f"0 {gid} 1")
        except OSError:
            return ["pid", "net", "user"]
    user = [] if root else ["user"]  # root inside a user namespace only: no other uid to take
    if libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return ["pid", "net"] + user
    return ["pid", "net", "mount"] + user


def _mount_tmpfs(path, size_mb, mode="0755", uid=None):
    options = f"size={int(size_mb)}m,mode={mode}" + (f",uid={uid},gid={uid}" if uid else "")
    flags = MS_NOSUID | MS_NODEV
    return _libc().mount(b"tmpfs", os.fsencode(path), b"tmpfs", flags, options.encode()) == 0


def hide(paths, keep):
    """Mount an empty read-only tmpfs over each of ``paths`` that does not contain ``keep``."""
    hidden = []
    for path in paths:
        path = os.path.realpath(path)
        if not os.path.isdir(path) or os.path.realpath(keep).startswith(path + os.sep):
            continue
        if _mount_tmpfs(path, 1, mode="0555"):
            hidden.append(path)
    return hidden


def set_limits(limits, processes):
    """rlimits: memory on top of what is mapped, CPU, bytes per file written, processes."""
    memory = (sandbox.address_space_mb() + limits.memory_mb) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(limits.cpu_seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 2))
    size = int(limits.output_kb) * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if processes:
        resource.setrlimit(resource.RLIMIT_NPROC, (processes, processes))


def _become(uid):
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)


def _die_with(middle):
    """SIGKILL this process when ``middle``, its parent, dies (the kernel then ends the whole PID
    namespace); if the middle is gone already, end now. Set again after any change of uid: the
    kernel clears the parent-death signal then, and the worker would outlive a killed middle."""
    _libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() not in (middle, 0):  # 0: the parent is outside our PID namespace
        os._exit(1)


def _close_others(keep):
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _worker(sock, job, limits, in_force, middle):
    """In the worker (process 1 of its namespace): confine, then import and serve. Never returns."""
    code = 0
    try:
        _die_with(middle)
        out = os.open(os.path.join(job.workdir, "output"), os.O_RDWR | os.O_APPEND)
        null = os.open(os.devnull, os.O_RDONLY)
        home = os.path.join(job.workdir, "home")
        uid = None
        if "mount" in in_force:
            hidden = hide(job.hide, job.workdir)
            in_force = in_force + (["hidden"] if hidden else [])
            if os.geteuid() == 0 and "user" not in in_force and job.own_uid:
                uid = WORKER_UID_BASE + int.from_bytes(os.urandom(2), "big") % 1000
            if _mount_tmpfs(home, job.disk_mb, mode="0700", uid=uid):
                in_force = in_force + ["tmpfs home"]
        if uid is not None:
            os.chown(home, uid, uid)
            _become(uid)
            _die_with(middle)  # a new uid cleared the parent-death signal (prctl(2))
            in_force = in_force + ["own uid"]
        os.dup2(null, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.chdir(home)
        for name in ("HOME", "TMPDIR", "TEMP", "TMP"):
            os.environ[name] = home
        tempfile.tempdir = home  # the grader's process had already chosen /tmp
        _close_others({sock.fileno(), out})
        signal.signal(signal.SIGXFSZ, signal.SIG_DFL)  # Python ignores it (see worker.serve)
        set_limits(limits, limits.processes if uid is not None else 0)
        if sandbox.restrict_writes([home]):
            in_force = in_force + ["landlock"]
        sys.dont_write_bytecode = True
        if job.source:
            sys.path[:] = [os.path.dirname(job.source)] + sys.path
        from tfbasics.grading import worker

        def server():
            return worker.Server(job.exercise_obj(), job.source, job.shown, out)

        worker.serve(sock, server, in_force)
    except BaseException as e:  # noqa: BLE001 - whatever happened, this process ends here
        code = 70
        try:
            os.write(2, f"tfbasics sandbox: {type(e).__name__}: {e}\n".encode())
        except OSError:
            pass
    finally:
        os._exit(code)


def _middle(sock, job, limits):
    """Enter the namespaces, fork the worker, wait for it, exit as it did. Never returns."""
    status = 1
    try:
        in_force = enter_namespaces()
        me = os.getpid()
        pid = os.fork()
        if pid == 0:
            _worker(sock, job, limits, in_force, me)
        sock.close()
        signal.signal(signal.SIGTERM, lambda *_: os.kill(pid, signal.SIGKILL))
        _, status = os.waitpid(pid, 0)
    finally:
        if os.WIFSIGNALED(status):
            os._exit(128 + os.WTERMSIG(status))
        os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def launch(job, limits, close=()):
    """Start the sandboxed worker for ``job``; returns (middle pid, the checks' socket).

    job: a tfbasics.grading.student_process.Job (exercise, source, shown, workdir, hide, disk_mb).
    close: file descriptors the worker must not inherit (other children's pipes).
    """
    ours, theirs = socket.socketpair()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        ours.close()
        for fd in close:
            try:
                os.close(fd)
            except OSError:
                pass
        _middle(theirs, job, limits)
    theirs.close()
    return pid, ours
