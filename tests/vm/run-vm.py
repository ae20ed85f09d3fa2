#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Boot the test kernel under QEMU TCG with N oio cards and run guest tests.

The guest's /init (tests/vm/init) runs the programs named in OIO_TESTS and
writes their TAP to the second serial port (tap.log). With --disk the
guest is the Debian system of tests/vm/mkdebian.sh instead, booted from
that image with its own initrd: its oio-vm service (tests/vm/debian-run)
runs the programs of the --payload archive the same way. The third serial port
is the control channel: the guest sends one-line requests (QMP, LOG, EXIT,
see tests/guest/vmctl.h), served here while QEMU runs. Afterwards the TAP
sections are checked and renumbered into one stream on stdout, followed by
checks on the kernel log and QEMU's exit status, the plan, and a last line
"N passed, N failed". Exit status 0 only if all passed and N > 0.
"""

import argparse
import json
import os
import re
import resource
import select
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ENV_KEY = re.compile(r"OIO_[A-Z0-9_]+\Z")
PROP_KEY = re.compile(r"[A-Za-z0-9_.-]+\Z")
TEST_NAME = re.compile(r"[A-Za-z0-9_.+-]+\Z")
# Any of these in the console fails the run: the stock kernels' oopses and
# warnings, and the debug kernel's checkers (KASAN and sleeping in atomic
# say "BUG:", lockdep and debug objects "WARNING:", kmemleak when it
# reports by itself).
KERNEL_TROUBLE = ("WARNING:", "BUG:", "Oops", "Kernel panic", "Call Trace:",
                  "UBSAN:", "INFO: task", "ODEBUG:", "possible circular",
                  "detected stall", "detected expedited stall",
                  "possible recursive", "DEBUG_LOCKS_WARN_ON",
                  "general protection fault", "unreferenced object")
# Reports of the kernel core that are not oio's, recognised narrowly: a
# report is filtered only if it has every one of `needs` and no frame of
# oio.ko ("[oio]"). Each entry says why it is known.
KNOWN_CORE_REPORTS = (
    {
        "name": "pciehp: pci_rescan_remove_lock vs reset_lock",
        "why": "on hot removal with Debian's 6.1, pciehp_unconfigure_device() "
               "takes pci_rescan_remove_lock and then a port's "
               "ctrl->reset_lock (down_read_nested); the chain lockdep "
               "prints runs through pciehp's own removal path only, with "
               "no frame of oio.ko",
        "needs": ("possible circular locking dependency",
                  "pci_rescan_remove_lock", "reset_lock"),
    },
)
# A report begins with one of these; its stack dump and the like follow.
# (ODEBUG's "BUG:" heads no report of its own: its WARNING does.) RCU's
# stalls: "rcu: INFO: rcu_preempt detected stalls", "... self-detected
# stall", "... detected expedited stalls", "INFO: rcu_tasks detected stalls".
REPORT_HEAD = re.compile(r"WARNING:|(?<![A-Z])BUG:|UBSAN:|INFO: task|Oops|"
                         r"Kernel panic|general protection fault|"
                         r"unreferenced object|"
                         r"INFO: \S+ (self-)?detected (expedited )?stall")
EXCERPT_LINES = 40
EXCERPT_REPORTS = 3
TAP_RESULT = re.compile(r"(ok|not ok)\b(?:\s+\d+)?\s*(?:-\s*)?(.*)\Z")
TAP_DIRECTIVE = re.compile(r"\s*#\s*(SKIP|TODO)\b.*\Z", re.IGNORECASE)
TAP_PLAN = re.compile(r"1\.\.(\d+)\s*(?:#.*)?\Z")
CMDLINE_MAX = 2047     # x86 COMMAND_LINE_SIZE, minus the NUL
QMP_TIMEOUT = 30.0
SOCKET_WAIT = 20.0     # QEMU creates its sockets before the guest starts
REQUEST_MAX = 1 << 20  # drop a guest "line" that never ends rather than grow


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--qemu", default=os.path.join(REPO, "build/qemu/qemu-system-x86_64"))
    p.add_argument("--kernel", default=os.path.join(REPO, "build/kernel/vmlinuz"))
    p.add_argument("--initrd", default=os.path.join(REPO, "build/initramfs.cpio.gz"))
    p.add_argument("--cards", type=int, default=0, choices=range(0, 9), metavar="N")
    p.add_argument("--seed", type=int, default=1, help="card i gets seed S+i")
    p.add_argument("--prop", action="append", default=[], metavar="KEY=VAL",
                   help="property for every card")
    p.add_argument("--card-prop", action="append", default=[], metavar="I:KEY=VAL",
                   help="property for card I only")
    p.add_argument("--tests", required=True, help="comma-separated /tests/ programs")
    p.add_argument("--env", action="append", default=[], metavar="OIO_KEY=VAL",
                   help="environment for the guest tests, via the kernel command line")
    p.add_argument("--timeout", type=float, metavar="SECONDS",
                   help="300 by default; none with --interactive")
    p.add_argument("--icount", type=int, metavar="SHIFT")
    p.add_argument("--mem", type=int, default=512, metavar="MB")
    p.add_argument("--smp", type=int, default=1, choices=range(1, 5), metavar="N",
                   help="guest CPUs (TCG runs them in host threads)")
    p.add_argument("--pciehp", action="store_true",
                   help="native PCIe hotplug instead of QEMU's default ACPI hotplug")
    p.add_argument("--disk", metavar="IMAGE",
                   help="raw root file system image on virtio (the Debian guest)")
    p.add_argument("--snapshot", action="store_true",
                   help="discard the --disk writes when QEMU exits")
    p.add_argument("--payload", metavar="TAR",
                   help="a tar archive as a read-only second virtio disk")
    p.add_argument("--interactive", action="store_true",
                   help="the console on this terminal (Ctrl-A X quits QEMU); no TAP")
    p.add_argument("--log-dir", required=True)
    p.add_argument("--name", default="vm")
    args = p.parse_args(argv)
    if args.icount is not None and args.smp != 1:
        p.error("--icount wants --smp 1")
    if args.timeout is None:
        args.timeout = float("inf") if args.interactive else 300.0
    for f in (args.disk, args.payload):
        if f and not os.path.isfile(f):
            p.error(f"no file {f}")
    if args.payload and os.path.getsize(args.payload) % 512:
        p.error("--payload size must be a multiple of 512 (a tar archive is)")
    if args.interactive and not sys.stdin.isatty():
        p.error("--interactive needs a terminal on standard input")

    args.tests = [t for t in args.tests.split(",") if t]
    for t in args.tests:
        if not TEST_NAME.match(t):
            p.error(f"bad test name {t!r}")
    keys = {"OIO_TESTS", "OIO_CARDS", "OIO_SEED"}  # set by the harness
    # The kernel panics beyond 32 variables for init, HOME and TERM included.
    if len(args.env) + len(keys) > 28:
        p.error("too many --env")
    for e in args.env:
        key, sep, val = e.partition("=")
        if not sep or not ENV_KEY.match(key) or '"' in val or "\n" in val:
            p.error(f"--env {e!r}: want OIO_[A-Z0-9_]+=VALUE, no quotes or newlines")
        if key in keys:
            p.error(f"--env {key} given twice or set by the harness")
        keys.add(key)
    if not (0 <= args.seed and args.seed + max(args.cards - 1, 0) < 1 << 64):
        p.error("seeds must fit in uint64")
    args.card_props = [[] for _ in range(args.cards)]
    for cp in args.card_prop:
        idx, sep, prop = cp.partition(":")
        if not sep or not idx.isdigit() or int(idx) >= args.cards:
            p.error(f"--card-prop {cp!r}: want I:KEY=VAL with I < --cards")
        args.card_props[int(idx)].append(prop)
    for prop in args.prop + [p for props in args.card_props for p in props]:
        key, sep, _ = prop.partition("=")
        if not sep or not PROP_KEY.match(key):
            p.error(f"bad property {prop!r}: want KEY=VAL")
    return args


def kernel_cmdline(args):
    words = ["console=ttyS0", "panic=-1",
             # 5, not 4: WARN() and oops headers print at KERN_WARNING /
             # KERN_DEFAULT (4), which loglevel=4 keeps off the console.
             # An interactive session keeps the console for the shell.
             "loglevel=4" if args.interactive else "loglevel=5",
             # Under TCG the guest's clocks follow the host's, so a host
             # that stops this run for a while (a shared machine, the
             # other lane's VM) looks to the guest like a CPU or a task
             # that stopped. RCU's stall report gets 60 s, not 21; the
             # hung-task detector the stock kernels' 120 s, not the debug
             # kernel's 30, checked every 10 s so that a task stuck late
             # in a run is still seen before it ends. A hang that
             # outlasts a suite fails on the suite's own deadline.
             "rcupdate.rcu_cpu_stall_timeout=60",
             "sysctl.kernel.hung_task_timeout_secs=120",
             "sysctl.kernel.hung_task_check_interval_secs=10",
             "OIO_TESTS=" + ",".join(args.tests),
             f"OIO_CARDS={args.cards}", f"OIO_SEED={args.seed}"]
    if args.disk:
        words[1:1] = ["root=/dev/vda", "rw"]
    for e in args.env:
        key, _, val = e.partition("=")
        # The kernel strips the quotes and hands init "KEY=a b".
        words.append(f'{key}="{val}"' if re.search(r"\s", val) else e)
    return " ".join(words)


def qemu_opt(text):
    """Escape a value for QEMU's KEY=VAL,... option syntax."""
    return text.replace(",", ",,")


def qemu_command(args):
    """The QEMU argv; run with cwd=log_dir, so file names are relative."""
    if args.interactive:
        # Ctrl-A X quits, Ctrl-A C reaches QEMU's monitor; Ctrl-C is the
        # guest's.
        console = ["-chardev", "stdio,id=con,mux=on,signal=off",
                   "-serial", "chardev:con", "-mon", "chardev=con,mode=readline"]
    else:
        console = ["-serial", "file:console.log"]
    cmd = [os.path.abspath(args.qemu),
           "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", str(args.smp),
           "-m", str(args.mem), "-nodefaults", "-nographic", "-no-reboot",
           "-L", "/usr/share/seabios", "-L", "/usr/share/qemu",
           "-kernel", os.path.abspath(args.kernel),
           "-initrd", os.path.abspath(args.initrd),
           "-append", kernel_cmdline(args)] + console + [
           "-serial", "file:tap.log",
           "-chardev", "socket,id=ctl,path=ctl.sock,server=on,wait=off",
           "-serial", "chardev:ctl",
           "-qmp", "unix:qmp.sock,server=on,wait=off",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-d", "guest_errors", "-D", "qemu.log"]
    if args.pciehp:
        # q35 hands root-port hotplug to ACPI (Linux acpiphp, device_del
        # done at once) unless this is off; then Linux's pciehp drives the
        # slots as on real hardware, with its 5 s attention-button delay.
        cmd += ["-global", "ICH9-LPC.acpi-pci-hotplug-with-bridge-support=off"]
    if args.icount is not None:
        cmd += ["-icount", f"shift={args.icount},sleep=off"]
    # Disks first: the root file system is vda, the payload vdb.
    disks = []
    if args.disk:
        # unsafe: the guest's flushes are not waited for; a suite that
        # boots the image again still finds every write in the file.
        opts = ",snapshot=on" if args.snapshot else ""
        disks.append(f"file={qemu_opt(os.path.abspath(args.disk))},format=raw,"
                     f"cache=unsafe{opts}")
    if args.payload:
        disks.append(f"file={qemu_opt(os.path.abspath(args.payload))},format=raw,"
                     "readonly=on")
    for i, d in enumerate(disks):
        cmd += ["-drive", f"if=none,id=disk{i},{d}",
                "-device", f"virtio-blk-pci,drive=disk{i},bus=pcie.0"]
    for i in range(args.cards):
        props = "".join("," + qemu_opt(p) for p in args.prop + args.card_props[i])
        cmd += ["-device", f"pcie-root-port,id=rp{i},bus=pcie.0,chassis={i + 1},slot={i + 1}",
                "-device", f"oio-engine,id=oio{i},bus=rp{i},seed={args.seed + i}{props}"]
    return cmd


def connect_unix(path, qemu, deadline):
    """Connect once QEMU has created the socket, or return None if it died."""
    # sun_path holds 107 bytes; a deep log dir may need the relative name.
    if len(os.fsencode(path)) > 100:
        path = os.path.relpath(path)
    while time.monotonic() < deadline and qemu.poll() is None:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(path)
            return s
        except (FileNotFoundError, ConnectionRefusedError):
            s.close()
            time.sleep(0.05)
    return None


class Qmp:
    """Blocking QMP client; events are written to an events file."""

    def __init__(self, sock, events_path):
        self.sock = sock
        self.buf = b""
        self.events = open(events_path, "w", encoding="utf-8")
        self.sent = 0

    def read(self, timeout):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                raise TimeoutError("no QMP reply")
            data = self.sock.recv(65536)
            if not data:
                raise ConnectionError("QMP closed")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def drain_events(self):
        """Log what QEMU sent unasked; False once QMP is closed."""
        data = self.sock.recv(65536)
        if not data:
            return False
        self.buf += data
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            self.events.write(line.decode("utf-8", "replace") + "\n")
        self.events.flush()
        return True

    def command(self, obj, timeout=QMP_TIMEOUT):
        # Tagged, so that the late reply to a command that timed out is
        # not taken for the next one's (QMP echoes "id"; the caller's own
        # goes back in its place). A command that is not an object cannot
        # carry one: its reply is the first with none.
        self.sent += 1
        tag = f"harness-{self.sent}"
        tagged = isinstance(obj, dict)
        if tagged:
            own = obj.get("id")
            obj = dict(obj, id=tag)
        self.sock.sendall(json.dumps(obj).encode() + b"\n")
        while True:
            msg = self.read(timeout)
            if ("return" in msg or "error" in msg) and \
                    msg.get("id") == (tag if tagged else None):
                if tagged and own is not None:
                    msg["id"] = own
                else:
                    msg.pop("id", None)
                return msg
            self.events.write(json.dumps(msg) + "\n")

    def close(self):
        self.sock.close()
        self.events.close()


def qmp_reply(qmp, text):
    """Reply text for a guest QMP request, "return"/"error" member first."""
    def no_constant(name):
        # Python reads NaN and Infinity; QEMU's parser refuses them, and
        # its error would carry no id to match
        raise ValueError(f"{name} is not JSON")

    try:
        resp = qmp.command(json.loads(text, parse_constant=no_constant))
    except ValueError as e:
        resp = {"error": {"class": "GenericError", "desc": f"harness: bad JSON: {e}"}}
    except (OSError, TimeoutError) as e:
        resp = {"error": {"class": "GenericError", "desc": f"harness: QMP failed: {e}"}}
    key = "error" if "error" in resp else "return"
    ordered = {key: resp[key]}
    ordered.update((k, v) for k, v in resp.items() if k != key)
    return json.dumps(ordered)


def log_count(path, substring):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return sum(substring in line for line in f)
    except FileNotFoundError:
        return 0


class TapClock:
    """How long each guest test took, in host seconds: read off tap.log as
    it grows, at its "# test:" and "# exit:" lines. Where a run's time goes
    is what shortening `make check` needs to know."""
    EVERY = 0.5
    BEGIN = re.compile(r"# test: (\S+)\s*\Z")
    END = re.compile(r"# exit: (\S+) (-?\d+)\s*\Z")     # as report_tap()

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.part = b""
        self.last = 0.0
        self.began = {}
        self.took = []      # (test, seconds), in the order they ended

    def poll(self, force=False):
        now = time.monotonic()
        if not force and now - self.last < self.EVERY:
            return
        self.last = now
        try:
            with open(self.path, "rb") as f:
                if os.fstat(f.fileno()).st_size < self.pos:
                    self.pos, self.part = 0, b""    # a new file
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return
        self.pos += len(data)
        lines = (self.part + data).split(b"\n")
        self.part = lines.pop()
        for raw in lines:
            line = raw.decode("utf-8", "replace")
            m = self.BEGIN.match(line)
            if m:
                self.began[m.group(1)] = now
                continue
            m = self.END.match(line)
            if m and m.group(1) in self.began:
                self.took.append((m.group(1), now - self.began.pop(m.group(1))))

    def report(self, report, name):
        """One line: the tests that ended, then any the run cut off."""
        now = time.monotonic()
        times = [f"{t} {s:.0f} s" for t, s in self.took]
        times += [f"{t} {now - at:.0f} s and unfinished"
                  for t, at in self.began.items()]
        if times:
            report.diag(f"{name}: host time per test: " + ", ".join(times))


def serve(qemu, ctl, qmp, log_dir, deadline, clock=None):
    """Answer guest requests until QEMU exits; (timed_out, guest exit code)."""
    guest_code = None
    buf = b""
    watched = [ctl, qmp.sock]
    while qemu.poll() is None:
        left = deadline - time.monotonic()
        if left <= 0:
            return True, guest_code
        ready = select.select(watched, [], [], min(left, 0.2))[0]
        if clock:
            clock.poll()
        if qmp.sock in ready and not qmp.drain_events():
            watched.remove(qmp.sock)
        if ctl not in ready:
            continue
        data = ctl.recv(65536)
        if not data:
            watched.remove(ctl)
            continue
        buf += data
        if len(buf) > REQUEST_MAX and b"\n" not in buf:
            buf = b""
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            req = line.decode("utf-8", "replace").rstrip("\r")
            verb, _, rest = req.partition(" ")
            if verb == "QMP":
                reply = qmp_reply(qmp, rest)
            elif verb == "LOG":
                reply = str(log_count(os.path.join(log_dir, "qemu.log"), rest))
            elif verb == "EXIT" and re.fullmatch(r"-?\d+", rest):
                guest_code = int(rest)
                reply = "ok"
            else:
                reply = "error: bad request"
            ctl.sendall(b"R " + reply.encode() + b"\n")
    return False, guest_code


class Report:
    """Combined TAP on stdout, numbered across all sections."""

    def __init__(self, name):
        self.name = name
        self.count = self.passed = self.failed = 0

    def result(self, ok, desc, directive=""):
        self.count += 1
        todo = directive.lstrip(" #").upper().startswith("TODO")
        if ok or todo:
            self.passed += 1
        else:
            self.failed += 1
        print(f"{'ok' if ok else 'not ok'} {self.count} - {desc}{directive}", flush=True)

    def fail(self, what):
        self.result(False, f"{self.name}: {what}")

    def diag(self, text):
        print(f"# {text}", flush=True)


def check_section(report, name, sec):
    def fail(what):
        report.result(False, f"{name}: {what}")
    plans = sec["plans"]
    if sec["exit"] is None:
        # Plan and results are incomplete then; one failure says it all.
        fail(f"no '# exit:' line after {sec['results']} results; "
             "the guest died or hung in it")
    elif sec["exit"] and not plans and not sec["results"]:
        fail(f"exit code {sec['exit']} before any TAP output")
    elif len(plans) > 1:
        fail(f"{len(plans)} plans")
    elif not plans:
        fail(f"no plan but {sec['results']} results")
    elif plans[0] != sec["results"]:
        fail(f"plan 1..{plans[0]} but {sec['results']} results")
    if sec["exit"] and not sec["failed"] and (plans or sec["results"]):
        fail(f"exit code {sec['exit']}")


def report_tap(report, text, tests):
    """Renumber the guest's TAP sections into the report; check each."""
    seen = []
    name, sec = None, None
    for line in text.splitlines():
        line = line.rstrip("\r")
        if line.startswith("# test: "):
            if sec:
                check_section(report, name, sec)
            name = line[len("# test: "):].strip()
            sec = {"plans": [], "results": 0, "failed": 0, "exit": None}
            seen.append(name)
            report.diag(line[2:])
            continue
        m = re.match(r"# exit: (\S+) (-?\d+)\s*\Z", line)
        if m and sec and m.group(1) == name:
            sec["exit"] = int(m.group(2))
            continue
        if line.startswith("#") or not line.strip():
            # JSON outputs are for tests/json-schema.py, from tap.log
            if line.strip() and not line.startswith("# json-out "):
                print(line, flush=True)
            continue
        if sec is None:
            report.diag(f"outside any test: {line}")
            continue
        m = TAP_PLAN.match(line)
        if m:
            sec["plans"].append(int(m.group(1)))
            continue
        m = TAP_RESULT.match(line)
        if m:
            desc = m.group(2)
            d = TAP_DIRECTIVE.search(desc)
            directive = " # " + d.group(0).strip().lstrip("#").strip() if d else ""
            desc = desc[:d.start()] if d else desc
            ok = m.group(1) == "ok"
            sec["results"] += 1
            if not ok and not directive.upper().startswith(" # TODO"):
                sec["failed"] += 1
            report.result(ok, f"{name}: {desc}" if desc else name, directive)
        elif line.startswith("Bail out!"):
            report.result(False, f"{name}: {line}")
            sec["failed"] += 1
        else:
            report.diag(f"{name}: {line}")
    if sec:
        check_section(report, name, sec)
    for t in tests:
        if t not in seen:
            report.result(False, f"{t}: never started")


def report_blocks(lines):
    """(start, end) line ranges of the kernel's reports ("cut here" or a
    lockdep banner, to the end of its stack dump)."""
    blocks = []
    i = 0
    while i < len(lines):
        l = lines[i]
        if "------------[ cut here ]------------" in l or \
                re.search(r"={20,}", l) and i + 1 < len(lines) and \
                re.search(r"WARNING:|BUG:|INFO:", lines[i + 1]):
            j = i + 1
            while j < len(lines) and not re.search(r"---\[ end trace|</TASK>$", lines[j]):
                j += 1
            # a lockdep report ends after its stack dump's </TASK>
            blocks.append((i, min(j, len(lines) - 1)))
            i = j + 1
        else:
            i += 1
    return blocks


def known_core(block_lines):
    text = "\n".join(block_lines)
    if "[oio]" in text:
        return None
    for k in KNOWN_CORE_REPORTS:
        if all(n in text for n in k["needs"]):
            return k
    return None


def check_console(report, text):
    lines = text.splitlines()
    keep = [True] * len(lines)
    for start, end in report_blocks(lines):
        k = known_core(lines[start:end + 1])
        if k:
            report.diag(f"known kernel-core report filtered: {k['name']} "
                        f"(lines {start + 1}-{end + 1}): {k['why']}")
            for i in range(start, end + 1):
                keep[i] = False
    heads = [i for i, l in enumerate(lines) if keep[i] and REPORT_HEAD.search(l)]
    report.diag(f"reliability: splats {len(heads)}")
    first = None
    for pattern in KERNEL_TROUBLE:
        hits = [i for i, l in enumerate(lines) if keep[i] and pattern in l]
        if hits:
            first = hits[0] if first is None else min(first, hits[0])
            report.fail(f"console has '{pattern}' ({len(hits)}x), first: "
                        f"{lines[hits[0]].strip()}")
    if first is None:
        return
    # The reports themselves, each from its headline, so a failure can be
    # read from the run's output: a stall's dump shows where each CPU was,
    # a hung task's where it sleeps.
    starts = heads[:EXCERPT_REPORTS]
    if not starts or starts[0] - first > 5:
        # trouble with no headline known here: what came just before it
        starts = [max(first - 5, 0)] + starts[:EXCERPT_REPORTS - 1]
    end = 0
    for k, s in enumerate(starts):
        # a line of trouble just before the first headline (ODEBUG's) too
        begin = min(first, s - 1) if k == 0 else s - 1
        for l in lines[max(begin, end):s + EXCERPT_LINES]:
            report.diag(f"console: {l.rstrip()}")
        end = max(end, s + EXCERPT_LINES)


def read_text(path):
    """A log's text, minus terminal escapes (SeaBIOS clears the screen)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return re.sub(r"\x1b(\[[0-9;?]*[A-Za-z]|.)", "", f.read())
    except FileNotFoundError:
        return ""


def check_exit(report, timed_out, rc, guest_code, timeout):
    """Check how QEMU ended; True if it ended in an unexpected way."""
    expected = None if guest_code is None else ((guest_code << 1) | 1) & 0xff
    if timed_out:
        report.fail(f"timeout after {timeout:g}s")
    elif rc < 0:
        report.fail(f"qemu killed by {signal.Signals(-rc).name}")
    elif guest_code is None:
        report.fail(f"guest never sent EXIT (qemu status {rc})")
    elif rc != expected:
        report.fail(f"qemu status {rc}, expected {expected} for guest exit code {guest_code}")
    else:
        if guest_code != 0 and report.failed == 0:
            report.fail(f"guest exit code {guest_code}")
        return False
    return True


class PauseWatch(threading.Thread):
    """The harness's own clock, read every TICK s: a gap of SHOWN s or more
    is time the host gave no one here, and the guest's report of a stall
    (above) may be that pause rather than the guest's. (It does not see
    QEMU alone starved of CPU.)"""
    TICK = 0.5
    SHOWN = 5.0
    LISTED = 5

    def __init__(self):
        super().__init__(daemon=True)
        self.start_time = time.monotonic()
        self.pauses = []        # (seconds, at seconds from the start)
        self.stop = threading.Event()

    def run(self):
        last = time.monotonic()
        while not self.stop.wait(self.TICK):
            now = time.monotonic()
            if now - last >= self.SHOWN:
                self.pauses.append((now - last, last - self.start_time))
            last = now

    def report(self, report):
        self.stop.set()
        self.join(2 * self.TICK)
        if self.pauses:
            listed = ", ".join(f"{p:.1f} s at {at:.0f} s"
                               for p, at in self.pauses[:self.LISTED])
            more = len(self.pauses) - self.LISTED
            report.diag(f"host: {len(self.pauses)} pause(s) of the harness "
                        f"of {self.SHOWN:g} s or more, from its start: "
                        f"{listed}{f' and {more} more' if more > 0 else ''}")


def run(args, clock=None):
    """Run QEMU and serve the guest; (timed_out, returncode, guest code, secs)."""
    log_dir = args.log_dir
    os.makedirs(log_dir, exist_ok=True)
    for f in ("ctl.sock", "qmp.sock", "console.log", "tap.log", "qemu.log"):
        try:
            os.unlink(os.path.join(log_dir, f))
        except FileNotFoundError:
            pass
    cmd = qemu_command(args)
    with open(os.path.join(log_dir, "cmdline.txt"), "w", encoding="utf-8") as f:
        f.write("# replay: sh cmdline.txt (the guest then waits for ever at "
                "its first vmctl request)\n")
        f.write(f"cd {shlex.quote(os.path.abspath(log_dir))} &&\n")
        f.write(" ".join(shlex.quote(c) for c in cmd) + "\n")
    start = time.monotonic()
    deadline = start + args.timeout
    if args.interactive:
        # QEMU owns the terminal; the harness only serves the guest.
        qemu = subprocess.Popen(cmd, cwd=log_dir)
    else:
        with open(os.path.join(log_dir, "qemu-stderr.log"), "w") as err:
            qemu = subprocess.Popen(cmd, cwd=log_dir, stdin=subprocess.DEVNULL,
                                    stdout=err, stderr=subprocess.STDOUT)
    ctl = qsock = qmp = None
    timed_out = False
    guest_code = None
    try:
        sock_deadline = min(deadline, start + SOCKET_WAIT)
        qsock = connect_unix(os.path.join(log_dir, "qmp.sock"), qemu, sock_deadline)
        ctl = connect_unix(os.path.join(log_dir, "ctl.sock"), qemu, sock_deadline)
        if qsock and ctl:
            qmp = Qmp(qsock, os.path.join(log_dir, "qmp-events.log"))
            try:
                qmp.read(QMP_TIMEOUT)  # greeting
                qmp.command({"execute": "qmp_capabilities"})
            except (OSError, TimeoutError, ValueError) as e:
                # unserved, the guest would wait at its first request until
                # the run timed out: stop it now
                print(f"{args.name}: QMP handshake failed: {e}", file=sys.stderr)
                qemu.terminate()
            else:
                timed_out, guest_code = serve(qemu, ctl, qmp, log_dir, deadline,
                                              clock)
        elif qemu.poll() is None:
            print(f"{args.name}: QEMU sockets did not appear", file=sys.stderr)
            qemu.terminate()
        if not timed_out:
            try:
                qemu.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        if qemu.poll() is None:
            qemu.terminate()
            try:
                qemu.wait(timeout=5)
            except subprocess.TimeoutExpired:
                qemu.kill()
                qemu.wait()
        if clock:
            clock.poll(force=True)
        for s in (ctl, qmp or qsock):
            if s:
                s.close()
    return timed_out, qemu.returncode, guest_code, time.monotonic() - start


def main(argv):
    args = parse_args(argv)
    if len(kernel_cmdline(args)) > CMDLINE_MAX:
        sys.exit(f"{args.name}: kernel command line too long")
    # Turn SIGTERM (make, CI) into SystemExit so run() still stops QEMU.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.interactive:
        # SIGINT (Ctrl-C) is the guest's: the terminal is raw, but a
        # signal from elsewhere must not kill the harness before QEMU.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        timed_out, rc, _, _ = run(args)
        return 1 if timed_out or rc != 0 else 0
    pauses = PauseWatch()
    pauses.start()
    clock = TapClock(os.path.join(args.log_dir, "tap.log"))
    timed_out, rc, guest_code, secs = run(args, clock)
    log = lambda f: os.path.join(args.log_dir, f)  # noqa: E731
    report = Report(args.name)
    report_tap(report, read_text(log("tap.log")), args.tests)
    check_console(report, read_text(log("console.log")))
    pauses.report(report)
    clock.report(report, args.name)
    # QEMU's CPU time (its only child) against the wall's. Below the guest's
    # CPUs, its guest idled or the host gave QEMU no core (the other lane's
    # VM): alone on a core, the lane's idle time another VM could have had.
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime + ru.ru_stime
    report.diag(f"{args.name}: {secs:.1f} s, qemu cpu {cpu:.1f} s "
                f"({cpu / max(secs, 0.1):.2f} CPU for {args.smp} guest CPU), "
                f"qemu status {rc}, guest exit code {guest_code}")
    if check_exit(report, timed_out, rc, guest_code, args.timeout):
        print(f"--- {args.name}: last console lines ({log('console.log')}):", file=sys.stderr)
        for line in read_text(log("console.log")).splitlines()[-30:]:
            print(line, file=sys.stderr)
        for line in read_text(log("qemu-stderr.log")).splitlines()[-10:]:
            print(f"qemu: {line}", file=sys.stderr)
    print(f"1..{report.count}")
    print(f"{report.passed} passed, {report.failed} failed", flush=True)
    return 0 if report.failed == 0 and report.count > 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
