// The agent drawer: the agent's day as a chart (state intervals along the
// day, and seconds per state per window from Agent/timeLine), its events
// and its counters (agentDashboard/counters).

import { STATES, STATE_LABEL, badge, call, clock, duration, esc } from './api.js';

const WINDOW = 900; // seconds per bar of the chart
const W = 720; // chart width in SVG units
const BAND = 22;
const BARS = 90;

/** Opens the drawer on `agent`; `nameOf(agentId)` names the supervisors in its events. */
export async function openDrawer(root, agent, groups, nameOf = () => undefined) {
  let drawer = root.querySelector('#drawer');
  if (!drawer) {
    drawer = document.createElement('aside');
    drawer.id = 'drawer';
    drawer.className = 'drawer';
    drawer.setAttribute('aria-label', 'Agent detail');
    root.append(drawer);
  }
  drawer.hidden = false;
  drawer.innerHTML = `<header class="bar"><h2>${esc(agent.name)}</h2> ${badge(agent.state)}
      <span class="spacer"></span><button type="button" id="drawer-close">Close</button></header>
      <p class="muted">Loading the day…</p>`;
  drawer.querySelector('#drawer-close').addEventListener('click', () => (drawer.hidden = true));
  const filter = [{ key: 'agentId', value: String(agent.agentId) }];
  let day;
  let counters;
  try {
    [day, counters] = await Promise.all([
      call('Agent/timeLine', { filter, window: WINDOW, all: 1 }),
      call('agentDashboard/counters', { agentId: agent.agentId }),
    ]);
  } catch (e) {
    drawer.querySelector('p').textContent = e.message;
    return;
  }
  const c = counters.message;
  const intervals = day.data[String(agent.agentId)] ?? [];
  const events = [...day.agEvent, ...day.event].sort((a, b) => b.time - a.time || b.id - a.id);
  const groupList = Object.entries(agent.groups ?? {}).map(([id, takes]) => `${groups.get(id) ?? id}${takes === 'Y' ? '' : ' (stand-by)'}`);
  drawer.innerHTML = `<header class="bar"><h2>${esc(agent.name)}</h2> ${badge(agent.state)}
      <span class="spacer"></span><button type="button" id="drawer-close">Close</button></header>
    <p class="muted">${esc(groupList.join(', '))} · ${esc(c.date)}</p>
    <h3>The day</h3>
    ${chart(intervals, day.lineChart, c.from, day.window)}
    <h3>Counters</h3>
    <dl class="counters">
      ${[
        ['Calls', c.calls],
        ['Answered', c.answered],
        ['Missed', c.missed],
        ['Talk', duration(c.talkTime)],
        ['Wrap-up', duration(c.wrapUpTime)],
        ['Break', duration(c.breakTime)],
        ['Logged in', duration(c.loginTime)],
      ]
        .map(([k, v]) => `<div><dt>${k}</dt><dd>${esc(v)}</dd></div>`)
        .join('')}
    </dl>
    <h3>Events</h3>
    <ol class="events">${events
      .map(
        (e) => `<li><time>${clock(e.time)}</time> <b>${esc(e.event.replaceAll('_', ' '))}</b>
          ${e.reason ? esc(e.reason) : ''} ${e.callerNumber ? esc(e.callerNumber) : ''}
          <span class="muted">by ${esc(e.actor)}${e.actorId ? ` ${esc(nameOf(e.actorId) ?? `#${e.actorId}`)}` : ''}</span></li>`,
      )
      .join('')}</ol>`;
  drawer.querySelector('#drawer-close').addEventListener('click', () => (drawer.hidden = true));
}

/** The day's chart: a band of state intervals from midnight, then stacked bars of seconds per state per window. */
function chart(intervals, lineChart, dayStart, window) {
  const x = (t) => ((t - dayStart) / 86400) * W;
  const band = intervals
    .map(
      (i) => `<rect class="interval fill-${esc(i.state)}" x="${x(i.start).toFixed(1)}" y="0"
        width="${Math.max(0.5, x(i.end) - x(i.start)).toFixed(1)}" height="${BAND}">
        <title>${esc(STATE_LABEL[i.state]?.label ?? i.state)} ${clock(i.start)}–${clock(i.end)} (${duration(i.duration)})${i.reason ? ` ${esc(i.reason)}` : ''}</title></rect>`,
    )
    .join('');
  const buckets = Math.round(86400 / window);
  const bw = W / buckets;
  let bars = '';
  for (let b = 0; b < buckets; b++) {
    let y = BAND + 8 + BARS;
    for (const [state] of STATES) {
      const secs = lineChart[state]?.[b] ?? 0;
      if (!secs) continue;
      const h = (secs / window) * BARS;
      y -= h;
      bars += `<rect class="bar fill-${state}" x="${(b * bw).toFixed(1)}" y="${y.toFixed(1)}" width="${(bw - 0.5).toFixed(1)}" height="${h.toFixed(1)}"><title>${STATE_LABEL[state].label}: ${duration(secs)}</title></rect>`;
    }
  }
  const hours = [0, 6, 12, 18, 24]
    .map((h) => `<text x="${Math.min(W - 14, (h / 24) * W)}" y="${BAND + BARS + 22}" class="axis">${String(h).padStart(2, '0')}:00</text>`)
    .join('');
  const legend = STATES.filter(([k]) => k !== 'offline')
    .map(([k, label]) => `<span class="legend"><i class="fill-${k}"></i>${label}</span>`)
    .join('');
  return `<svg id="day-chart" class="chart" viewBox="0 0 ${W} ${BAND + BARS + 26}" role="img"
      aria-label="States along the day and seconds per state every ${window / 60} minutes">
      <rect x="0" y="0" width="${W}" height="${BAND}" class="fill-none"/>${band}${bars}${hours}</svg>
    <div class="legends">${legend}</div>`;
}
