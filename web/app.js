// The page at `/`: the login, then the board (an admin, or an agent whose
// role holds VIEW_AGENTS) or the agent console (any other agent). The
// session id lives in sessionStorage: it ends with the tab.

import { ApiError, call, esc, session, whenExpired } from './api.js';
import { mountBoard } from './board.js';
import { mountConsole } from './console.js';

const root = document.getElementById('app');
/** Stops the view on screen (its timers, its stream). */
let unmount = () => {};

function show(view) {
  unmount();
  unmount = view ?? (() => {});
}

function loginPage(notice = '') {
  show();
  document.title = 'agentdesk — log in';
  root.innerHTML = `
    <form id="login" class="login" autocomplete="on">
      <h1>agentdesk</h1>
      <p class="muted">Supervisors see the board; agents get their console.</p>
      ${notice ? `<p class="notice" role="status">${esc(notice)}</p>` : ''}
      <label>Email <input name="email" type="email" autocomplete="username" required autofocus></label>
      <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
      <label id="account-id" hidden>Account id <input name="userId" inputmode="numeric" autocomplete="off"></label>
      <button type="submit">Log in</button>
      <p id="login-error" class="error" role="alert"></p>
    </form>`;
  const form = root.querySelector('#login');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const error = form.querySelector('#login-error');
    error.textContent = '';
    const email = form.email.value.trim();
    try {
      const body = { email, password: form.password.value };
      const userId = form.userId.value.trim();
      if (userId) body.userId = userId;
      const reply = await call('auth/login', body);
      session.save({ ssid: reply.ssid, userId: reply.userId, agentId: reply.agentId, email });
      await route();
    } catch (e) {
      // An email several accounts use: the account must be named.
      if (e.code === 1502) form.querySelector('#account-id').hidden = false;
      error.textContent = e.code === 429 ? 'Too many attempts: wait a few minutes.' : e.message;
    }
  });
}

export async function logout() {
  const s = session.load();
  show();
  session.clear();
  if (s) await call('auth/logout', { ssid: s.ssid }).catch(() => {});
  loginPage('You are logged out.');
}

/** Board or console: an admin session has no agent; an agent sees the board when it may list roles (VIEW_AGENTS). */
async function route() {
  const s = session.load();
  if (!s) return loginPage();
  let board = s.agentId === null || s.agentId === undefined;
  if (!board) {
    try {
      await call('Role/list');
      board = true;
    } catch (e) {
      if (!(e instanceof ApiError) || e.code !== 1015) {
        if (e.code === 1014) return;
        return loginPage(e.message);
      }
    }
  }
  root.innerHTML = '';
  show(board ? mountBoard(root, { logout }) : mountConsole(root, { logout }));
}

whenExpired(() => {
  show();
  session.clear();
  loginPage('Your session has ended: log in again.');
});

route();
