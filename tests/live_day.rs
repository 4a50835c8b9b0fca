//! Live state end to end: the captured timeline and break bytes, who may
//! read whose profile, and a whole simulated agent day whose timeline,
//! line chart and live status are checked to the second.

mod common;

use common::{Account, TestApp};
use serde_json::{Value, json};

const TIMELINE: &str = "/api/v2/Agent/timeLine";
const LIVE: &str = "/api/v2/Agent/live";
const ON_BREAK: &str = "/api/v2/agentProfile/agentOnBreak";
const WRAP_UP: &str = "/api/v2/agentProfile/checkAgentInWrapUp";
const PING: &str = "/api/v2/agentProfile/setWebPingTime";
const CALL_EVENT: &str = "/api/v2/callEvent";

/// 2026-11-23 00:00 in Asia/Kolkata (UTC+05:30).
const DAY_START: i64 = 1_795_392_000 - 19_800;
/// The agent's shift starts at 09:00 local time.
const SHIFT: i64 = DAY_START + 9 * 3600;

async fn agent_with_session(app: &TestApp, account: &Account, name: &str, email: &str) -> (i64, String) {
    let id = app.agent(account, &format!(r#""name":"{name}","email":"{email}","password":"pass-word-1""#)).await;
    let ssid = app.login(email, "pass-word-1").await;
    (id, ssid)
}

backend_test!(a_fresh_accounts_timeline_is_the_captured_bytes, |app| {
    let account = app.account().await;
    let reply = app.post(TIMELINE, &format!("{{{}}}", account.creds())).await;
    assert_eq!(
        reply.body,
        r#"{"agEvent":[],"event":[],"data":{},"lineChart":{},"window":300,"status":"success","code":200,"lstSync":0}"#
    );
    assert_eq!(reply.header("etag"), r#"W/"69-UJSny+dwExCtUzdihFXbECrY8Gc""#);
});

backend_test!(an_agent_not_on_break_gets_the_captured_error_bytes, |app| {
    let account = app.account().await;
    let (_, ssid) = agent_with_session(&app, &account, "Asha Rao", "asha@example.com").await;
    let reply = app.post(ON_BREAK, &format!(r#"{{"ssid":"{ssid}"}}"#)).await;
    assert_eq!(reply.body, r#"{"status":"error","message":"On break is : 0","code":1502}"#);
    assert_eq!(reply.header("etag"), r#"W/"3a-Hcwf2RVvHHAHh45ODnXpallkU74""#);
});

backend_test!(an_agent_session_cannot_read_another_agents_profile, |app| {
    let account = app.account().await;
    let (_, ssid) = agent_with_session(&app, &account, "Asha Rao", "asha@example.com").await;
    let other = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com""#).await;
    for path in [ON_BREAK, WRAP_UP, "/api/v2/agentProfile/breakStart", "/api/v2/agentProfile/breakEnd"] {
        let body = format!(r#"{{"ssid":"{ssid}","agentId":"{other}","reason":"Tea"}}"#);
        app.expect_error(path, &body, 1501, "Agent id not match").await;
    }
    let body = format!(r#"{{"ssid":"{ssid}","agentId":{other},"mic_perm":1}}"#);
    app.expect_error(PING, &body, 1501, "Agent id not match").await;
});

backend_test!(another_accounts_agent_answers_as_if_it_did_not_exist, |app| {
    let ours = app.account().await;
    let theirs = app.account().await;
    let (their_agent, their_ssid) = agent_with_session(&app, &theirs, "Asha Rao", "asha@example.com").await;
    let break_body = format!(r#"{{"ssid":"{their_ssid}","reason":"Tea"}}"#);
    app.post("/api/v2/agentProfile/breakStart", &break_body).await;
    let missing = their_agent + 1000;
    for path in [ON_BREAK, WRAP_UP, "/api/v2/agentProfile/breakEnd"] {
        for id in [their_agent, missing] {
            let body = format!(r#"{{{},"agentId":"{id}"}}"#, ours.creds());
            app.expect_error(path, &body, 1507, "Invalid agentId").await;
        }
    }
    for id in [their_agent, missing] {
        let live = format!(r#"{{{},"agentId":"{id}"}}"#, ours.creds());
        app.expect_error(LIVE, &live, 1509, "Invalid agentId").await;
        let timeline = format!(r#"{{{},"filter":[{{"key":"agentId","value":"{id}"}}]}}"#, ours.creds());
        app.expect_error(TIMELINE, &timeline, 1509, "Invalid agentId").await;
        let call = format!(
            r#"{{{},"callId":"x1","event":"offered","agentId":"{id}","callerNumber":"9876543210"}}"#,
            ours.creds()
        );
        app.expect_error(CALL_EVENT, &call, 1503, "Invalid agentId").await;
    }
    // Their agent is on break, untouched by all of the above.
    let reply = app.post(ON_BREAK, &format!(r#"{{"ssid":"{their_ssid}"}}"#)).await.json();
    assert_eq!(reply["data"]["on_break"], 1, "{reply}");
});

/// One agent's day, driven through the API on a clock the test moves. The
/// agent's page pings every 20 seconds unless the day says otherwise.
struct Day<'a> {
    app: &'a TestApp,
    account: Account,
    agent: i64,
    ssid: String,
    last_ping: i64,
    pinging: bool,
}

impl Day<'_> {
    /// Moves time to `SHIFT + offset`, pinging and running the background
    /// step on the way, as the page and the server's loop would.
    async fn at(&mut self, offset: i64) {
        let until = SHIFT + offset;
        loop {
            let next_ping = self.last_ping + 20;
            if self.pinging && next_ping <= until {
                self.app.clock.set(next_ping);
                self.app.step().await;
                let body = format!(r#"{{"ssid":"{}","mic_perm":1,"ping_time":{next_ping}000}}"#, self.ssid);
                let reply = self.app.post(PING, &body).await.json();
                assert_eq!(reply["status"], "success", "{reply}");
                self.last_ping = next_ping;
            } else {
                self.app.clock.set(until);
                self.app.step().await;
                return;
            }
        }
    }

    async fn call(&self, call_id: &str, event: &str) {
        self.call_for(self.agent, call_id, event, "").await;
    }

    /// A fact about `agent`'s leg of `call_id`, with `extra` fields (`,"k":v…`).
    async fn call_for(&self, agent: i64, call_id: &str, event: &str, extra: &str) {
        let body = format!(
            r#"{{{},"callId":"{call_id}","event":"{event}","agentId":"{agent}","callerNumber":"9876543210","did":"8045678901"{extra}}}"#,
            self.account.creds(),
        );
        let reply = self.app.post(CALL_EVENT, &body).await.json();
        assert_eq!(reply["accepted"], 1, "{call_id} {event}: {reply}");
    }

    async fn state_of(&self, agent: i64) -> Value {
        let body = format!(r#"{{{},"agentId":{agent}}}"#, self.account.creds());
        self.app.post(LIVE, &body).await.json()["response"][0]["state"].clone()
    }

    async fn profile(&self, endpoint: &str, extra: &str) -> Value {
        let body = format!(r#"{{"ssid":"{}"{extra}}}"#, self.ssid);
        self.app.post(&format!("/api/v2/agentProfile/{endpoint}"), &body).await.json()
    }

    /// What the agent's own dashboard shows at `path` (`agentDashboard/…`).
    async fn profile_of(&self, path: &str) -> Value {
        self.app.post(&format!("/api/v2/{path}"), &format!(r#"{{"ssid":"{}"}}"#, self.ssid)).await.json()
    }

    async fn live(&self) -> Value {
        let reply = self.app.post(LIVE, &format!("{{{}}}", self.account.creds())).await.json();
        reply["response"][0].clone()
    }
}

/// The ten answered calls: offered at these offsets, answered 5 s later,
/// talking 120 + 10·i seconds.
const CALLS: [i64; 10] = [300, 1500, 2700, 3900, 5100, 8100, 9300, 10500, 11700, 12900];

fn talk(i: usize) -> i64 {
    120 + 10 * i as i64
}

/// The day as the test expects it: `(offset, state, reason)` changes.
fn expected_changes() -> Vec<(i64, &'static str, Option<&'static str>)> {
    let mut changes = vec![(0, "available", None)];
    for (i, &offered) in CALLS.iter().enumerate() {
        let ended = offered + 5 + talk(i);
        changes.push((offered, "ringing", None));
        changes.push((offered + 5, "on_call", None));
        match i {
            // The agent asked for lunch during this call: it starts at hang-up.
            4 => changes.push((ended, "break", Some("Lunch"))),
            // The agent ended this wrap-up early.
            2 => changes.extend([(ended, "wrap_up", None), (ended + 10, "available", None)]),
            _ => changes.extend([(ended, "wrap_up", None), (ended + 30, "available", None)]),
        }
    }
    changes.extend([
        (1000, "break", Some("Tea")),
        (1300, "available", None),
        (2000, "ringing", None),
        (2020, "available", None),
        // The ring-all that Ben took.
        (4500, "ringing", None),
        (4504, "available", None),
        (6000, "ringing", None),
        (6020, "break", Some("Lunch")),
        // The laptop sleeps during lunch: the break is there when it wakes.
        (6230, "stale", None),
        (6290, "offline", Some("ping_lost")),
        (6400, "break", Some("Lunch")),
        // The answer that raced its ring timeout.
        (12_100, "ringing", None),
        (12_120, "on_call", None),
        (12_200, "wrap_up", None),
        (12_230, "available", None),
        (5265 + 2400, "available", None),
        (9630, "stale", None),
        (9690, "offline", Some("ping_lost")),
        (9800, "available", None),
        (14_400, "offline", Some("agent")),
    ]);
    changes.sort_by_key(|c| c.0);
    changes
}

/// `agentDashboard/counters` as the timeline `data` of the same agent-day
/// adds up: seconds per state (login = every state but offline), with the
/// given call counts.
fn counters_from_timeline(data: &Value, agent: i64, upto: i64, calls: (u64, u64, u64)) -> Value {
    let mut secs = std::collections::HashMap::new();
    for interval in data.as_array().unwrap() {
        let state = interval["state"].as_str().unwrap();
        let start = interval["start"].as_i64().unwrap();
        let end = interval["end"].as_i64().unwrap().min(upto);
        *secs.entry(state).or_insert(0) += (end - start).max(0);
    }
    let of = |s: &str| secs.get(s).copied().unwrap_or(0);
    let login: i64 = secs.iter().filter(|(s, _)| **s != "offline").map(|(_, v)| v).sum();
    json!({"message":{"agentId":agent,"date":"2026-11-23","from":DAY_START,"to":upto,
        "calls":calls.0,"answered":calls.1,"missed":calls.2,"loginTime":login,"availableTime":of("available"),
        "ringTime":of("ringing"),"talkTime":of("on_call"),"wrapUpTime":of("wrap_up"),"breakTime":of("break"),
        "staleTime":of("stale")},"status":"success"})
}

/// Seconds per state per 300-second bucket, counted second by second.
fn expected_line_chart(intervals: &[(i64, i64, &str)]) -> Value {
    let mut chart = serde_json::Map::new();
    for state in ["available", "ringing", "on_call", "wrap_up", "break", "stale"] {
        let mut buckets = vec![0i64; 288];
        for (start, end, s) in intervals {
            if *s == state {
                for t in *start..*end {
                    buckets[((t - DAY_START) / 300) as usize] += 1;
                }
            }
        }
        if buckets.iter().any(|b| *b > 0) {
            chart.insert(state.to_string(), json!(buckets));
        }
    }
    Value::Object(chart)
}

backend_test!(a_simulated_agent_day_is_told_the_same_by_timeline_chart_and_live_status, |app| {
    let account = app.account().await;
    let settings = format!(r#"{{{},"timezone":"Asia/Kolkata"}}"#, account.creds());
    app.post("/api/v2/Account/settings", &settings).await;
    let agent = app.agent(&account, r#""name":"Asha Rao","email":"asha@example.com","password":"pass-word-1""#).await;
    let ben = app.agent(&account, r#""name":"Ben Okafor","email":"ben@example.com","password":"pass-word-1""#).await;
    let chen = app.agent(&account, r#""name":"Chen Wei","email":"chen@example.com","password":"pass-word-1""#).await;
    app.clock.set(SHIFT);
    let ssid = app.login("asha@example.com", "pass-word-1").await;
    let mut day = Day { app: &app, account: account.clone(), agent, ssid, last_ping: SHIFT, pinging: true };

    for (i, &offered) in CALLS.iter().enumerate() {
        let id = format!("c{i}");
        let ended = offered + 5 + talk(i);
        if i == 1 {
            // The tea break, well within its 15 minutes; a missed call after it.
            day.at(1000).await;
            assert_eq!(day.profile("breakStart", r#","reason":"tea""#).await["data"]["state"], "break");
            day.at(1300).await;
            assert_eq!(day.profile("breakEnd", "").await["data"]["state"], "available");
        }
        if i == 2 {
            day.at(2000).await;
            day.call("m1", "offered").await;
            day.at(2020).await;
            day.call("m1", "missed").await;
        }
        if i == 4 {
            // A ring-all to Asha, Ben and Chen: Ben answers, Asha's leg times
            // out, the PBX cancels Chen's with a plain `ended`.
            day.at(4495).await;
            let others =
                [app.login("ben@example.com", "pass-word-1").await, app.login("chen@example.com", "pass-word-1").await];
            day.at(4500).await;
            for who in [agent, ben, chen] {
                day.call_for(who, "r1", "offered", "").await;
            }
            day.at(4504).await;
            day.call_for(ben, "r1", "answered", "").await;
            day.call("r1", "missed").await;
            day.call_for(chen, "r1", "ended", "").await;
            assert_eq!((day.state_of(chen).await, day.state_of(agent).await), (json!("available"), json!("available")));
            day.at(4520).await;
            day.call_for(ben, "r1", "ended", "").await;
            assert_eq!(day.state_of(ben).await, "wrap_up");
            day.at(4525).await;
            for ssid in others {
                app.post("/api/v2/auth/logout", &format!(r#"{{"ssid":"{ssid}"}}"#)).await;
            }
        }
        if i == 9 {
            // An answer that raced the ring timeout arrives after the `missed`.
            day.at(12_100).await;
            day.call("r2", "offered").await;
            day.at(12_120).await;
            day.call("r2", "missed").await;
            day.at(12_121).await;
            day.call_for(agent, "r2", "answered", &format!(r#","time":{}"#, SHIFT + 12_119)).await;
            assert_eq!(day.live().await["state"], "on_call");
            day.at(12_200).await;
            day.call("r2", "ended").await;
        }
        day.at(offered).await;
        day.call(&id, "offered").await;
        day.at(offered + 5).await;
        day.call(&id, "answered").await;
        if i == 6 {
            // A consult call while the customer holds: on the phone throughout.
            day.at(9350).await;
            day.call_for(agent, "k1", "answered", r#","direction":"outbound""#).await;
            day.at(9400).await;
            day.call_for(agent, "k1", "ended", r#","direction":"outbound""#).await;
            assert_eq!(day.live().await["state"], "on_call");
            assert_eq!(day.live().await["call"]["callId"], "c6");
        }
        if i == 4 {
            day.at(5200).await;
            let queued = day.profile("breakStart", r#","reason":"Lunch""#).await;
            assert_eq!(queued["data"]["state"], "on_call", "{queued}");
            assert_eq!(queued["data"]["queuedBreak"], "Lunch", "{queued}");
            assert_eq!(day.live().await["queuedBreak"], "Lunch");
        }
        day.at(ended).await;
        day.call(&id, "ended").await;
        if i == 0 {
            day.at(425 + 5).await;
            let wrap = day.profile("checkAgentInWrapUp", "").await;
            let expected = json!({"status":"success","data":{"response":1,"wrapETime":SHIFT + 455,
                "currentDuration":25,"callId":"c0","cNumber":"919876543210"}});
            assert_eq!(wrap, expected);
        }
        if i == 2 {
            day.at(ended + 10).await;
            assert_eq!(day.profile("wrapUpEnd", "").await["data"]["state"], "available");
        }
        if i == 4 {
            // Lunch: a call offered meanwhile rings (the phone does) and the
            // break goes on when it stops.
            day.at(6000).await;
            day.call("b1", "offered").await;
            day.at(6020).await;
            day.call("b1", "missed").await;
            day.at(6200).await;
            day.pinging = false;
            day.at(6300).await;
            let asleep = day.live().await;
            assert_eq!(
                (asleep["state"].clone(), asleep["breakDetail"]["start"].clone()),
                (json!("offline"), json!(SHIFT + 5265))
            );
            day.pinging = true;
            day.last_ping = SHIFT + 6380;
            day.at(6400).await;
            assert_eq!(day.live().await["breakDetail"]["start"], SHIFT + 5265);
            day.at(7000).await;
            // The dashboard's totals so far agree with the timeline so far.
            let body = format!(r#"{{{},"filter":[{{"key":"date","value":"2026-11-23"}}]}}"#, day.account.creds());
            let so_far = app.post(TIMELINE, &body).await.json();
            let counters = day.profile_of("agentDashboard/counters").await;
            assert_eq!(
                counters,
                counters_from_timeline(&so_far["data"][agent.to_string()], agent, SHIFT + 7000, (8, 5, 3))
            );
            assert_eq!(counters["message"]["breakTime"], 300 + 1735 - 20 - 170, "{counters}");
            let live = day.live().await;
            assert_eq!(live["state"], "break");
            assert_eq!(
                live["breakDetail"],
                json!({"reason":"Lunch","start":SHIFT + 5265,"elapsed":1735,"maxDuration":1800,"overrun":0})
            );
            day.at(7100).await;
            let on_break = day.profile("agentOnBreak", "").await;
            let expected = json!({"status":"success","data":{"on_break":1,"breakDetail":{"reason":"Lunch",
                "start":SHIFT + 5265,"elapsed":1835,"maxDuration":1800,"overrun":1},
                "agent_id":agent.to_string(),"user_id":account.user_id}});
            assert_eq!(on_break, expected);
            day.at(5265 + 2400).await;
            assert_eq!(day.profile("breakEnd", "").await["data"]["state"], "available");
        }
        if i == 6 {
            // The page goes quiet after its ping at 9600 and comes back at 9800.
            day.at(9600).await;
            day.pinging = false;
            day.at(9650).await;
            assert_eq!(day.live().await["state"], "stale");
            day.at(9790).await;
            assert_eq!(day.live().await["state"], "offline");
            day.pinging = true;
            day.last_ping = SHIFT + 9780;
            day.at(9800).await;
            assert_eq!(day.live().await["state"], "available");
        }
    }
    day.at(14_400).await;
    let logout = format!(r#"{{"ssid":"{}"}}"#, day.ssid);
    app.post("/api/v2/auth/logout", &logout).await;
    app.clock.set(SHIFT + 15_000);
    app.step().await;

    // The timeline: every interval to the second, the chart from the same intervals.
    let changes = expected_changes();
    let mut intervals: Vec<(i64, i64, &str)> = vec![(DAY_START, SHIFT, "offline")];
    let mut expected_data = vec![json!({"state":"offline","start":DAY_START,"end":SHIFT,"duration":SHIFT - DAY_START})];
    for (n, (offset, state, reason)) in changes.iter().enumerate() {
        let start = SHIFT + offset;
        let end = changes.get(n + 1).map(|c| SHIFT + c.0).unwrap_or(SHIFT + 15_000);
        intervals.push((start, end, state));
        let mut interval = json!({"state":state,"start":start,"end":end,"duration":end - start});
        if let Some(r) = reason {
            interval["reason"] = json!(r);
        }
        expected_data.push(interval);
    }
    // Ben and Chen, in for the ring-all only: Ben talked on it, Chen's leg was cancelled.
    let mut colleagues = Vec::new();
    for (who, after_ring) in [(ben, vec![(4504, "on_call"), (4520, "wrap_up")]), (chen, vec![(4504, "available")])] {
        let mut changes =
            vec![(DAY_START, None, "offline"), (SHIFT + 4495, None, "available"), (SHIFT + 4500, None, "ringing")];
        changes.extend(after_ring.into_iter().map(|(at, state)| (SHIFT + at, None, state)));
        changes.push((SHIFT + 4525, Some("agent"), "offline"));
        let mut data = Vec::new();
        for (n, (start, reason, state)) in changes.iter().enumerate() {
            let end = changes.get(n + 1).map(|c| c.0).unwrap_or(SHIFT + 15_000);
            intervals.push((*start, end, state));
            let mut interval = json!({"state":state,"start":start,"end":end,"duration":end - start});
            if let Some(r) = reason {
                interval["reason"] = json!(r);
            }
            data.push(interval);
        }
        colleagues.push((who.to_string(), data));
    }
    let body = format!(r#"{{{},"filter":[{{"key":"date","value":"2026-11-23"}}]}}"#, account.creds());
    let timeline = app.post(TIMELINE, &body).await.json();
    let mut expected_days = serde_json::Map::new();
    expected_days.insert(agent.to_string(), json!(expected_data));
    for (who, data) in colleagues {
        expected_days.insert(who, json!(data));
    }
    assert_eq!(timeline["data"], Value::Object(expected_days));
    assert_eq!(timeline["lineChart"], expected_line_chart(&intervals));
    assert_eq!(timeline["window"], 300);

    // Events: Asha's ten answered calls, the missed one, the two offered
    // during lunch, her legs of the ring-all (2), the consult (2) and the
    // raced answer (4); Ben's (3) and Chen's (2) legs of the ring-all.
    let calls = timeline["event"].as_array().unwrap();
    assert_eq!(calls.len(), 10 * 3 + 2 + 2 + 2 + 2 + 4 + 3 + 2);
    assert_eq!(
        calls[0],
        json!({"id":2,"agentId":agent,"event":"offered","time":SHIFT + 300,"state":"ringing","actor":"telephony",
               "callId":"c0","callerNumber":"919876543210","direction":"inbound","did":"8045678901"})
    );
    let kinds: Vec<&str> =
        timeline["agEvent"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    let count = |k: &str| kinds.iter().filter(|x| **x == k).count();
    assert_eq!(
        (count("login"), count("logout"), count("break_start"), count("break_end"), count("break_queued")),
        (3, 3, 2, 2, 1)
    );
    assert_eq!(
        (count("break_overrun"), count("wrap_up_end"), count("stale"), count("offline"), count("heartbeat")),
        (1, 10, 2, 2, 2)
    );
    let raced = calls.iter().find(|e| e["callId"] == "r2" && e["event"] == "answered").unwrap();
    assert_eq!((raced["time"].clone(), raced["reportedTime"].clone()), (json!(SHIFT + 12_120), json!(SHIFT + 12_119)));
    let overrun = timeline["agEvent"].as_array().unwrap().iter().find(|e| e["event"] == "break_overrun").unwrap();
    assert_eq!(overrun["time"], SHIFT + 5265 + 1800);
    let last_seq = timeline["lstSync"].as_i64().unwrap();
    assert_eq!(last_seq as usize, calls.len() + kinds.len());

    // Incremental sync: nothing newer than what was returned.
    let again = format!(r#"{{{},"filter":[{{"date":"2026-11-23"}}],"lstSync":{last_seq},"all":0}}"#, account.creds());
    let newer = app.post(TIMELINE, &again).await.json();
    assert_eq!(
        (newer["agEvent"].clone(), newer["event"].clone(), newer["lstSync"].clone()),
        (json!([]), json!([]), json!(last_seq))
    );
    assert_eq!(newer["data"], timeline["data"]);

    // The day's counters add up the same intervals: twelve answered calls
    // (the ten, the consult, the raced answer) and three missed (one while
    // available, one offered during lunch, the ring-all Ben took).
    let body = format!(r#"{{{},"agentId":{agent},"date":"2026-11-23"}}"#, account.creds());
    let counters = app.post("/api/v2/agentDashboard/counters", &body).await.json();
    let expected = counters_from_timeline(&timeline["data"][agent.to_string()], agent, SHIFT + 15_000, (15, 12, 3));
    assert_eq!(counters, expected);
    let talk_total: i64 = (0..10).map(talk).sum();
    assert_eq!(counters["message"]["talkTime"], talk_total + 80, "the consult overlaps c6; r2 from its logged answer");
    assert_eq!(counters["message"]["wrapUpTime"], 8 * 30 + 10 + 30);
    assert_eq!(counters["message"]["loginTime"], 14_400 - 110 - 110, "{counters}");
    let body = format!(r#"{{{},"agentId":{ben},"date":"2026-11-23"}}"#, account.creds());
    let ben_counts = app.post("/api/v2/agentDashboard/counters", &body).await.json()["message"].clone();
    assert_eq!(
        (ben_counts["calls"].clone(), ben_counts["answered"].clone(), ben_counts["talkTime"].clone()),
        (json!(1), json!(1), json!(16))
    );
    let body = format!(r#"{{{},"agentId":{chen},"date":"2026-11-23"}}"#, account.creds());
    let chen_counts = app.post("/api/v2/agentDashboard/counters", &body).await.json()["message"].clone();
    assert_eq!(
        (chen_counts["calls"].clone(), chen_counts["missed"].clone(), chen_counts["wrapUpTime"].clone()),
        (json!(1), json!(1), json!(0))
    );

    // And the live view agrees: offline since the logout.
    let live = day.live().await;
    assert_eq!((live["state"].clone(), live["since"].clone()), (json!("offline"), json!(SHIFT + 14_400)));
});

backend_test!(a_group_may_set_its_own_wrap_up_time_for_its_calls, |app| {
    let account = app.account().await;
    let creds = account.creds();
    app.expect_error(
        "/api/v2/Group/add",
        &format!(r#"{{{creds},"name":"Sales","wrapUpTime":3601}}"#),
        1505,
        "Invalid wrapUpTime",
    )
    .await;
    app.post("/api/v2/Group/add", &format!(r#"{{{creds},"name":"Sales","wrapUpTime":90}}"#)).await;
    app.expect(
        "/api/v2/Group/list",
        &format!("{{{creds}}}"),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":0,"wrapUpTime":90}},"status":"success","code":200}"#,
    )
    .await;
    let (agent, _) = agent_with_session(&app, &account, "Asha Rao", "asha@example.com").await;
    let t = agentdesk::clock::Clock::now(&*app.clock);
    let call = |id: &str, event: &str, group: &str| {
        format!(r#"{{{creds},"callId":"{id}","event":"{event}","agentId":{agent},"callerNumber":"9876543210"{group}}}"#)
    };
    app.expect_error(CALL_EVENT, &call("c0", "answered", r#","groupId":9"#), 1509, "Invalid groupId").await;
    for (id, group, wrap) in [("c1", r#","groupId":"1""#, 90), ("c2", "", 30)] {
        app.post(CALL_EVENT, &call(id, "answered", group)).await;
        app.post(CALL_EVENT, &call(id, "ended", group)).await;
        let live = app.post(LIVE, &format!("{{{creds}}}")).await.json();
        assert_eq!(live["response"][0]["wrapETime"], t + wrap, "{id}: {live}");
        app.post("/api/v2/agentProfile/wrapUpEnd", &format!(r#"{{{creds},"agentId":{agent}}}"#)).await;
    }
    let update = format!(r#"{{{creds},"groupId":1,"name":"Sales","wrapUpTime":null}}"#);
    app.expect("/api/v2/Group/update", &update, r#"{"status":"success","code":200,"message":"Group updated"}"#).await;
    app.expect(
        "/api/v2/Group/list",
        &format!("{{{creds}}}"),
        r#"{"response":{"1":{"name":"Sales","status":1,"agents":0}},"status":"success","code":200}"#,
    )
    .await;
});
