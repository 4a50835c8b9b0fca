// The pages' client of the DeepCall API v2: every call is
// POST /api/v2/<Section>/<endpoint> with the session's `ssid` in the body,
// and an envelope whose `status` says success or error.

const KEY = 'agentdesk.session';

/** An error envelope: `code` is the DeepCall code (or the HTTP status). */
export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

/** The session kept for this tab: {ssid, userId, agentId (null: admin), email}. */
export const session = {
  load() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY));
    } catch {
      return null;
    }
  },
  save(value) {
    sessionStorage.setItem(KEY, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** Called when the server no longer knows the session (1014). */
let onExpired = () => {};
export function whenExpired(handler) {
  onExpired = handler;
}

/** POSTs `body` (plus the ssid) to `/api/v2/<path>`; the success envelope, or throws ApiError. */
export async function call(path, body = {}) {
  const s = session.load();
  const payload = s && !('email' in body && 'password' in body) ? { ssid: s.ssid, ...body } : body;
  let response;
  try {
    response = await fetch(`/api/v2/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
  } catch (e) {
    throw new ApiError(0, 'The server cannot be reached');
  }
  const json = await response.json().catch(() => null);
  if (!json) throw new ApiError(response.status, response.statusText || 'Unreadable reply');
  if (json.status !== 'success') {
    if (json.code === 1014 && s) onExpired();
    throw new ApiError(json.code, json.message);
  }
  return json;
}

/** Seconds as `m:ss`, or `h:mm:ss` from an hour on. */
export function duration(secs) {
  const s = Math.max(0, Math.floor(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Unix seconds as the browser's local time of day. */
export function clock(unix) {
  return new Date(unix * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Text made safe for innerHTML. */
export function esc(text) {
  return String(text ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The presence states, in the order the board counts them, with their words and signs. */
export const STATES = [
  ['available', 'Available', '●'],
  ['ringing', 'Ringing', '☏'],
  ['on_call', 'On call', '☎'],
  ['wrap_up', 'Wrap-up', '✎'],
  ['break', 'Break', '❚❚'],
  ['stale', 'Stale', '?'],
  ['offline', 'Offline', '○'],
];
export const STATE_LABEL = Object.fromEntries(STATES.map(([k, label, sign]) => [k, { label, sign }]));

/** A state as a badge: colour, sign and word (colour is never the only cue). */
export function badge(state) {
  const s = STATE_LABEL[state] ?? { label: state, sign: '' };
  return `<span class="st st-${esc(state)}"><span aria-hidden="true">${s.sign}</span> ${esc(s.label)}</span>`;
}

/**
 * The server's clock as the page knows it: Unix seconds, corrected by the
 * offset the last `serverTime` showed (a desk's clock may be off).
 */
let skew = 0;
export function syncClock(serverTime) {
  if (Number.isFinite(serverTime)) skew = serverTime - Date.now() / 1000;
}
export function now() {
  return Math.floor(Date.now() / 1000 + skew);
}

/** A short message at the bottom of the page. */
export function toast(text, kind = 'info') {
  let box = document.getElementById('toasts');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toasts';
    box.setAttribute('role', 'status');
    document.body.append(box);
  }
  const item = document.createElement('div');
  item.className = `toast toast-${kind}`;
  item.textContent = text;
  box.append(item);
  setTimeout(() => item.remove(), 5000);
}
