// The audit log: every change made through the API, a signal or a schedule,
// and every sign-in, newest first; filtered by who and by kind of action.
import { api } from './api.js';
import { h, table, notice, field } from './dom.js';
import { dateTime } from './format.js';

const ACTIONS = [['', 'everything'], ['rules.', 'rules'], ['customers.', 'customers'], ['session.', 'sign-ins']];

export async function render(main) {
  main.append(h('h1', {}, 'Audit log'));
  const who = h('input', { type: 'text', id: 'audit-who', placeholder: 'anyone' });
  const action = h('select', { id: 'audit-action' }, ACTIONS.map(([v, t]) => h('option', { value: v }, t)));
  const body = h('tbody', {});
  const more = h('button', { type: 'button', id: 'audit-older', hidden: true }, 'Older entries');
  const out = h('div', {});
  let next = 0;
  const load = async (reset) => {
    if (reset) { body.replaceChildren(); next = 0; }
    const q = new URLSearchParams({ limit: '50' });
    if (who.value.trim()) q.set('who', who.value.trim());
    if (action.value) q.set('action', action.value);
    if (next) q.set('before', String(next));
    try {
      const page = await api('GET', `/v1/audit?${q}`);
      body.append(...page.entries.map((e) => h('tr', {},
        h('td', {}, dateTime(e.at)), h('td', {}, e.who), h('td', {}, e.role), h('td', {}, e.action),
        h('td', {}, e.target), h('td', { class: 'num' }, e.before_version || ''), h('td', { class: 'num' }, e.after_version || ''),
        h('td', { class: 'detail' }, e.detail))));
      next = page.next_before || 0;
      more.hidden = !next;
      out.replaceChildren(body.children.length ? '' : notice('Nothing matches.', 'info'));
    } catch (err) {
      out.replaceChildren(notice(err.message));
    }
  };
  more.addEventListener('click', () => load(false));
  main.append(h('form', { class: 'card row', onsubmit: (e) => { e.preventDefault(); load(true); } },
    field('Who', who), field('What', action), h('button', { type: 'submit', class: 'primary' }, 'Filter')),
  h('div', { class: 'table-wrap' }, h('table', { id: 'audit' },
    h('thead', {}, h('tr', {}, ['When (UTC)', 'Who', 'Role', 'Action', 'Target', 'Before', 'After', 'Detail']
      .map((t) => h('th', {}, t)))), body)), out, more);
  await load(true);
}
