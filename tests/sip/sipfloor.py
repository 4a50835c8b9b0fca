"""Shared floor for the SIP drivers (config_check.py, truth_check.py):
free ports, the processes a run starts (and ends, by pid, also on failure or
Ctrl-C), Kamailio with a generated agentdesk-local.cfg, SIPp instances and
the agent phones made of them.

Python 3 standard library only. Everything runs on 127.0.0.1.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SCEN = os.path.join(HERE, "scenarios")
KAM_CFG = os.path.join(REPO, "integrations", "kamailio", "agentdesk.cfg")
IP = "127.0.0.1"
TIME_SLACK = 1.0  # seconds: call events carry whole Unix seconds

STARTED = []  # every process this run started, ended by pid at exit
USED_PORTS = set()


def log(msg):
    sys.stderr.write("[%s] %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


def need_tools(*tools):
    for tool in tools:
        if not shutil.which(tool):
            sys.exit("%s not found: apt-get install kamailio kamailio-utils-modules kamailio-extra-modules "
                     "sip-tester" % tool)


def near(a, b, slack=TIME_SLACK):
    return a is not None and b is not None and abs(a - b) <= slack + 1e-6


def at_second(sec, t, slack=TIME_SLACK):
    """An event's whole Unix second `sec` (its moment truncated) against the
    moment `t` SIPp logged: `slack` before the second, or inside it, or a
    quarter second after it (the SIP message on its way to SIPp). Plain
    `near` refused 467 against 468.01, a 200 OK Kamailio saw at 467.99."""
    return sec is not None and t is not None and sec - slack - 1e-6 <= t <= sec + 1.25


# -- ports and processes -----------------------------------------------------
def free_port():
    """A port free for both UDP and TCP on 127.0.0.1, not handed out before
    in this run."""
    for _ in range(200):
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.bind((IP, 0))
        port = t.getsockname()[1]
        try:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((IP, port))
            u.close()
        except OSError:
            continue
        finally:
            t.close()
        if port not in USED_PORTS and port < 65000:
            USED_PORTS.add(port)
            return port
    raise RuntimeError("no free port")


def start(cmd, out_path, cwd=None, env=None):
    """Starts `cmd` in a session (process group) of its own, output to
    `out_path`; remembered so that stop_all() ends it."""
    out = open(out_path, "wb")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=cwd, env=env,
                         start_new_session=True)
    out.close()
    STARTED.append(p)
    return p


def _signal_group(p, sig):
    # The process was started as the leader of its own group: its pid is
    # the group id, so this reaches what it forked (Kamailio's workers)
    # and nothing else.
    try:
        os.killpg(p.pid, sig)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(p.pid, sig)
        except ProcessLookupError:
            pass


def stop(p, grace=2.0):
    if p.poll() is None:
        _signal_group(p, signal.SIGTERM)
        try:
            p.wait(grace)
        except subprocess.TimeoutExpired:
            _signal_group(p, signal.SIGKILL)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                pass
    else:
        # the leader is gone; anything it left in its group goes too
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def stop_all():
    while STARTED:
        stop(STARTED.pop())


def on_signals():
    """SIGTERM / SIGHUP end the run like Ctrl-C: the `finally` that calls
    stop_all() runs."""
    def handler(signum, _frame):
        raise KeyboardInterrupt("signal %d" % signum)
    for s in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


# -- kamailio ----------------------------------------------------------------
def sip_options_ok(port, timeout=0.3):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((IP, 0))
    s.settimeout(timeout)
    lp = s.getsockname()[1]
    msg = ("OPTIONS sip:%s:%d SIP/2.0\r\nVia: SIP/2.0/UDP %s:%d;branch=z9hG4bK-probe%d\r\n"
           "From: <sip:probe@%s>;tag=p\r\nTo: <sip:%s:%d>\r\nCall-ID: probe-%d@%s\r\nCSeq: 1 OPTIONS\r\n"
           "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n") % (IP, port, IP, lp, time.time_ns(), IP, IP, port,
                                                            time.time_ns(), IP)
    try:
        s.sendto(msg.encode(), (IP, port))
        data = s.recv(4096)
        return data.startswith(b"SIP/2.0 200")
    except OSError:
        return False
    finally:
        s.close()


class Kamailio:
    """agentdesk.cfg, copied into `work/name` with an agentdesk-local.cfg
    naming a fresh SIP port and the given agentdesk URL and credentials;
    checked (`kamailio -c`) and run in the foreground. `workers`: SIP
    children and callRoute workers each."""

    def __init__(self, work, name, url, user_id, token, defines=(), generated_by="sipfloor", workers=2):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        self.port = free_port()
        self.cfg = os.path.join(self.dir, "agentdesk.cfg")
        self.logfile = os.path.join(self.dir, "kamailio.log")
        shutil.copy(KAM_CFG, self.cfg)
        local = [
            "# generated by %s" % generated_by,
            '#!substdef "!AD_SIP_IP!%s!g"' % IP,
            '#!substdef "!AD_SIP_PORT!%d!g"' % self.port,
            '#!substdef "!AD_URL!%s!g"' % url,
            '#!substdef "!AD_USER_ID!%s!g"' % user_id,
            '#!substdef "!AD_TOKEN!%s!g"' % token,
            '#!substdef "!AD_HTTP_TIMEOUT!2!g"',
            '#!substdef "!AD_CHILDREN!%d!g"' % workers,
            '#!substdef "!AD_ROUTE_WORKERS!%d!g"' % workers,
        ] + ["#!define %s" % x for x in defines]
        with open(os.path.join(self.dir, "agentdesk-local.cfg"), "w") as f:
            f.write("\n".join(local) + "\n")
        chk = subprocess.run(["kamailio", "-c", "-f", self.cfg], capture_output=True, text=True)
        if chk.returncode != 0:
            raise RuntimeError("kamailio -c failed:\n" + chk.stdout + chk.stderr)
        self.proc = start(["kamailio", "-f", self.cfg, "-DD", "-E", "-w", self.dir], self.logfile)
        for _ in range(100):
            if self.proc.poll() is not None:
                raise RuntimeError("kamailio exited: see %s" % self.logfile)
            if sip_options_ok(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError("kamailio did not answer OPTIONS: see %s" % self.logfile)

    ROUTE_LINE = re.compile(r"agentdesk: callRoute (\S+) \((-?\d+) us\) -> (-?\d+) (.*)$")

    def route_answers(self, call_id=None):
        """callRoute answers as Kamailio logged them, oldest first:
        [{"callId", "rc", "answer" (parsed JSON or the raw text), "us" (how
        long the proxy waited for it, microseconds)}]."""
        import json
        out = []
        try:
            with open(self.logfile, errors="replace") as f:
                for line in f:
                    m = self.ROUTE_LINE.search(line.rstrip("\n"))
                    if not m or (call_id and m.group(1) != call_id):
                        continue
                    try:
                        answer = json.loads(m.group(4))
                    except ValueError:
                        answer = m.group(4)
                    out.append({"callId": m.group(1), "rc": int(m.group(3)), "answer": answer,
                                "us": int(m.group(2))})
        except FileNotFoundError:
            pass
        return out

    def lines(self, needle):
        try:
            with open(self.logfile, errors="replace") as f:
                return [ln.rstrip("\n") for ln in f if needle in ln]
        except FileNotFoundError:
            return []


# -- SIPp --------------------------------------------------------------------
def read_outcomes(path):
    """The "OUTCOME k=v ... t=<timestamp>" lines of a SIPp log as dicts (t
    in Unix seconds); SIPp writes them as they happen."""
    out = []
    try:
        with open(path, errors="replace") as f:
            for line in f:
                if not line.startswith("OUTCOME "):
                    continue
                head, _, ts = line.strip().partition(" t=")
                item = dict(kv.split("=", 1) for kv in head.split()[1:] if "=" in kv)
                item["t"] = float(ts.split()[-1]) if ts else None
                out.append(item)
    except FileNotFoundError:
        pass
    return out


class Sipp:
    """One SIPp instance; its <log> lines "OUTCOME k=v ... t=<timestamp>"
    become dicts in .outcomes (t as Unix seconds). SIPp writes them as they
    happen, so they can be read while it runs."""

    def __init__(self, work, label, scenario, port, args, remote=None, timeout=30):
        self.label = label
        self.logfile = os.path.join(work, label + ".log")
        self.msgfile = os.path.join(work, label + ".msg")
        cmd = ["sipp", "-i", IP, "-p", str(port), "-sf", os.path.join(SCEN, scenario), "-m", "1",
               "-nostdin", "-timeout", "%ds" % timeout, "-timeout_error", "-max_recv_loops", "1000",
               "-trace_logs", "-log_file", self.logfile, "-trace_msg", "-message_file", self.msgfile,
               "-trace_err", "-error_file", os.path.join(work, label + ".err")] + list(args)
        if remote:
            cmd.append(remote)
        self.cmd = cmd
        self.proc = start(cmd, os.path.join(work, label + ".out"), cwd=work)
        self.port = port

    def wait(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            stop(self.proc)
            return None

    def running(self):
        return self.proc.poll() is None

    def stop(self):
        stop(self.proc)

    @property
    def outcomes(self):
        return read_outcomes(self.logfile)

    def step(self, name, call=None):
        for o in self.outcomes:
            if o.get("step") == name and (call is None or o.get("call") == call):
                return o
        return None

    def steps(self):
        return [o["step"] for o in self.outcomes]

    def call_id(self):
        for o in self.outcomes:
            if "call" in o:
                return o["call"]
        return None

    def wait_step(self, name, timeout):
        """Waits until the instance logged `name` (or ended); the outcome or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            o = self.step(name)
            if o or not self.running():
                return o or self.step(name)
            time.sleep(0.05)
        return None


class Phone:
    """An agent phone: a REGISTER instance (extension `ext`, Contact on
    uas_port) and an answering instance of phone_<kind>.xml on uas_port.
    `answer_next()` replaces the answering instance (same port, so the
    registration stays) for the phone's next call. `ctx` needs .dir,
    .sip_port and .sipp_timeout; `sipp_args` are more SIPp arguments
    (`-m 10 -deadcall_wait 0`: answer up to ten INVITEs, also several
    of one call)."""

    def __init__(self, ctx, name, ext, kind, sipp_args=(), **vars_):
        self.ctx = ctx
        self.name, self.ext = name, ext
        self.uas_port = free_port()
        self.instances = []
        self.uas = None
        self.answer_next(kind, sipp_args, **vars_)

    @property
    def kind(self):
        return self.uas.kind

    def answer_next(self, kind, sipp_args=(), **vars_):
        if self.uas is not None:
            self.uas.stop()
        args = ["-key", "ext", self.ext] + list(sipp_args)
        for k, v in vars_.items():
            args += ["-set", k, str(v)]
        n = len(self.instances) + 1
        label = "phone_%s_%s" % (self.name, kind) + ("" if n == 1 else "_%d" % n)
        self.uas = Sipp(self.ctx.dir, label, "phone_%s.xml" % kind, self.uas_port, args,
                        timeout=self.ctx.sipp_timeout)
        self.uas.kind = kind
        self.instances.append(self.uas)
        return self.uas

    def start_register(self, expires=300):
        return Sipp(self.ctx.dir, "phone_%s_register" % self.name, "phone_register.xml", free_port(),
                    ["-key", "ext", self.ext, "-key", "uas_port", str(self.uas_port), "-key", "expires",
                     str(expires)], remote="%s:%d" % (IP, self.ctx.sip_port), timeout=10)

    def register(self, ctx=None):
        r = self.start_register()
        rc = r.wait(12)
        if rc != 0:
            raise RuntimeError("REGISTER of %s failed (rc=%s), see %s" % (self.ext, rc, r.logfile))

    @property
    def outcomes(self):
        """Outcomes of every answering instance this phone ran, in order."""
        return [o for s in self.instances for o in s.outcomes]

    def step(self, name, call=None):
        for o in self.outcomes:
            if o.get("step") == name and (call is None or o.get("call") == call):
                return o
        return None

    def steps(self, call=None):
        return [o["step"] for o in self.outcomes if call is None or o.get("call") == call]

    def invites(self):
        """Call-IDs of every INVITE this phone received."""
        return [o.get("call") for o in self.outcomes if o.get("step") == "invite"]


def register_all(phones):
    """REGISTERs every phone at once; raises when one fails."""
    regs = [(p, p.start_register()) for p in phones]
    for p, r in regs:
        rc = r.wait(12)
        if rc != 0:
            raise RuntimeError("REGISTER of %s failed (rc=%s), see %s" % (p.ext, rc, r.logfile))


class Ctx:
    """One scenario's directory, SIP port and checks."""

    def __init__(self, work, name, sip_port):
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.name = name
        self.sip_port = sip_port
        self.checks = []
        self.sipp_timeout = 30

    def check(self, what, ok, detail=""):
        self.checks.append({"check": what, "ok": bool(ok), "detail": detail})
        return ok

    def call(self, scenario, did, caller, label="caller", extra=(), **vars_):
        """A SIPp caller from `caller` to DID `did` through Kamailio
        (`extra`: more SIPp arguments)."""
        args = ["-s", did, "-key", "caller", caller] + list(extra)
        for k, v in vars_.items():
            args += ["-set", k, str(v)]
        return Sipp(self.dir, label, scenario, free_port(), args, remote="%s:%d" % (IP, self.sip_port),
                    timeout=self.sipp_timeout)
