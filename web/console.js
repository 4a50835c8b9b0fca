// The agent console: the page a DeepCall agent keeps open, and a working
// reference for integrators. It sends the heartbeat every 15 s with the
// microphone permission as the browser reports it, takes and ends breaks,
// shows the wrap-up countdown (and ends it early), the current call with
// the caller's card, recent calls and notes, its counters and the missed
// calls to call back. Its own events arrive on the stream.

import { badge, call, clock, duration, esc, now, session, syncClock, toast } from './api.js';

const HEARTBEAT_SECS = 15;

export function mountConsole(root, { logout }) {
  document.title = 'agentdesk — console';
  const me = session.load();
  root.innerHTML = `
    <header class="bar">
      <h1 id="me">Console</h1>
      <span id="my-state"></span>
      <span id="my-since" class="since"></span>
      <span class="spacer"></span>
      <span id="mic" class="muted"></span>
      <span id="beat" class="muted"></span>
      <button id="logout" type="button">Log out</button>
    </header>
    <div class="console">
      <section class="card" aria-labelledby="h-break">
        <h2 id="h-break">Break</h2>
        <p id="break-now" class="muted"></p>
        <select id="break-reason" aria-label="Break reason"></select>
        <button id="break-start" type="button">Take break</button>
        <button id="break-end" type="button">End break</button>
      </section>
      <section class="card" id="wrap" hidden aria-labelledby="h-wrap">
        <h2 id="h-wrap">Wrap-up</h2>
        <p>Ready in <b id="wrap-left"></b> <button id="wrap-end" type="button">I am ready</button></p>
      </section>
      <section class="card" id="call-card" aria-labelledby="h-call">
        <h2 id="h-call">Current call</h2>
        <div id="call"><p class="muted">No call.</p></div>
      </section>
      <section class="card" aria-labelledby="h-counters">
        <h2 id="h-counters">Today</h2>
        <dl id="counters" class="counters"></dl>
      </section>
      <section class="card" aria-labelledby="h-tags">
        <h2 id="h-tags">Missed calls to call back</h2>
        <ul id="tags" class="events"></ul>
      </section>
    </div>`;
  const $ = (sel) => root.querySelector(sel);
  let live = null; // my Agent/live item
  let shownCall = null; // the call whose card is on screen
  let stopped = false;
  let stream = null;

  $('#logout').addEventListener('click', logout);

  async function refresh() {
    try {
      const reply = await call('Agent/live', { agentId: me.agentId });
      syncClock(reply.serverTime);
      live = reply.response[0];
      $('#me').textContent = live.name;
      draw();
      if ((live.call?.callId ?? null) !== shownCall) showCall(live.call);
    } catch (e) {
      if (e.code !== 1014) toast(e.message, 'error');
    }
  }

  function draw() {
    if (!live) return;
    const t = now();
    $('#my-state').innerHTML = badge(live.state);
    $('#my-since').textContent = duration(t - live.since);
    const b = live.breakDetail;
    $('#break-now').innerHTML = b
      ? `On <b>${esc(b.reason)}</b> for ${duration(t - b.start)}${b.maxDuration ? ` of ${duration(b.maxDuration)}` : ''}${
          b.maxDuration && t - b.start > b.maxDuration ? ' <span class="overrun">overrun</span>' : ''
        }`
      : live.queuedBreak
        ? `Break <b>${esc(live.queuedBreak)}</b> starts when the call ends`
        : 'Not on break.';
    $('#break-end').disabled = !b && !live.queuedBreak;
    $('#break-start').disabled = live.state === 'offline';
    const wrapping = live.state === 'wrap_up' && live.wrapETime;
    $('#wrap').hidden = !wrapping;
    if (wrapping) $('#wrap-left').textContent = duration(live.wrapETime - t);
    const talk = $('#talk');
    if (talk && live.call) talk.textContent = duration(t - live.call.since);
  }

  /** The current call: number, direction, talk time, the caller's card, recent calls and notes. */
  async function showCall(c) {
    shownCall = c?.callId ?? null;
    const box = $('#call');
    if (!c) {
      box.innerHTML = '<p class="muted">No call.</p>';
      return;
    }
    const direction = c.direction === 'outbound' ? 'outbound' : 'inbound';
    if (!c.callerNumber) {
      // A withheld caller: no card, no history, nothing to note it against.
      box.innerHTML = `<p><b>Withheld number</b> · ${direction} · <span id="talk"></span></p>`;
      return;
    }
    box.innerHTML = `<p><b>${esc(c.callerNumber)}</b> · ${direction}
      · <span id="talk"></span></p><div id="contact"></div><h3>Recent calls</h3><ul id="recent" class="events"></ul>
      <h3>Notes</h3><ul id="notes" class="events"></ul>
      <form id="note-form"><input name="content" placeholder="Add a note" aria-label="Note" required>
      <button type="submit">Add note</button></form>`;
    const number = c.callerNumber;
    const [card, recent] = await Promise.all([
      call('agentDashboard/contactInfo', { callerNumber: number }).catch(() => null),
      call('agentDashboard/recentCalls', { callerNumber: number }).catch(() => null),
    ]);
    if (card) {
      box.querySelector('#contact').innerHTML = `<dl class="contact">${Object.entries(card.message.Cu)
        .map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`)
        .join('')}</dl>`;
    }
    if (recent) {
      box.querySelector('#recent').innerHTML =
        recent.message.map((r) => `<li><time>${clock(r.time)}</time> ${esc(r.direction)} ${esc(r.status)} ${duration(r.duration)}</li>`).join('') ||
        '<li class="muted">None.</li>';
    }
    await listNotes(number);
    box.querySelector('#note-form').addEventListener('submit', async (event) => {
      event.preventDefault();
      const input = event.target.content;
      try {
        await call('agentDashboard/notesAdd', { callerNumber: number, callId: c.callId, content: input.value });
        input.value = '';
        await listNotes(number);
      } catch (e) {
        toast(e.message, 'error');
      }
    });
  }

  async function listNotes(number) {
    const notes = await call('agentDashboard/notesList', { callerNumber: number }).catch(() => null);
    const list = $('#notes');
    if (notes && list) {
      list.innerHTML = notes.message.map((n) => `<li><time>${clock(n.createdAt)}</time> ${esc(n.content)}</li>`).join('') || '<li class="muted">None.</li>';
    }
  }

  async function loadCounters() {
    try {
      const c = (await call('agentDashboard/counters')).message;
      $('#counters').innerHTML = [
        ['Calls', c.calls],
        ['Answered', c.answered],
        ['Missed', c.missed],
        ['Talk', duration(c.talkTime)],
        ['Wrap-up', duration(c.wrapUpTime)],
        ['Break', duration(c.breakTime)],
        ['Logged in', duration(c.loginTime)],
      ]
        .map(([k, v]) => `<div><dt>${k}</dt><dd>${esc(v)}</dd></div>`)
        .join('');
      const tags = (await call('agentProfile/tags')).data.tags.filter((t) => !t.calledBack);
      $('#tags').innerHTML =
        tags.map((t) => `<li><time>${clock(t.time)}</time> <b>${esc(t.callerNumber)}</b> ${esc(t.type.replace("_", " "))}</li>`).join('') ||
        '<li class="muted">None.</li>';
    } catch (e) {
      if (e.code !== 1014) toast(e.message, 'error');
    }
  }

  /** The microphone permission as the browser reports it: 1 granted, else 0. */
  async function micPermission() {
    try {
      const status = await navigator.permissions.query({ name: 'microphone' });
      $('#mic').textContent = `mic: ${status.state}`;
      return status.state === 'granted' ? 1 : 0;
    } catch {
      $('#mic').textContent = 'mic: unknown';
      return 0;
    }
  }

  async function heartbeat() {
    try {
      const mic_perm = await micPermission();
      const reply = await call('agentProfile/setWebPingTime', { mic_perm, ping_time: Math.floor(Date.now() / 1000) });
      $('#beat').textContent = `heartbeat ${clock(reply.data.ping_time)}`;
      if (live && live.state !== reply.data.state) await refresh();
    } catch (e) {
      if (e.code !== 1014) $('#beat').textContent = `heartbeat failed: ${e.message}`;
    }
  }

  $('#break-start').addEventListener('click', async () => {
    try {
      await call('agentProfile/breakStart', { reason: $('#break-reason').value });
      await refresh();
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  $('#break-end').addEventListener('click', async () => {
    try {
      await call('agentProfile/breakEnd');
      await refresh();
    } catch (e) {
      toast(e.message, 'error');
    }
  });
  $('#wrap-end').addEventListener('click', async () => {
    try {
      await call('agentProfile/wrapUpEnd');
      await refresh();
    } catch (e) {
      toast(e.message, 'error');
    }
  });

  function openStream() {
    // Only this agent's events (its role does not hold VIEW_AGENTS); each one refreshes the console.
    stream = new EventSource(`/api/v2/stream?ssid=${encodeURIComponent(me.ssid)}&named=0`);
    // The stream starts at the present: what happened before it opened is
    // read once it is open, so no event between a read and the opening is
    // missed (a call offered then showed no caller until the next event).
    stream.onopen = () => refresh();
    stream.onmessage = (m) => {
      const e = JSON.parse(m.data);
      refresh();
      if (['ended', 'missed', 'wrap_up_end', 'break_end', 'logout'].includes(e.event)) loadCounters();
    };
    // A stream the server ended for good (a supervisor logged the agent
    // out: the session is gone): one request tells, and a 1014 returns to the login.
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED && !stopped) refresh();
    };
  }

  const ticker = setInterval(draw, 1000);
  const beat = setInterval(heartbeat, HEARTBEAT_SECS * 1000);
  (async () => {
    const reasons = await call('Break/list').catch(() => ({ response: [] }));
    $('#break-reason').innerHTML = reasons.response.map((r) => `<option>${esc(r.name)}</option>`).join('');
    await heartbeat();
    if (!stopped) openStream();
    await refresh();
    await loadCounters();
  })();

  return () => {
    stopped = true;
    clearInterval(ticker);
    clearInterval(beat);
    if (stream) stream.close();
  };
}
