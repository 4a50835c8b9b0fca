#!/usr/bin/env python3
"""A small stand-in for agentdesk's telephony API, for proving the Kamailio
configuration without the real server.

Implements:
  POST /api/v2/callRoute   routing decision for a call (records `offered`)
  POST /api/v2/callEvent   call facts (answered / missed / ended), one or a batch
Test-only endpoints:
  GET  /_events            every callEvent item received, with arrival time
  GET  /_routes            every callRoute request and the answer given
  GET  /_agents            agents and their states
  GET  /_rejected          callEvent requests refused (and why)
  POST /_reset             new configuration, state cleared (body: see `Mock.reset`)
  POST /_agent             {"agentId":5,"state":"available"}: an agent's state changes
                           ({"agentId":5,"delete":true}: the agent is deleted)

Validation follows the real server where Kamailio could get it wrong, with
its codes: the credentials, `agentId` required on every event (else 1503
Invalid agentId), only answered/missed/ended from Kamailio (offered is
recorded by callRoute; anything else 1502 Invalid event), `time` an integer;
a batch with one bad item is refused whole. Differences from the real
server: an agent deleted here (`/_agent` delete) stands for an id the
account never had (the real server records a deleted agent's events), and
this mock keeps calls waiting in order (the real server keeps no queue:
whichever waiting call asks first after an agent frees up gets it).

Python 3 standard library only. Run:  mock_agentdesk.py --port 8080
"""

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

EVENTS = ("answered", "missed", "ended")
STRATEGIES = ("ringall", "longest_idle", "round_robin", "fewest_calls")


def error(code, message):
    return {"status": "error", "message": message, "code": code}


class Mock:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset({})

    def reset(self, cfg):
        """cfg keys (all optional):
        userId, token          credentials Kamailio must send ("1", "secret")
        strategy               for every DID ("ringall")
        ringTimeout            seconds (3)
        agents                 [{"agentId":5,"extension":"1001","state":"available"}, ...]
        dids                   {"5000": 3}  DID -> groupId (every agent is in every group)
        acceptAbandoned        accept {"event":"abandoned"} without agentId (True, as the server does)
        routeDelayMs           sleep this long before answering callRoute (0)
        """
        with self.lock:
            self.user_id = str(cfg.get("userId", "1"))
            self.token = cfg.get("token", "secret")
            self.strategy = cfg.get("strategy", "ringall")
            self.ring_timeout = int(cfg.get("ringTimeout", 3))
            self.dids = {str(k): int(v) for k, v in cfg.get("dids", {"5000": 3}).items()}
            self.accept_abandoned = bool(cfg.get("acceptAbandoned", True))
            self.route_delay = float(cfg.get("routeDelayMs", 0)) / 1000.0
            now = time.time()
            self.agents = {}
            for i, a in enumerate(cfg.get("agents", [])):
                aid = int(a["agentId"])
                self.agents[aid] = {
                    "agentId": aid,
                    "extension": str(a["extension"]),
                    "state": a.get("state", "available"),
                    # earlier in the list = idle longer
                    "idleSince": now - 1000 + i,
                    "calls": 0,
                    "ringingFor": None,
                }
            self.tried = {}  # callId -> set(agentId)
            self.queue = []  # callIds waiting, oldest first
            self.events = []
            self.routes = []
            self.rejected = []
            self.requests = 0
            self.rr_next = 0

    # -- callRoute ---------------------------------------------------------
    def call_route(self, body):
        if self.route_delay:
            time.sleep(self.route_delay)
        with self.lock:
            answer = self._call_route(body)
            self.routes.append({"at": time.time(), "request": body, "answer": answer})
            return answer

    def _auth(self, body):
        if "userId" not in body or "token" not in body:
            return error(1020, "Token not found")
        if str(body["userId"]) != self.user_id or body["token"] != self.token:
            return error(1014, "Invalid token")
        return None

    def _call_route(self, body):
        bad = self._auth(body)
        if bad:
            return bad
        call_id = body.get("callId")
        if not isinstance(call_id, str) or not call_id.strip():
            return error(1501, "Invalid callId")
        did = str(body.get("did", ""))
        if did not in self.dids:
            return error(1506, "No group for this did")
        group = self.dids[did]
        tried = self.tried.setdefault(call_id, set())
        # first come, first served: while calls wait, only the longest
        # waiting one may take a free agent
        waiting = [c for c in self.queue if c != call_id]
        ahead = waiting if call_id not in self.queue else waiting[:self.queue.index(call_id)]
        free = [a for a in self.agents.values() if a["state"] == "available" and a["agentId"] not in tried]
        strategy = self.strategy
        if strategy == "ringall":
            chosen = sorted(free, key=lambda a: a["agentId"])
        elif strategy == "longest_idle":
            chosen = sorted(free, key=lambda a: a["idleSince"])[:1]
        elif strategy == "fewest_calls":
            chosen = sorted(free, key=lambda a: (a["calls"], a["idleSince"]))[:1]
        else:  # round_robin
            ids = sorted(a["agentId"] for a in free)
            pick = [i for i in ids if i >= self.rr_next] or ids
            chosen = [self.agents[pick[0]]] if pick else []
            if chosen:
                self.rr_next = chosen[0]["agentId"] + 1
        answer = {
            "callId": call_id,
            "groupId": group,
            "strategy": strategy,
            "ringTimeout": self.ring_timeout,
            "agents": [],
            "queued": 0,
            "status": "success",
            "code": 200,
        }
        if ahead:
            chosen = []
        if not chosen:
            if call_id not in self.queue:
                self.queue.append(call_id)
            answer["queued"] = 1
            return answer
        if call_id in self.queue:
            self.queue.remove(call_id)
        for a in chosen:
            a["state"] = "ringing"
            a["ringingFor"] = call_id
            tried.add(a["agentId"])
            answer["agents"].append({"agentId": a["agentId"], "dest_type": "SIP", "dest_value": a["extension"]})
        return answer

    # -- callEvent ---------------------------------------------------------
    def _check_item(self, item, now):
        """None, or (code, why) as the real server refuses the item."""
        if not isinstance(item, dict):
            return 1047, "event not an object"
        cid = item.get("callId")
        if not (isinstance(cid, str) and cid.strip()) and not isinstance(cid, int):
            return 1501, "invalid callId"
        ev = item.get("event")
        if ev == "abandoned" and self.accept_abandoned:
            if "agentId" in item:
                return 1503, "abandoned names no agent"
            if item.get("reason", "caller") not in ("caller", "timeout"):
                return 1513, "invalid reason %r" % (item.get("reason"),)
            return None
        if ev not in EVENTS:
            return 1502, "invalid event %r" % (ev,)
        aid = item.get("agentId")
        if isinstance(aid, str) and aid.isdigit():
            aid = int(aid)
        if not isinstance(aid, int) or aid not in self.agents:
            return 1503, "invalid agentId %r" % (item.get("agentId"),)
        t = item.get("time")
        if t is not None and (not isinstance(t, int) or t <= 0 or t > now + 300):
            return 1000, "invalid time %r" % (t,)
        d = item.get("direction")
        if d is not None and d not in ("inbound", "outbound"):
            return 1000, "invalid direction"
        return None

    def call_event(self, body):
        now = time.time()
        with self.lock:
            bad = self._auth(body)
            if bad:
                self.rejected.append({"at": now, "body": body, "why": bad["message"]})
                return bad
            if "events" in body:
                items = body["events"]
                if not isinstance(items, list) or not 1 <= len(items) <= 1000:
                    self.rejected.append({"at": now, "body": body, "why": "invalid events"})
                    return error(1511, "Invalid events")
            else:
                items = [{k: v for k, v in body.items() if k not in ("userId", "token")}]
            for item in items:
                bad = self._check_item(item, now)
                if bad:
                    code, why = bad
                    self.rejected.append({"at": now, "body": body, "why": why})
                    return error(code, why)
            self.requests += 1
            accepted = duplicates = 0
            for item in items:
                key = (str(item["callId"]), item["event"], item.get("agentId"))
                if any((str(e["callId"]), e["event"], e.get("agentId")) == key for e in self.events):
                    duplicates += 1
                    continue
                accepted += 1
                rec = dict(item)
                rec["receivedAt"] = now
                rec["request"] = self.requests  # which callEvent request carried it
                self.events.append(rec)
                self._apply(item)
            return {"accepted": accepted, "duplicates": duplicates, "status": "success", "code": 200}

    def _apply(self, item):
        a = self.agents.get(item.get("agentId"))
        if a is None:
            return
        ev = item["event"]
        if ev == "answered":
            a["state"] = "on_call"
            a["calls"] += 1
        elif ev == "missed":
            if a["state"] == "ringing" and a["ringingFor"] == str(item["callId"]):
                a["state"] = "available"
                a["ringingFor"] = None
        elif ev == "ended":
            a["state"] = "available"
            a["ringingFor"] = None
            a["idleSince"] = time.time()

    def set_agent(self, body):
        with self.lock:
            a = self.agents.get(int(body.get("agentId", 0)))
            if a is None:
                return error(404, "no such agent")
            if body.get("delete"):
                del self.agents[a["agentId"]]
                return {"status": "success", "code": 200}
            a["state"] = body.get("state", "available")
            a["ringingFor"] = None
            if a["state"] == "available":
                a["idleSince"] = time.time()
            return {"status": "success", "code": 200, "agent": dict(a)}

    def snapshot(self, what):
        with self.lock:
            return json.loads(json.dumps(getattr(self, what) if what != "agents" else list(self.agents.values())))


MOCK = Mock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    quiet = False

    def log_message(self, fmt, *args):
        if not Handler.quiet:
            sys.stderr.write("mock: " + (fmt % args) + "\n")

    def _send(self, obj, status=200):
        data = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        try:
            return json.loads(raw or b"{}"), raw
        except ValueError:
            return None, raw

    def do_GET(self):
        path = self.path.split("?")[0]
        table = {"/_events": "events", "/_routes": "routes", "/_agents": "agents", "/_rejected": "rejected"}
        if path in table:
            return self._send(MOCK.snapshot(table[path]))
        self._send(error(404, "not found"), 404)

    def do_POST(self):
        path = self.path.split("?")[0]
        body, raw = self._body()
        if body is None or not isinstance(body, dict):
            return self._send(error(1000, "body is not a JSON object: %r" % raw[:200]), 400)
        if path == "/api/v2/callRoute":
            return self._send(MOCK.call_route(body))
        if path == "/api/v2/callEvent":
            return self._send(MOCK.call_event(body))
        if path == "/_agent":
            return self._send(MOCK.set_agent(body))
        if path == "/_reset":
            MOCK.reset(body)
            return self._send({"status": "success", "code": 200})
        self._send(error(404, "not found"), 404)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--config", help="JSON file with the /_reset configuration")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args()
    if a.config:
        with open(a.config) as f:
            MOCK.reset(json.load(f))
    Handler.quiet = a.quiet
    srv = ThreadingHTTPServer((a.host, a.port), Handler)
    srv.daemon_threads = True
    print("mock agentdesk on http://%s:%d" % (a.host, srv.server_address[1]), flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
