// The console's shell: sign-in, the navigation (only what the role may do)
// and a hash router (#/customers/4242 ...). Each page is a module with
// render(main, params) that fills <main>.
import { resume, signIn, signOut, who, may, ApiError } from './api.js';
import { h, clear, notice, field } from './dom.js';
import * as overview from './overview.js';
import * as customers from './customers.js';
import * as rules from './rules.js';
import * as reports from './reports.js';
import * as audit from './audit.js';

const PAGES = [
  { path: 'overview', label: 'Overview', needs: 'reports.read', page: overview },
  { path: 'customers', label: 'Customers', needs: 'customers.story', page: customers },
  { path: 'rules', label: 'Rules', needs: 'rules.read', page: rules },
  { path: 'reports', label: 'Reports', needs: 'reports.read', page: reports },
  { path: 'audit', label: 'Audit log', needs: 'audit.read', page: audit },
];

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const whoBox = document.getElementById('who');

function allowed() { return PAGES.filter((p) => may(p.needs)); }

function drawChrome() {
  clear(nav);
  clear(whoBox);
  const me = who();
  if (!me) return;
  const current = location.hash.split('?')[0].split('/')[1] || '';
  for (const p of allowed()) {
    nav.append(h('a', { href: `#/${p.path}`, class: p.path === current ? 'active' : null,
      'aria-current': p.path === current ? 'page' : null }, p.label));
  }
  whoBox.append(h('span', { class: 'who-name' }, me.name),
    h('span', { class: 'badge badge-role' }, me.role),
    h('button', { class: 'link', type: 'button', onclick: async () => {
      await signOut();
      location.hash = '#/';
      route();
    } }, 'Sign out'));
}

function drawSignIn(message) {
  clear(main);
  const token = h('input', { type: 'password', name: 'token', autocomplete: 'current-password',
    required: true, minlength: 16, id: 'token' });
  const form = h('form', { class: 'card signin', onsubmit: async (e) => {
    e.preventDefault();
    try {
      await signIn(token.value);
      route();
    } catch (err) {
      drawSignIn(err instanceof ApiError && err.status === 401
        ? 'That token is not known here. Ask an administrator for yours.' : err.message);
    }
  } },
  h('h1', {}, 'Sign in'),
  h('p', { class: 'muted' }, 'Paste the admin token you were given (admin_tokens in loyaltyd\'s configuration).'),
  message ? notice(message) : null,
  field('Token', token),
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'));
  main.append(form);
  token.focus();
}

async function route() {
  if (!who()) await resume();
  drawChrome();
  if (!who()) return drawSignIn();
  // "#/customers/4242" or "#/customers?q=42": the query is the page's own.
  const [, path = '', ...rest] = location.hash.split('?')[0].split('/');
  const pages = allowed();
  const entry = pages.find((p) => p.path === path) || pages[0];
  if (!entry) {
    clear(main).append(notice(`Role ${who().role} has no console pages: it is for the tills' lookups.`));
    return;
  }
  if (entry.path !== path) {
    location.replace(`#/${entry.path}`);
    return;
  }
  clear(main);
  const started = performance.now();
  try {
    await entry.page.render(main, rest.map(decodeURIComponent));
  } catch (err) {
    main.append(notice(err.message));
  }
  document.body.dataset.page = entry.path;
  document.body.dataset.renderMs = String(Math.round(performance.now() - started));
  main.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
window.addEventListener('signed-out', () => { drawChrome(); drawSignIn('Your session ended: sign in again.'); });
route();
