// The first page: the program's numbers now (customers, points outstanding
// and what they are worth: the liability finance asks for; today's points),
// events per second, readiness and the cache.
import { api } from './api.js';
import { h, section, notice, badge } from './dom.js';
import { money, count, dateTime, date } from './format.js';

let timer = null;
let last = null;  // the previous sample, for events per second

function stat(label, value, note) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label),
    h('strong', { class: 'stat-value' }, value), note ? h('small', {}, note) : null);
}

export async function render(main) {
  clearInterval(timer);
  main.append(h('h1', {}, 'Overview'));
  const body = h('div', { class: 'overview' });
  main.append(body);
  const draw = async () => {
    let o;
    try {
      o = await api('GET', '/v1/overview');
    } catch (err) {
      body.replaceChildren(notice(err.message));
      return;
    }
    const c = o.counts;
    let rate = '—';
    if (last && o.server_ms > last.server_ms) {
      rate = ((o.events - last.events) * 1000 / (o.server_ms - last.server_ms)).toFixed(1);
    }
    last = o;
    const cache = !o.cache.configured ? 'none configured'
      : o.cache.up ? `up, ${count(o.cache.backlog)} waiting` : 'down: the engine goes on without it';
    body.replaceChildren(
      section('The program',
        h('div', { class: 'stats' },
          stat('Customers', count(c.customers)),
          stat('Points outstanding', count(c.points_outstanding),
            `${count(c.points_spendable)} spendable, ${count(c.points_pending)} pending`),
          stat('Their value (liability)', money(c.liability_minor, c.currency),
            `at ${money(o.rules.point_value_minor, c.currency)} a point`),
          stat('Rules in force', `version ${o.rules.version}`, o.rules.name))),
      section(`Today, ${date(c.today)}`,
        h('div', { class: 'stats' },
          stat('Purchases earning points', count(c.today_purchases_earning)),
          stat('Points issued', count(c.today_points_issued)),
          stat('Points redeemed', count(c.today_points_redeemed)),
          stat('Points expired', count(c.today_points_expired)))),
      section('The engine',
        h('div', { class: 'stats' },
          stat('Ready', o.ready ? badge('ready', 'active') : badge('not ready', 'retired'), o.why_not_ready),
          stat('Events per second', rate, `${count(o.events)} since start`),
          stat('Profile cache', cache))),
      h('p', { class: 'muted' }, `Counted at ${dateTime(c.as_of_at)} (kept 30 s); events refresh every 5 s.`));
  };
  await draw();
  timer = setInterval(() => {
    if (!document.body.contains(body)) return clearInterval(timer);
    draw();
  }, 5000);
}
