// Every report over the running store, one at a time (each reads every
// customer): its chart as the server draws it (SVG), its table, and a CSV
// download. Amounts are in the program's currency.
import { api } from './api.js';
import { h, table, notice } from './dom.js';
import { money, count } from './format.js';

const NAMES = {
  pareto: 'Pareto: who brings the revenue',
  rfm: 'RFM segments',
  lifecycle: 'Lifecycle ladder',
  nps: 'NPS by store',
  offers: 'Offers: treated against holdout',
  'cost-to-serve': 'Cost to serve',
};

// The report's table: its first list of rows, as the CSV has it.
function rowsOf(report) {
  for (const [key, value] of Object.entries(report)) {
    if (Array.isArray(value) && value.length && typeof value[0] === 'object' && value[0] !== null) return [key, value];
  }
  return [null, []];
}

function cell(key, value, currency) {
  if (value === null || value === undefined) return ['', null];
  if (typeof value === 'number') {
    if (key.endsWith('_minor')) return [money(value, currency), 'num'];
    if (key.endsWith('percent') || key.endsWith('share')) return [`${value.toFixed(1)}%`, 'num'];
    return [Number.isInteger(value) ? count(value) : value.toFixed(3), 'num'];
  }
  if (typeof value === 'object') return [JSON.stringify(value), null];
  return [String(value), null];
}

function label(key) { return key.replace(/_minor$/, '').replace(/_/g, ' '); }

export async function render(main, params) {
  const name = params[0] || 'pareto';
  main.append(h('h1', {}, 'Reports'),
    h('nav', { class: 'tabs', 'aria-label': 'Reports' }, Object.entries(NAMES).map(([n, t]) =>
      h('a', { href: `#/reports/${n}`, class: n === name ? 'active' : null, 'aria-current': n === name ? 'page' : null }, t))));
  if (!NAMES[name]) return main.append(notice(`There is no report ${name}.`));
  const body = h('div', { class: 'report', id: `report-${name}` }, h('p', { class: 'muted' }, 'Reading every customer…'));
  main.append(body);
  const [report, overview] = await Promise.all([api('GET', `/v1/reports/${name}`), api('GET', '/v1/rulesets')]);
  const currency = overview.currency;
  const [key, rows] = rowsOf(report);
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))]
    .filter((c) => rows.some((r) => typeof r[c] !== 'object' || r[c] === null))
    // Names first (the server's keys come sorted), then the figures.
    .sort((a, b) => (typeof rows[0][a] === 'string' ? 0 : 1) - (typeof rows[0][b] === 'string' ? 0 : 1));
  const chart = h('img', { src: `/v1/reports/${name}?format=svg`, alt: NAMES[name], class: 'report-chart', id: 'chart' });
  body.replaceChildren(
    h('div', { class: 'actions' },
      h('a', { class: 'button', href: `/v1/reports/${name}?format=csv`, download: `${name}.csv`, id: 'csv' }, 'Download CSV'),
      h('a', { class: 'button', href: `/v1/reports/${name}?format=svg`, download: `${name}.svg` }, 'Download chart')),
    h('figure', { class: 'card' }, chart),
    key ? table(columns.map((c) => [label(c), rows.some((r) => typeof r[c] === 'number') ? 'num' : null]),
      rows.map((r) => columns.map((c) => cell(c, r[c], currency))), { class: 'report-table' })
      : notice('No rows yet.', 'info'));
  await new Promise((resolve) => { if (chart.complete) resolve(); else { chart.onload = resolve; chart.onerror = resolve; } });
}
