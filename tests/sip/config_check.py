#!/usr/bin/env python3
"""End-to-end proof of integrations/kamailio/agentdesk.cfg.

Starts the agentdesk mock (mock_agentdesk.py), generates a Kamailio
configuration with free ports (agentdesk.cfg + agentdesk-local.cfg in a
fresh work directory), checks it (`kamailio -c`), runs Kamailio in the
foreground, and for every scenario registers SIPp phones, places a SIPp call
and compares what the mock received (callRoute asks, callEvent events) with
what SIPp logged. Prints a table and a JSON summary; exits 1 when any
expectation fails.

Usage:
  tests/sip/config_check.py [--only a,b,...] [--keep] [--json FILE] [--verbose]

Needs: kamailio (5.6, with http_client and jansson), sipp (3.6), python3.
Everything runs on 127.0.0.1, on ports found free at run time.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import urllib.request

from sipfloor import (HERE, IP, Ctx as FloorCtx, Kamailio, Phone, at_second, free_port, log, near, need_tools,
                      on_signals, start, stop_all)

USER_ID = "4711"
TOKEN = "test-token-" + str(os.getpid())
DID = "5000"
CALLER = "0301234567"


# -- mock --------------------------------------------------------------------
class MockClient:
    def __init__(self, url):
        self.url = url

    def _req(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def get(self, path):
        return self._req("GET", path)

    def post(self, path, body):
        return self._req("POST", path, body)


def start_mock(work):
    port = free_port()
    p = start([sys.executable, os.path.join(HERE, "mock_agentdesk.py"), "--port", str(port), "--quiet"],
              os.path.join(work, "mock.log"))
    m = MockClient("http://%s:%d" % (IP, port))
    for _ in range(100):
        try:
            m.get("/_events")
            return p, m
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("mock did not start: see %s/mock.log" % work)


# -- scenarios ---------------------------------------------------------------
class Ctx(FloorCtx):
    def __init__(self, work, name, sip_port, mock):
        super().__init__(work, name, sip_port)
        self.mock = mock

    def call(self, scenario, label="caller", **vars_):
        did = vars_.pop("did", DID)
        return super().call(scenario, did, CALLER, label=label, **vars_)


def agents_cfg(phones, first_id):
    return [{"agentId": first_id + i, "extension": p.ext} for i, p in enumerate(phones)]


def events_for(mock, call_id, settle=1.0):
    """The mock's events for one call, once no new one arrived for `settle` s."""
    last, seen_at = None, time.time()
    while True:
        evs = [e for e in mock.get("/_events") if e.get("callId") == call_id]
        if evs != last:
            last, seen_at = evs, time.time()
        elif time.time() - seen_at >= settle:
            return evs
        time.sleep(0.2)


def routes_for(mock, call_id):
    return [r for r in mock.get("/_routes") if r["request"].get("callId") == call_id]


def caller_call_id(caller):
    return caller.call_id()


def summarize_events(evs, agent_names):
    return ["%s(%s)" % (e["event"], agent_names.get(e.get("agentId"), e.get("agentId"))) for e in evs]


def expect_events(ctx, evs, expected, agent_names):
    """expected: list of (event, agentId); order-insensitive multiset match."""
    got = sorted((e["event"], e.get("agentId")) for e in evs)
    want = sorted(expected)
    ctx.check("events are exactly " + ", ".join("%s(%s)" % (e, agent_names.get(a, a)) for e, a in expected),
              got == want, "got " + ", ".join(summarize_events(evs, agent_names)))


def ev(evs, event, agent):
    for e in evs:
        if e["event"] == event and e.get("agentId") == agent:
            return e
    return None


def check_bodies(ctx, evs, call_id):
    """Every event carries what the server needs, as Kamailio should send it."""
    bad = []
    for e in evs:
        for k, want in (("callId", call_id), ("direction", "inbound"), ("did", DID), ("callerNumber", CALLER)):
            if e.get(k) != want:
                bad.append("%s %s=%r" % (e["event"], k, e.get(k)))
        if not isinstance(e.get("time"), int):
            bad.append("%s time=%r" % (e["event"], e.get("time")))
        if e["event"] == "abandoned":
            # the call's fact, not a leg's
            if "agentId" in e or e.get("reason") not in ("caller", "timeout"):
                bad.append("abandoned agentId=%r reason=%r" % (e.get("agentId"), e.get("reason")))
        elif not isinstance(e.get("agentId"), int):
            bad.append("%s agentId=%r" % (e["event"], e.get("agentId")))
    ctx.check("event bodies complete (callId, agentId, did, callerNumber, direction, time)", not bad, "; ".join(bad))


def finish(ctx, phones, caller, wait=20):
    rc = caller.wait(wait)
    for p in phones:
        p.uas.wait(3)
    return rc


def scenario_a(ctx):
    """ringall, 3 phones, B answers after 1 s, A and C never answer."""
    A = Phone(ctx, "A", "2101", "noanswer")
    B = Phone(ctx, "B", "2102", "answer", ring_ms=1000)
    C = Phone(ctx, "C", "2103", "noanswer")
    phones = [A, B, C]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "ringall", "ringTimeout": 5,
                              "agents": agents_cfg(phones, 101)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=3000)
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller: answered, talked, hung up (SIPp rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("A and C got CANCEL and answered 487",
              A.uas.step("cancelled") and C.uas.step("cancelled"), "A=%s C=%s" % (A.uas.steps(), C.uas.steps()))
    ctx.check("B answered and got the caller's BYE", B.uas.step("bye_received"), "B=%s" % B.uas.steps())
    names = {101: "A", 102: "B", 103: "C"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("answered", 102), ("missed", 101), ("missed", 103), ("ended", 102)], names)
    check_bodies(ctx, evs, cid)
    rt = routes_for(ctx.mock, cid)
    ctx.check("one callRoute ask", len(rt) == 1, "%d asks" % len(rt))
    ans, end = ev(evs, "answered", 102), ev(evs, "ended", 102)
    t_ans, t_bye = caller.step("answered"), caller.step("bye_sent")
    if ans and end and t_ans and t_bye:
        talk_sipp = t_bye["t"] - t_ans["t"]
        talk_ev = end["time"] - ans["time"]
        ctx.check("talk seconds: events %d s vs SIPp %.2f s (±1)" % (talk_ev, talk_sipp), near(talk_ev, talk_sipp))
        ctx.check("answered time matches SIPp's 200 OK", at_second(ans["time"], t_ans["t"]),
                  "event %s sipp %.2f" % (ans["time"], t_ans["t"]))
        ctx.check("ended time matches SIPp's BYE", at_second(end["time"], t_bye["t"]),
                  "event %s sipp %.2f" % (end["time"], t_bye["t"]))
    else:
        ctx.check("talk seconds measurable", False, "missing answered/ended event or SIPp log step")
    miss = [ev(evs, "missed", 101), ev(evs, "missed", 103)]
    ctx.check("missed(A), missed(C) at the answer time", all(m and ans and abs(m["time"] - ans["time"]) <= 1
                                                             for m in miss))
    return evs, rt, caller, phones


def scenario_b(ctx):
    """longest_idle: first phone busy (486), second answers."""
    A = Phone(ctx, "A", "2201", "busy")
    B = Phone(ctx, "B", "2202", "answer", ring_ms=500)
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": agents_cfg(phones, 201)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered and hung up (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("A answered 486", A.uas.step("busy"), "A=%s" % A.uas.steps())
    ctx.check("B answered", B.uas.step("answered"), "B=%s" % B.uas.steps())
    names = {201: "A", 202: "B"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("missed", 201), ("answered", 202), ("ended", 202)], names)
    check_bodies(ctx, evs, cid)
    rt = routes_for(ctx.mock, cid)
    offered = [[a["agentId"] for a in r["answer"].get("agents", [])] for r in rt]
    ctx.check("asked twice: offered [A] then [B]", offered == [[201], [202]], "offered %s" % offered)
    m = ev(evs, "missed", 201)
    ctx.check("missed(A) reported before the second ask", m and len(rt) == 2 and m["receivedAt"] <= rt[1]["at"] + 0.5,
              "")
    return evs, rt, caller, phones


def scenario_c(ctx, ring_timeout=2):
    """ring timeout: first phone never answers, second answers."""
    A = Phone(ctx, "A", "2301", "noanswer")
    B = Phone(ctx, "B", "2302", "answer", ring_ms=500)
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle",
                              "ringTimeout": ring_timeout, "agents": agents_cfg(phones, 301)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered and hung up (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("A rang and got CANCEL at the ring timeout", A.uas.step("cancelled"), "A=%s" % A.uas.steps())
    names = {301: "A", 302: "B"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("missed", 301), ("answered", 302), ("ended", 302)], names)
    check_bodies(ctx, evs, cid)
    inv, canc = A.uas.step("invite"), A.uas.step("cancelled")
    if inv and canc:
        ctx.check("A rang %.2f s = ringTimeout %d s (±1)" % (canc["t"] - inv["t"], ring_timeout),
                  near(canc["t"] - inv["t"], ring_timeout))
    m = ev(evs, "missed", 301)
    ctx.check("missed(A) time = A's CANCEL time (±1)", m and canc and at_second(m["time"], canc["t"]),
              "event %s sipp %s" % (m and m["time"], canc and canc["t"]))
    rt = routes_for(ctx.mock, cid)
    ctx.check("asked twice", len(rt) == 2, "%d asks" % len(rt))
    return evs, rt, caller, phones


def scenario_d(ctx):
    """the agent hangs up first."""
    A = Phone(ctx, "A", "2401", "hangup", ring_ms=500, talk_ms=2000)
    phones = [A]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": agents_cfg(phones, 401)})
    A.register(ctx)
    caller = ctx.call("caller_wait_bye.xml")
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered, got the agent's BYE (rc 0)", rc == 0 and caller.step("bye_received"),
              "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("agent's BYE answered 200 through the proxy", A.uas.step("ended"), "A=%s" % A.uas.steps())
    names = {401: "A"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("answered", 401), ("ended", 401)], names)
    check_bodies(ctx, evs, cid)
    end, bye = ev(evs, "ended", 401), A.uas.step("bye_sent")
    ctx.check("ended time = agent's BYE (±1)", end and bye and at_second(end["time"], bye["t"]),
              "event %s sipp %s" % (end and end["time"], bye and bye["t"]))
    ans, t_ans = ev(evs, "answered", 401), A.uas.step("answered")
    if ans and end and t_ans and bye:
        ctx.check("talk seconds: events %d s vs SIPp %.2f s (±1)" % (end["time"] - ans["time"], bye["t"] - t_ans["t"]),
                  near(end["time"] - ans["time"], bye["t"] - t_ans["t"]))
    return evs, [], caller, phones


def scenario_e(ctx):
    """the caller CANCELs while two phones ring (ringall)."""
    A = Phone(ctx, "A", "2501", "noanswer")
    B = Phone(ctx, "B", "2502", "noanswer")
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "ringall", "ringTimeout": 10,
                              "agents": agents_cfg(phones, 501)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_cancel.xml")
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller: 200 for CANCEL, 487 for INVITE (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("both phones got CANCEL", A.uas.step("cancelled") and B.uas.step("cancelled"),
              "A=%s B=%s" % (A.uas.steps(), B.uas.steps()))
    names = {501: "A", 502: "B"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("missed", 501), ("missed", 502), ("abandoned", None)], names)
    check_bodies(ctx, evs, cid)
    c = caller.step("cancel_sent")
    ctx.check("missed and abandoned times = the caller's CANCEL (±1)",
              c and all(at_second(e["time"], c["t"]) for e in evs),
              "cancel %s events %s" % (c and c["t"], [e["time"] for e in evs]))
    last = evs[-1] if evs else {}
    ctx.check("abandoned (reason caller) last, in a request of its own",
              last.get("event") == "abandoned" and last.get("reason") == "caller"
              and all(e["request"] != last["request"] for e in evs[:-1]),
              str([(e["event"], e.get("reason"), e["request"]) for e in evs]))
    rt = routes_for(ctx.mock, cid)
    ctx.check("no re-ask after the caller left", len(rt) == 1, "%d asks" % len(rt))
    return evs, rt, caller, phones


def scenario_f(ctx):
    """queue: nobody free -> 182 Queued, asked again each second; an agent
    becomes free after 2.5 s and is rung; answers."""
    A = Phone(ctx, "A", "2601", "answer", ring_ms=500)
    phones = [A]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": [{"agentId": 601, "extension": "2601", "state": "on_call"}]})
    A.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    time.sleep(2.5)
    t_free = time.time()
    ctx.mock.post("/_agent", {"agentId": 601, "state": "available"})
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller got 182 Queued, then answered (rc 0)", rc == 0 and caller.step("queued"),
              "rc=%s steps=%s" % (rc, caller.steps()))
    names = {601: "A"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("answered", 601), ("ended", 601)], names)
    rt = routes_for(ctx.mock, cid)
    queued = [r for r in rt if r["answer"].get("queued") == 1]
    ctx.check("asked about every second while queued", len(queued) >= 2 and all(
        0.5 <= b["at"] - a["at"] <= 2.6 for a, b in zip(queued, queued[1:])),
        "asks at +%s s" % [round(r["at"] - rt[0]["at"], 2) for r in rt])
    inv = A.uas.step("invite")
    ctx.check("agent rung within 2.5 s of becoming free", inv and 0 <= inv["t"] - t_free <= 2.5,
              "%.2f s" % (inv["t"] - t_free) if inv else "never rung")
    return evs, rt, caller, phones


def scenario_f2(ctx):
    """queue: nobody free, the caller CANCELs while queued -> 487, asks stop,
    one event: abandoned (caller; nobody was offered)."""
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": [{"agentId": 651, "extension": "2651", "state": "on_call"}]})
    caller = ctx.call("caller_cancel.xml")
    rc = caller.wait(15)
    cid = caller_call_id(caller)
    q, c, end = caller.step("queued"), caller.step("cancel_sent"), caller.step("ended")
    ctx.check("caller: 182, CANCEL, 200, 487 (rc 0)", rc == 0 and q and c and end,
              "rc=%s steps=%s" % (rc, caller.steps()))
    if c and end:
        ctx.check("487 within 2.5 s of the CANCEL", end["t"] - c["t"] <= 2.5, "%.2f s" % (end["t"] - c["t"]))
    time.sleep(2.5)
    rt = routes_for(ctx.mock, cid)
    ctx.check("no ask after the CANCEL", c and all(r["at"] <= c["t"] + 0.2 for r in rt),
              "asks at %s, cancel at %s" % ([round(r["at"], 2) for r in rt], c and round(c["t"], 2)))
    evs = events_for(ctx.mock, cid, settle=0.5)
    ctx.check("one event: abandoned, reason caller",
              [(e["event"], e.get("reason")) for e in evs] == [("abandoned", "caller")], str(evs))
    check_bodies(ctx, evs, cid)
    return evs, rt, caller, []


def scenario_f3(ctx):
    """no queue (AD_NO_QUEUE): nobody free -> 480 at once, and agentdesk
    hears abandoned (timeout): the call leaves its queue at once."""
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": [{"agentId": 671, "extension": "2671", "state": "on_call"}]})
    caller = ctx.call("caller_rejected.xml")
    rc = caller.wait(10)
    cid = caller_call_id(caller)
    f = caller.step("failed")
    ctx.check("caller got 480 (rc 0)", rc == 0 and f and f.get("code") == "480", "rc=%s %s" % (rc, f))
    evs = events_for(ctx.mock, cid, settle=0.5)
    ctx.check("one event: abandoned, reason timeout",
              [(e["event"], e.get("reason")) for e in evs] == [("abandoned", "timeout")], str(evs))
    rt = routes_for(ctx.mock, cid)
    ctx.check("one ask, answered queued", len(rt) == 1 and rt[0]["answer"].get("queued") == 1, str(len(rt)))
    return evs, rt, caller, []


def scenario_g(ctx):
    """unknown DID: agentdesk's error envelope -> 404."""
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "ringall", "agents": []})
    caller = ctx.call("caller_rejected.xml", did="5999")
    rc = caller.wait(10)
    cid = caller_call_id(caller)
    f = caller.step("failed")
    ctx.check("caller got 404 (rc 0)", rc == 0 and f and f.get("code") == "404", "rc=%s %s" % (rc, f))
    rt = routes_for(ctx.mock, cid)
    ctx.check("one ask, error envelope", len(rt) == 1 and rt[0]["answer"].get("status") == "error", "")
    return [], rt, caller, []


def scenario_h(ctx):
    """ringall: A declines (603) after 0.5 s, B keeps ringing and answers."""
    A = Phone(ctx, "A", "2801", "decline", ring_ms=500)
    B = Phone(ctx, "B", "2802", "answer", ring_ms=1500)
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "ringall", "ringTimeout": 5,
                              "agents": agents_cfg(phones, 801)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered by B (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    ctx.check("A declined, B was not cancelled by the 603 and answered",
              A.uas.step("declined") and B.uas.step("answered") and not B.uas.step("cancelled"),
              "A=%s B=%s" % (A.uas.steps(), B.uas.steps()))
    names = {801: "A", 802: "B"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("missed", 801), ("answered", 802), ("ended", 802)], names)
    check_bodies(ctx, evs, cid)
    m, d = ev(evs, "missed", 801), A.uas.step("declined")
    ctx.check("missed(A) at the decline (±1)", m and d and at_second(m["time"], d["t"]),
              "event %s sipp %s" % (m and m["time"], d and d["t"]))
    return evs, routes_for(ctx.mock, cid), caller, phones


def scenario_i(ctx):
    """longest_idle: the first agent offered has no registered phone ->
    missed at once, asked again, the second answers."""
    B = Phone(ctx, "B", "2902", "answer", ring_ms=500)
    phones = [B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "agents": [{"agentId": 901, "extension": "2901"}, {"agentId": 902, "extension": "2902"}]})
    B.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered by B (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    names = {901: "A", 902: "B"}
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("missed", 901), ("answered", 902), ("ended", 902)], names)
    rt = routes_for(ctx.mock, cid)
    offered = [[a["agentId"] for a in r["answer"].get("agents", [])] for r in rt]
    ctx.check("asked twice: offered [A] then [B]", offered == [[901], [902]], "offered %s" % offered)
    return evs, rt, caller, phones


def scenario_j(ctx, delay_ms=400):
    """two calls at once, longest_idle, callRoute takes 400 ms: asked in
    parallel (SIP is not held up), each call gets its own agent."""
    A = Phone(ctx, "A", "3001", "answer", ring_ms=800)
    B = Phone(ctx, "B", "3002", "answer", ring_ms=800)
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "longest_idle", "ringTimeout": 5,
                              "routeDelayMs": delay_ms, "agents": agents_cfg(phones, 1001)})
    for p in phones:
        p.register(ctx)
    c1 = ctx.call("caller_talk.xml", label="caller1", talk_ms=1000)
    c2 = ctx.call("caller_talk.xml", label="caller2", talk_ms=1000)
    rc1, rc2 = c1.wait(20), c2.wait(20)
    for p in phones:
        p.uas.wait(3)
    ctx.check("both callers answered (rc 0)", rc1 == 0 and rc2 == 0, "rc=%s,%s" % (rc1, rc2))
    ids = [caller_call_id(c1), caller_call_id(c2)]
    evs = [e for cid in ids for e in events_for(ctx.mock, cid)]
    answered = sorted((e["callId"], e["agentId"]) for e in evs if e["event"] == "answered")
    ctx.check("each call answered by a different agent",
              len(answered) == 2 and len({a for _, a in answered}) == 2 and len({c for c, _ in answered}) == 2,
              str(answered))
    ctx.check("2 answered + 2 ended, nothing else", sorted(e["event"] for e in evs) == ["answered"] * 2 + ["ended"] * 2,
              str([e["event"] for e in evs]))
    # post-dial delay: caller's INVITE -> the phone's INVITE
    pdd = []
    for c in (c1, c2):
        cid, t0 = caller_call_id(c), c.step("invite")
        for p in phones:
            inv = p.uas.step("invite")
            # a proxy keeps the Call-ID: the phone's leg has the caller's
            if inv and t0 and cid and inv.get("call") == cid:
                pdd.append(round(inv["t"] - t0["t"], 3))
    ctx.check("both asks in parallel: each phone rang within %d ms + 300 ms" % delay_ms,
              len(pdd) == 2 and max(pdd) < (delay_ms + 300) / 1000.0, "post-dial delays %s s" % pdd)
    return evs, [r for cid in ids for r in routes_for(ctx.mock, cid)], c1, phones


def scenario_k(ctx):
    """ringall: B is deleted in agentdesk while ringing, A answers: the batch
    [answered(A), missed(B)] is refused whole, Kamailio sends the events one
    by one, so answered(A) still counts."""
    A = Phone(ctx, "A", "3101", "answer", ring_ms=1200)
    B = Phone(ctx, "B", "3102", "noanswer")
    phones = [A, B]
    ctx.mock.post("/_reset", {"userId": USER_ID, "token": TOKEN, "strategy": "ringall", "ringTimeout": 5,
                              "agents": agents_cfg(phones, 1101)})
    for p in phones:
        p.register(ctx)
    caller = ctx.call("caller_talk.xml", talk_ms=1000)
    time.sleep(0.6)
    ctx.mock.post("/_agent", {"agentId": 1102, "delete": True})
    rc = finish(ctx, phones, caller)
    cid = caller_call_id(caller)
    ctx.check("caller answered by A (rc 0)", rc == 0, "rc=%s steps=%s" % (rc, caller.steps()))
    evs = events_for(ctx.mock, cid)
    expect_events(ctx, evs, [("answered", 1101), ("ended", 1101)], {1101: "A", 1102: "B"})
    refused = [r for r in ctx.mock.get("/_rejected") if cid in json.dumps(r["body"])]
    sizes = [len(r["body"]["events"]) for r in refused]
    # The 200 OK and B's CANCEL usually land in one batch; when the async
    # worker posts answered(A) before the CANCEL, missed(B) goes alone and
    # there is no batch to resend (seen once in CI).
    ctx.check("the batch, then missed(B) alone, were refused (or missed(B) alone when not batched)",
              sizes in ([2, 1], [1]), str([(n, r["why"]) for n, r in zip(sizes, refused)]))
    ctx.expect_refusals = True
    return evs, routes_for(ctx.mock, cid), caller, phones


SCENARIOS = [
    ("a", "ringall: B answers, A+C cancelled; caller hangs up", scenario_a, "main"),
    ("b", "longest_idle: 486 busy, re-ask, next answers", scenario_b, "main"),
    ("c", "ring timeout, re-ask, next answers", scenario_c, "main"),
    ("d", "agent hangs up first", scenario_d, "main"),
    ("e", "caller CANCELs while 2 phones ring", scenario_e, "main"),
    ("f", "nobody free: 182 Queued, agent frees up, answers", scenario_f, "main"),
    ("f2", "nobody free: 182 Queued, caller CANCELs", scenario_f2, "main"),
    ("f3", "nobody free, queue off: 480", scenario_f3, "noqueue"),
    ("g", "unknown DID: 404", scenario_g, "main"),
    ("h", "ringall: 603 decline does not stop the others", scenario_h, "main"),
    ("i", "offered agent not registered: missed, re-ask", scenario_i, "main"),
    ("j", "two calls at once, slow callRoute: parallel asks", scenario_j, "main"),
    ("k", "a refused event batch is resent event by event", scenario_k, "main"),
]


def main():
    ap = argparse.ArgumentParser(description="Prove agentdesk.cfg end to end with SIPp and a mock agentdesk.")
    ap.add_argument("--only", help="comma-separated scenario ids (%s)" % ",".join(s[0] for s in SCENARIOS))
    ap.add_argument("--keep", action="store_true", help="keep the work directory (logs, SIPp traces)")
    ap.add_argument("--json", help="also write the JSON summary to this file")
    ap.add_argument("--verbose", action="store_true", help="print every check")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    need_tools("kamailio", "sipp")
    on_signals()
    work = tempfile.mkdtemp(prefix="agentdesk-sip-")
    log("work directory " + work)
    results = []
    try:
        _, mock = start_mock(work)
        kams = {}
        for sid, title, fn, kam in SCENARIOS:
            if only and sid not in only:
                continue
            if kam not in kams:
                extra = {"noqueue": ["AD_NO_QUEUE"]}.get(kam, [])
                k = Kamailio(work, "kamailio-" + kam, mock.url, USER_ID, TOKEN, extra,
                             generated_by="config_check.py")
                kams[kam] = (k.port, k.dir)
                log("kamailio %s on udp:%s:%d" % (kam, IP, k.port))
            ctx = Ctx(work, "scenario-" + sid, kams[kam][0], mock)
            log("scenario %s: %s" % (sid, title))
            t0 = time.time()
            evs, rt, caller, phones = [], [], None, []
            try:
                evs, rt, caller, phones = fn(ctx)
            except Exception as e:  # a scenario that crashes fails, the others still run
                ctx.check("scenario ran", False, "%s: %s" % (type(e).__name__, e))
            cid = caller_call_id(caller) if caller else None
            if cid and not getattr(ctx, "expect_refusals", False):
                refused = [r for r in mock.get("/_rejected") if cid in json.dumps(r["body"])]
                ctx.check("agentdesk (mock) refused no request", not refused, json.dumps(refused)[:300])
            ok = bool(ctx.checks) and all(c["ok"] for c in ctx.checks)
            results.append({
                "scenario": sid, "title": title, "ok": ok, "seconds": round(time.time() - t0, 2),
                "callId": caller_call_id(caller) if caller else None,
                "sipp": {"caller": caller.outcomes if caller else [],
                         "phones": {"%s/%s" % (p.name, p.ext): p.uas.outcomes for p in phones}},
                "events": evs,
                "callRoute": [{"at": r["at"], "answer": r["answer"]} for r in rt],
                "checks": ctx.checks,
            })
        rejected = mock.get("/_rejected")
    finally:
        stop_all()
    summary = {"ok": all(r["ok"] for r in results), "workDir": work, "scenarios": results,
               "rejectedByMock": rejected}
    text = json.dumps(summary, indent=2)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    print(text)
    print()
    print("%-4s %-6s %-7s %s" % ("id", "result", "secs", "scenario"))
    for r in results:
        print("%-4s %-6s %-7s %s" % (r["scenario"], "PASS" if r["ok"] else "FAIL", r["seconds"], r["title"]))
        for c in r["checks"]:
            if a.verbose or not c["ok"]:
                print("       %s %s%s" % ("ok  " if c["ok"] else "FAIL", c["check"],
                                          (" -- " + c["detail"]) if c["detail"] else ""))
    if rejected:
        print("note: the mock refused %d request(s) in all (rejectedByMock in the JSON; a scenario that "
              "expects refusals checks them itself)" % len(rejected))
    passed = sum(r["ok"] for r in results)
    print("%d passed, %d failed" % (passed, len(results) - passed))
    if not a.keep and summary["ok"]:
        shutil.rmtree(work, ignore_errors=True)
    else:
        print("logs kept in " + work)
    sys.exit(0 if summary["ok"] else 1)


if __name__ == "__main__":
    main()
