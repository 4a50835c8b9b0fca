// The supervisor's board: one row per agent, kept live by the event stream
// (falling back to polling Agent/live when the stream cannot be opened).
// Built for 10,000 agents: only the rows in view exist in the DOM, and ONE
// timer for the whole page ticks the times in state.

import { STATES, badge, call, clock, duration, esc, now, session, syncClock, toast } from './api.js';
import { openDrawer } from './drawer.js';

const ROW_HEIGHT = 56;
/** Rows drawn above and below the visible ones, so a scroll shows no gap. */
const OVERSCAN = 8;
/** Polling period while the stream cannot be opened, and how often to try it again. */
const POLL_SECS = 5;
const STREAM_RETRY_SECS = 30;
/** A stream not open this long after asking (or after a drop) gives way to polling meanwhile. */
const OPEN_WAIT_SECS = 3;

export function mountBoard(root, { logout }) {
  document.title = 'agentdesk — board';
  root.innerHTML = `
    <header class="bar">
      <h1>Board</h1>
      <span id="conn" class="conn conn-connecting" role="status">connecting…</span>
      <span id="updated" class="muted"></span>
      <span class="spacer"></span>
      <span class="muted">${esc(session.load()?.email ?? '')}</span>
      <button id="logout" type="button">Log out</button>
    </header>
    <section id="counts" class="counts" aria-label="Agents per state"></section>
    <section class="filters">
      <input id="f-name" type="search" placeholder="Filter by name" aria-label="Filter by name">
      <select id="f-group" aria-label="Filter by group"><option value="">All groups</option></select>
      <select id="f-state" aria-label="Filter by state"><option value="">All states</option>
        ${STATES.map(([k, label]) => `<option value="${k}">${label}</option>`).join('')}</select>
      <select id="f-sort" aria-label="Sort">
        <option value="name">Sort by name</option>
        <option value="longest">Longest in state first</option>
      </select>
      <span id="shown" class="muted"></span>
    </section>
    <div class="row head" aria-hidden="true">
      <span>Agent</span><span>State</span><span>In state</span><span>Detail</span><span>Actions</span>
    </div>
    <div id="list" class="list" role="list"><div id="spacer" class="list-spacer"></div><div id="rows"></div></div>`;

  const $ = (sel) => root.querySelector(sel);
  const list = $('#list');
  const agents = new Map(); // agentId → Agent/live item, kept up to date by events
  const groups = new Map(); // groupId → name
  let reasons = []; // the break catalogue
  let view = []; // the filtered, sorted agents
  let dirty = true; // the view must be recomputed
  let frame = 0;
  let stream = null;
  let pollTimer = 0;
  let retryTimer = 0;
  let fallbackTimer = 0;
  let snapshotTaken = false;
  const early = []; // events that arrived before the first snapshot
  let stopped = false;
  /** Bumped on every change of an agent: its row is rebuilt when its `rev` moved. */
  let revisions = 0;

  $('#logout').addEventListener('click', logout);
  for (const id of ['#f-name', '#f-group', '#f-state', '#f-sort']) {
    $(id).addEventListener('input', () => invalidate());
  }
  list.addEventListener('scroll', () => schedule());

  function setConn(kind, text) {
    const el = $('#conn');
    el.className = `conn conn-${kind}`;
    el.textContent = text;
  }

  function touched() {
    $('#updated').textContent = `last update ${clock(now())}`;
  }

  function invalidate() {
    dirty = true;
    schedule();
  }

  function schedule() {
    if (!frame && !stopped) frame = requestAnimationFrame(render);
  }

  function recompute() {
    const name = $('#f-name').value.trim().toLowerCase();
    const group = $('#f-group').value;
    const state = $('#f-state').value;
    view = [...agents.values()].filter(
      (a) =>
        (!name || a.name.toLowerCase().includes(name)) &&
        (!group || (a.groups && group in a.groups)) &&
        (!state || a.state === state),
    );
    if ($('#f-sort').value === 'longest') {
      view.sort((a, b) => a.since - b.since || a.name.localeCompare(b.name));
    } else {
      view.sort((a, b) => a.name.localeCompare(b.name) || a.agentId - b.agentId);
    }
    $('#spacer').style.height = `${view.length * ROW_HEIGHT}px`;
    $('#shown').textContent = `${view.length} of ${agents.size} agents`;
    const counts = Object.fromEntries(STATES.map(([k]) => [k, 0]));
    for (const a of agents.values()) counts[a.state] = (counts[a.state] ?? 0) + 1;
    $('#counts').innerHTML = STATES.map(
      ([k, label]) =>
        `<button type="button" class="count st-${k}" data-state="${k}" aria-pressed="${state === k}">
           <b data-count="${k}">${counts[k]}</b> ${label}</button>`,
    ).join('');
    dirty = false;
  }

  function groupNames(a) {
    return Object.entries(a.groups ?? {})
      .map(([id, takes]) => `<span class="${takes === 'Y' ? '' : 'standby'}">${esc(groups.get(id) ?? `#${id}`)}</span>`)
      .join(' ');
  }

  /** The row's detail: break and overrun, wrap-up countdown, call, queued break, stale or offline. */
  function detail(a, t) {
    const parts = [];
    const b = a.breakDetail;
    if (b && (a.state === 'break' || a.state === 'stale' || a.state === 'offline')) {
      const spent = t - b.start;
      if (b.maxDuration && spent > b.maxDuration) {
        parts.push(`<span class="overrun">${esc(b.reason)} · over by ${duration(spent - b.maxDuration)}</span>`);
      } else {
        const max = b.maxDuration ? ` / ${duration(b.maxDuration)}` : '';
        parts.push(`<span class="break-reason">${esc(b.reason)}</span> · ${duration(spent)}${max}`);
      }
    }
    if (a.state === 'wrap_up' && a.wrapETime) {
      parts.push(`wrap-up ends in <b>${duration(a.wrapETime - t)}</b>`);
    }
    if (a.call && (a.state === 'on_call' || a.state === 'ringing')) {
      const arrow = a.call.direction === 'outbound' ? '↗ out' : '↘ in';
      const talk = a.state === 'on_call' ? `talk ${duration(t - a.call.since)}` : `ringing ${duration(t - a.call.since)}`;
      parts.push(`<span class="call">${arrow} ${esc(a.call.callerNumber || 'withheld')} · ${talk}</span>`);
    }
    if (a.queuedBreak) parts.push(`<span class="queued">then break: ${esc(a.queuedBreak)}</span>`);
    if (a.state === 'stale') {
      parts.push(`<span class="stale-mark">no heartbeat${a.lastPing ? ` since ${clock(a.lastPing)}` : ''}</span>`);
    }
    if (a.state === 'offline' && a.status === 0) parts.push('<span class="muted">switched off</span>');
    return parts.join('<br>');
  }

  function actions(a) {
    const out = [];
    if (a.state === 'break' || a.queuedBreak) {
      out.push(`<button type="button" data-act="breakEnd">End break</button>`);
    }
    if (a.state === 'wrap_up') out.push(`<button type="button" data-act="wrapUpEnd">End wrap-up</button>`);
    if (a.state !== 'offline') {
      if (a.state !== 'break') {
        out.push(`<select data-act="breakStart" aria-label="Start a break for ${esc(a.name)}">
          <option value="">Break…</option>${reasons.map((r) => `<option>${esc(r.name)}</option>`).join('')}</select>`);
      }
      out.push(`<button type="button" data-act="logout" class="danger">Log out</button>`);
    }
    return out.join(' ');
  }

  function overrun(a, t) {
    const b = a.breakDetail;
    return Boolean(b?.maxDuration && a.state === 'break' && t - b.start > b.maxDuration);
  }

  function sinceText(a, t) {
    return a.since > 0 ? duration(t - a.since) : '—';
  }

  /** A row built anew: only when its agent changed (`rev`), so a click or an open menu is never lost to a tick. */
  function buildRow(a, t) {
    const el = document.createElement('div');
    el.className = `row row-${a.state}`;
    el.setAttribute('role', 'listitem');
    el.dataset.agent = a.agentId;
    el.dataset.rev = a.rev;
    el.innerHTML = `
      <span class="who"><button type="button" class="link" data-act="drawer">${esc(a.name)}</button>
        <small class="groups">${groupNames(a)}</small></span>
      <span class="state">${badge(a.state)}</span>
      <span class="since" title="${a.since > 0 ? `since ${clock(a.since)}` : 'never logged in'}">${sinceText(a, t)}</span>
      <span class="detail">${detail(a, t)}</span>
      <span class="actions">${actions(a)}</span>`;
    return el;
  }

  /** Rows in the DOM, by agent id: only those in view (plus a margin). */
  const shown = new Map();

  /** Draws the rows in view (and the counts when something changed): the only DOM work. */
  function render() {
    frame = 0;
    if (stopped) return;
    if (dirty) recompute();
    const t = now();
    const first = Math.max(0, Math.floor(list.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(view.length, Math.ceil((list.scrollTop + list.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    const keep = new Set();
    const rows = $('#rows');
    for (let i = first; i < last; i++) {
      const a = view[i];
      keep.add(a.agentId);
      let el = shown.get(a.agentId);
      if (!el || el.dataset.rev !== String(a.rev)) {
        const fresh = buildRow(a, t);
        if (el) el.replaceWith(fresh);
        else rows.append(fresh);
        el = fresh;
        shown.set(a.agentId, el);
      } else {
        // The tick: times, countdowns and overruns only.
        el.querySelector('.since').textContent = sinceText(a, t);
        const text = detail(a, t);
        const cell = el.querySelector('.detail');
        if (cell.innerHTML !== text) cell.innerHTML = text;
      }
      el.style.transform = `translateY(${i * ROW_HEIGHT}px)`;
      el.classList.toggle('is-overrun', overrun(a, t));
    }
    for (const [id, el] of shown) {
      if (!keep.has(id)) {
        el.remove();
        shown.delete(id);
      }
    }
  }

  /** Acts on the row's agent through the Supervisor section. */
  list.addEventListener('click', async (event) => {
    const button = event.target.closest('button[data-act]');
    if (!button) return;
    const id = Number(button.closest('[data-agent]').dataset.agent);
    const a = agents.get(id);
    const act = button.dataset.act;
    if (act === 'drawer') return openDrawer(root, a, groups, (agentId) => agents.get(agentId)?.name);
    if (act === 'logout' && !confirm(`Log ${a.name} out?`)) return;
    await act_on(act, id, {});
  });
  list.addEventListener('change', async (event) => {
    const select = event.target.closest('select[data-act="breakStart"]');
    if (!select || !select.value) return;
    const id = Number(select.closest('[data-agent]').dataset.agent);
    await act_on('breakStart', id, { reason: select.value });
  });

  async function act_on(act, agentId, extra) {
    try {
      const reply = await call(`Supervisor/${act}`, { agentId, ...extra });
      // The stream brings the event too; the reply makes the row right at once.
      const a = agents.get(agentId);
      if (a) {
        if (a.state !== reply.state) a.since = reply.since;
        Object.assign(a, { state: reply.state, breakDetail: reply.breakDetail ?? null, queuedBreak: reply.queuedBreak ?? null });
        a.rev = ++revisions;
        if (reply.state !== 'wrap_up') a.wrapETime = null;
        invalidate();
      }
    } catch (e) {
      toast(`${e.message} (${e.code})`, 'error');
      const a = agents.get(agentId);
      if (a) a.rev = ++revisions;
      schedule();
    }
  }

  /** Folds one stream event into the agent's row: the event's `state` is the log's word. */
  function apply(e) {
    const a = agents.get(e.agentId);
    if (!a) {
      // An agent the board has not seen (created since): take a fresh snapshot.
      snapshot();
      return;
    }
    if (e.time < a.since && e.state === a.state) return; // older than the snapshot
    a.rev = ++revisions;
    if (e.state !== a.state) {
      a.state = e.state;
      a.since = e.time;
    }
    switch (e.event) {
      case 'login':
        a.loginAt = e.time;
        a.lastPing = e.time;
        break;
      case 'heartbeat':
        a.lastPing = e.time;
        break;
      case 'break_start':
        a.breakDetail = { reason: e.reason, start: e.time, maxDuration: e.maxDuration ?? null, overrun: 0 };
        a.queuedBreak = null;
        a.wrapETime = null;
        break;
      case 'break_queued':
        a.queuedBreak = e.reason;
        break;
      case 'break_end':
        a.breakDetail = null;
        a.queuedBreak = null;
        break;
      case 'break_overrun':
        if (a.breakDetail) a.breakDetail.overrun = 1;
        break;
      case 'offered':
      case 'answered':
        if (!a.call || a.call.callId === e.callId || e.event === 'answered') {
          // An event that does not repeat the caller keeps the one known.
          const known = a.call && a.call.callId === e.callId ? a.call.callerNumber : '';
          a.call = { callId: e.callId, callerNumber: e.callerNumber || known, direction: e.direction, since: e.time };
        }
        break;
      case 'ended':
      case 'missed':
        if (a.call && a.call.callId === e.callId) a.call = null;
        if (e.wrapETime) a.wrapETime = e.wrapETime;
        break;
      case 'wrap_up_end':
        a.wrapETime = null;
        break;
      case 'logout':
      case 'offline':
        a.call = null;
        a.wrapETime = null;
        break;
      default:
        break;
    }
    if (a.state !== 'wrap_up') a.wrapETime = a.state === 'on_call' ? a.wrapETime : null;
    touched();
    invalidate();
  }

  /** Whether two Agent/live items show the same (what ticks — duration, elapsed — left aside). */
  function sameAgent(a, b) {
    const shown = (x) =>
      JSON.stringify([x.state, x.since, x.name, x.status, x.groups, x.breakDetail?.reason, x.breakDetail?.start,
        x.breakDetail?.maxDuration, x.queuedBreak, x.wrapETime, x.call, x.lastPing]);
    return shown(a) === shown(b);
  }

  /** Every agent as Agent/live has it now. */
  async function snapshot() {
    try {
      const live = await call('Agent/live');
      syncClock(live.serverTime);
      const before = new Map(agents);
      agents.clear();
      for (const a of live.response) {
        // A row that did not change keeps its DOM (an open menu stays open while polling).
        const old = before.get(a.agentId);
        const same = old && sameAgent(old, a);
        a.rev = same ? old.rev : ++revisions;
        agents.set(a.agentId, a);
      }
      const waiting = early.splice(0);
      snapshotTaken = true;
      for (const e of waiting) apply(e);
      touched();
      invalidate();
      return true;
    } catch (e) {
      if (e.code !== 1014) setConn('down', `cannot read the board: ${e.message}`);
      return false;
    }
  }

  function openStream() {
    clearTimeout(retryTimer);
    const s = session.load();
    if (!s || stopped) return;
    // `named=0`: every event arrives as a plain `message` (its kind is in the data).
    stream = new EventSource(`/api/v2/stream?ssid=${encodeURIComponent(s.ssid)}&named=0`);
    const fallBack = () => {
      if (!fallbackTimer && !pollTimer) fallbackTimer = setTimeout(startPolling, OPEN_WAIT_SECS * 1000);
    };
    fallBack();
    stream.onopen = async () => {
      clearTimeout(fallbackTimer);
      fallbackTimer = 0;
      stopPolling();
      setConn('live', 'live');
      // After a drop the browser resumes with Last-Event-ID; a first
      // opening (or one after polling) reads the whole board once.
      if (!snapshotTaken) await snapshot();
    };
    stream.onmessage = (m) => {
      const e = JSON.parse(m.data);
      if (snapshotTaken) apply(e);
      else early.push(e);
    };
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) {
        // Refused (not an event stream) or gone: poll, and try again later.
        stream = null;
        startPolling();
        retryTimer = setTimeout(openStream, STREAM_RETRY_SECS * 1000);
      } else {
        // The browser tries again by itself (resuming with Last-Event-ID);
        // if that takes long, poll meanwhile.
        if (!pollTimer) setConn('reconnecting', 'reconnecting…');
        fallBack();
      }
    };
  }

  function startPolling() {
    clearTimeout(fallbackTimer);
    fallbackTimer = 0;
    if (pollTimer || stopped) return;
    setConn('polling', `stream unavailable: polling every ${POLL_SECS} s`);
    snapshotTaken = false;
    const poll = async () => {
      if (await snapshot()) snapshotTaken = false;
    };
    poll();
    pollTimer = setInterval(poll, POLL_SECS * 1000);
  }

  function stopPolling() {
    clearInterval(pollTimer);
    pollTimer = 0;
  }

  // ONE timer for the whole page: times in state, countdowns and overruns
  // are redrawn for the rows in view only.
  const ticker = setInterval(() => {
    schedule();
  }, 1000);

  (async () => {
    try {
      const [g, b] = await Promise.all([call('Group/list'), call('Break/list').catch(() => ({ response: [] }))]);
      for (const [id, group] of Object.entries(g.response)) groups.set(id, group.name);
      $('#f-group').innerHTML += [...groups].map(([id, name]) => `<option value="${id}">${esc(name)}</option>`).join('');
      reasons = b.response;
    } catch (e) {
      toast(e.message, 'error');
    }
    openStream();
  })();

  $('#counts').addEventListener('click', (event) => {
    const b = event.target.closest('button[data-state]');
    if (!b) return;
    const f = $('#f-state');
    f.value = f.value === b.dataset.state ? '' : b.dataset.state;
    invalidate();
  });

  return () => {
    stopped = true;
    clearInterval(ticker);
    stopPolling();
    clearTimeout(retryTimer);
    clearTimeout(fallbackTimer);
    if (stream) stream.close();
    cancelAnimationFrame(frame);
  };
}
