// Rule sets for marketers and publishers:
//   #/rules            every version with its state and who did what; the
//                      drafts awaiting approval; roll back
//   #/rules/new        a YAML editor checked by the server as you type (every
//                      mistake at its line and column, with the hint); save
//                      as a draft
//   #/rules/N          one version: its text, a side-by-side diff against the
//                      rules in force, a simulation against them on past sales
//                      with a chart, submit for approval; approve and activate
//                      now or at a time (four eyes: never one's own draft)
import { api, may, who, ApiError } from './api.js';
import { h, table, notice, section, field, badge, clear } from './dom.js';
import { money, count, dateTime } from './format.js';
import { diffLines } from './diff.js';
import { barChart } from './chart.js';

// "1 line", "1,234 lines".
function lines(n) { return `${count(n)} ${n === 1 ? 'line' : 'lines'}`; }

export async function render(main, params) {
  if (params[0] === 'new') return renderEditor(main);
  if (params[0]) return renderVersion(main, Number(params[0]));
  return renderList(main);
}

function stateBadge(v) {
  if (v.state === 'draft' && v.submitted_ms) return badge('awaiting approval', 'submitted');
  return badge(v.state);
}

async function renderList(main) {
  const list = await api('GET', '/v1/rulesets');
  const active = list.versions.find((v) => v.version === list.active);
  main.append(h('h1', {}, 'Rules'));
  const bar = h('div', { class: 'actions' });
  if (may('rules.draft')) bar.append(h('a', { class: 'button primary', href: '#/rules/new', id: 'new-draft' }, 'New draft'));
  main.append(section('In force',
    h('p', { id: 'in-force' }, `Version ${active.version} “${active.name}”, activated by ${active.activated_by} on ${dateTime(active.activated_at)}; money in ${list.currency}.`),
    may('rules.publish') && list.rollback_to
      ? rollbackButton(list.rollback_to, active.version) : null,
    bar));
  const waiting = list.versions.filter((v) => v.state === 'draft' && v.submitted_ms);
  if (waiting.length) {
    main.append(section('Awaiting approval', h('ul', { class: 'waiting' }, waiting.map((v) =>
      h('li', {}, h('a', { href: `#/rules/${v.version}` }, `Version ${v.version} “${v.name}”`),
        ` by ${v.author}, ${dateTime(v.submitted_at)}`, v.submit_note ? ` — ${v.submit_note}` : '')))));
  }
  const rows = [...list.versions].reverse().map((v) => h('tr', { 'data-version': v.version },
    h('td', {}, h('a', { href: `#/rules/${v.version}` }, `v${v.version}`)),
    h('td', {}, v.name), h('td', {}, stateBadge(v)), h('td', {}, v.author), h('td', {}, dateTime(v.created_at)),
    h('td', {}, v.activated_ms ? `${v.activated_by}, ${dateTime(v.activated_at)}` : ''),
    h('td', {}, v.state === 'scheduled' ? `at ${dateTime(v.activate_at)} (${v.scheduled_by})` : '')));
  main.append(section('Versions', table(['Version', 'Name', 'State', 'Author', 'Uploaded', 'Activated', 'Scheduled'], rows, { id: 'versions' })));
}

function rollbackButton(to, from) {
  const out = h('span', { 'aria-live': 'polite' });
  return h('div', { class: 'actions' }, h('button', { type: 'button', id: 'rollback', onclick: async () => {
    if (!confirm(`Roll back from version ${from} to version ${to}?`)) return;
    try {
      await api('POST', '/v1/rulesets/rollback', { to });
      location.reload();
    } catch (err) { out.replaceChildren(notice(err.message)); }
  } }, `Roll back to version ${to}`), out);
}

// --- the editor -------------------------------------------------------------

async function renderEditor(main) {
  const from = new URLSearchParams(location.hash.split('?')[1] || '').get('from');
  const list = await api('GET', '/v1/rulesets');
  const base = await api('GET', `/v1/rulesets/${from || list.active}`);
  main.append(h('p', {}, h('a', { href: '#/rules' }, '← Rules')), h('h1', {}, 'New draft'),
    h('p', { class: 'muted' }, `Starting from version ${base.version} “${base.name}”. The server checks the file as you type.`));
  const text = h('textarea', { id: 'yaml', spellcheck: 'false', autocomplete: 'off', wrap: 'off', 'aria-label': 'Rules (YAML)' });
  text.value = base.yaml;
  const gutter = h('div', { class: 'gutter', 'aria-hidden': 'true' });
  const problems = h('div', { id: 'problems', 'aria-live': 'polite' });
  const summary = h('div', { id: 'summary' });
  const save = h('button', { type: 'button', class: 'primary', id: 'save', disabled: true }, 'Save draft');
  const out = h('div', { 'aria-live': 'polite' });
  let bad = new Set();
  const drawGutter = () => {
    const n = text.value.split('\n').length;
    gutter.replaceChildren(...Array.from({ length: n }, (_, i) => h('span', { class: bad.has(i + 1) ? 'bad' : null }, i + 1)));
    gutter.scrollTop = text.scrollTop;
  };
  const goTo = (line, column) => {
    const lines = text.value.split('\n');
    let at = 0;
    for (let i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    at += Math.max(0, column - 1);
    text.focus();
    text.setSelectionRange(at, at);
    text.scrollTop = Math.max(0, (line - 4) * 18);  // 18 px a line (style.css)
    gutter.scrollTop = text.scrollTop;
  };
  let seq = 0;
  const check = async () => {
    const mine = ++seq;
    const v = await api('POST', '/v1/rulesets/validate', text.value, { contentType: 'application/yaml' });
    if (mine !== seq) return;  // a newer check is on its way
    bad = new Set(v.problems.map((p) => p.line));
    drawGutter();
    save.disabled = !v.valid;
    if (v.valid) {
      problems.replaceChildren(notice('No mistakes.', 'ok'));
    } else {
      problems.replaceChildren(h('ul', { class: 'problems' }, v.problems.map((p) => h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => goTo(p.line, p.column) },
          p.line ? `line ${p.line}, column ${p.column}` : 'the file'), `: ${p.message}`))));
    }
    const s = v.summary;
    summary.replaceChildren(s ? h('div', {},
      h('p', {}, `“${s.name}”: money in ${s.currency}; tiers ${s.tiers.join(', ')}; earn rules ${s.earn_rules.join(', ') || 'none'}; offers ${s.offers.join(', ') || 'none'}.`),
      s.currency !== v.currency_in_force
        ? notice(`This file is in ${s.currency} but the program's money is in ${v.currency_in_force}: it would be refused at activation.`, 'warn') : null) : '');
  };
  let timer = null;
  text.addEventListener('input', () => { drawGutter(); clearTimeout(timer); timer = setTimeout(check, 250); });
  text.addEventListener('scroll', () => { gutter.scrollTop = text.scrollTop; });
  save.addEventListener('click', async () => {
    try {
      const made = await api('POST', '/v1/rulesets', text.value, { contentType: 'application/yaml' });
      location.hash = `#/rules/${made.version}`;
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? `${err.code}: ${err.message}` : err.message));
    }
  });
  main.append(h('div', { class: 'editor' }, gutter, text), problems, summary, h('div', { class: 'actions' }, save), out);
  drawGutter();
  await check();
}

// --- one version ------------------------------------------------------------

async function renderVersion(main, version) {
  const [v, list] = await Promise.all([api('GET', `/v1/rulesets/${version}`), api('GET', '/v1/rulesets')]);
  const inForce = list.active === version ? v : await api('GET', `/v1/rulesets/${list.active}`);
  main.append(h('p', {}, h('a', { href: '#/rules' }, '← Rules')),
    h('h1', {}, `Version ${v.version} “${v.name}” `, stateBadge(v)),
    h('p', { class: 'muted' }, `Uploaded by ${v.author} on ${dateTime(v.created_at)}`,
      v.submitted_ms ? `; submitted for approval by ${v.submitted_by} on ${dateTime(v.submitted_at)}${v.submit_note ? `: “${v.submit_note}”` : ''}` : '',
      v.activated_ms ? `; last activated by ${v.activated_by} on ${dateTime(v.activated_at)}` : '',
      v.state === 'scheduled' ? `; activates at ${dateTime(v.activate_at)}` : ''));
  if (v.summary) {
    main.append(h('p', {}, `Money in ${v.summary.currency}; tiers ${v.summary.tiers.join(', ')}; earn rules ${v.summary.earn_rules.join(', ') || 'none'}; offers ${v.summary.offers.join(', ') || 'none'}.`));
  }
  main.append(actions(v, list));
  if (list.active !== version) main.append(section(`Changes against version ${inForce.version} (in force)`, diffView(inForce.yaml, v.yaml)));
  else main.append(section('Text', h('pre', { class: 'yaml' }, v.yaml)));
  if (list.active !== version && may('rules.draft')) main.append(simulateView(v));
}

function actions(v, list) {
  const box = h('div', { class: 'card actions-card', id: 'version-actions' });
  const out = h('div', { 'aria-live': 'polite', id: 'action-result' });
  const me = who();
  const own = v.author === me.name && !v.was_active;
  const fail = (err) => out.replaceChildren(notice(err instanceof ApiError ? `Refused (${err.code}): ${err.message}` : err.message));
  if (may('rules.draft')) {
    box.append(h('a', { class: 'button', href: `#/rules/new?from=${v.version}` }, 'Edit as a new draft'));
  }
  if (v.state === 'draft' && !v.submitted_ms && v.author === me.name) {
    const note = h('input', { type: 'text', id: 'submit-note', placeholder: 'what it is for' });
    box.append(h('div', { class: 'row' }, field('Note for the approver', note),
      h('button', { type: 'button', class: 'primary', id: 'submit', onclick: async () => {
        try {
          await api('POST', `/v1/rulesets/${v.version}/submit`, { note: note.value });
          location.reload();
        } catch (err) { fail(err); }
      } }, 'Submit for approval')));
  }
  if (may('rules.publish') && v.version !== list.active) {
    if (own) {
      box.append(notice('You uploaded this version: another publisher approves it (four eyes).', 'info'));
    } else {
      const at = h('input', { type: 'datetime-local', id: 'activate-at' });
      const migrate = h('input', { type: 'checkbox', id: 'tier-migration' });
      const migrateBox = h('label', { class: 'check', hidden: true }, migrate,
        ' I confirm: customers of the dropped tiers start over from the lowest tier and qualify again on their last 12 months.');
      const activate = async (when) => {
        const body = {};
        if (when) body.at_ms = when;
        if (migrate.checked) body.tier_migration = 'requalify';
        try {
          const made = await api('POST', `/v1/rulesets/${v.version}/activate`, body);
          out.replaceChildren(notice(made.state === 'scheduled' ? `Scheduled for ${dateTime(made.activate_at)}.` : `Version ${made.version} is in force.`, 'ok'));
          // Shows the new state after a moment, unless the person has moved on.
          const here = location.hash;
          setTimeout(() => { if (location.hash === here) location.reload(); }, 600);
        } catch (err) {
          if (err.code === 'TIERS_DROPPED') migrateBox.hidden = false;
          fail(err);
        }
      };
      box.append(h('div', { class: 'row' },
        h('button', { type: 'button', class: 'primary', id: 'activate-now', onclick: () => activate(0) }, 'Approve and activate now'),
        field('or at (the program\'s time)', at),
        h('button', { type: 'button', id: 'activate-later', onclick: () => {
          if (!at.value) return out.replaceChildren(notice('Pick a date and time first.'));
          const offsetMin = list.utc_offset_minutes || 0;
          activate(Date.parse(`${at.value}:00Z`) - offsetMin * 60000);
        } }, 'Approve for then')), migrateBox);
    }
  }
  box.append(out);
  return box;
}

// Changed lines with three lines around them; longer unchanged runs fold.
function diffView(before, after) {
  const rows = diffLines(before, after);
  const changed = rows.filter((r) => r.kind !== 'same').length;
  const near = rows.map((_, k) => rows.slice(Math.max(0, k - 3), k + 4).some((r) => r.kind !== 'same'));
  const cells = [];
  for (let k = 0; k < rows.length; k++) {
    if (!near[k]) {
      let end = k;
      while (end < rows.length && !near[end]) end++;
      cells.push(h('tr', { class: 'd-fold' }, h('td', { colspan: 4 }, `⋯ ${lines(end - k)} unchanged`)));
      k = end - 1;
      continue;
    }
    const r = rows[k];
    cells.push(h('tr', { class: `d-${r.kind}` },
      h('td', { class: 'ln' }, r.ln || ''), h('td', { class: 'code' }, r.left ?? ''),
      h('td', { class: 'ln' }, r.rn || ''), h('td', { class: 'code' }, r.right ?? '')));
  }
  return h('div', {}, h('p', { class: 'muted' }, changed ? `${lines(changed)} ${changed === 1 ? 'differs' : 'differ'}.` : 'The same text.'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'diff', id: 'diff' },
      h('colgroup', {}, h('col', { class: 'c-ln' }), h('col', {}), h('col', { class: 'c-ln' }), h('col', {})),
      h('thead', {}, h('tr', {}, h('th', {}, ''), h('th', {}, 'In force'), h('th', {}, ''), h('th', {}, 'This version'))),
      h('tbody', {}, cells))));
}

// --- simulation -------------------------------------------------------------

function simulateView(v) {
  const source = h('select', { id: 'sim-source' },
    h('option', { value: 'data' }, 'the data set loyaltyd was given (simulate_data)'),
    h('option', { value: 'upload' }, 'an events file from this computer'));
  const file = h('input', { type: 'file', id: 'sim-file', accept: '.jsonl,.json,.csv' });
  const fileField = field('Events file (JSON lines, or the Online Retail CSV)', file);
  fileField.hidden = true;
  source.addEventListener('change', () => { fileField.hidden = source.value !== 'upload'; });
  const out = h('div', { id: 'sim-result', 'aria-live': 'polite' });
  const run = h('button', { type: 'button', class: 'primary', id: 'simulate' }, 'Simulate against the rules in force');
  run.addEventListener('click', async () => {
    run.disabled = true;
    out.replaceChildren(h('p', { class: 'muted' }, 'Replaying past sales through both rule sets…'));
    try {
      let r;
      if (source.value === 'upload') {
        const f = file.files[0];
        if (!f) throw new Error('Choose an events file first.');
        const format = f.name.endsWith('.csv') ? 'csv' : 'jsonl';
        r = await api('POST', `/v1/rulesets/${v.version}/simulate?source=upload&format=${format}`, f, { contentType: 'application/octet-stream' });
      } else {
        r = await api('POST', `/v1/rulesets/${v.version}/simulate?source=data`, '');
      }
      out.replaceChildren(simulation(r));
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? `${err.code}: ${err.message}` : err.message));
    }
    run.disabled = false;
  });
  return section('Simulate on past sales', h('p', { class: 'muted' }, 'Nothing is written: past events go through the rules in force and this version, side by side.'),
    h('div', { class: 'row' }, field('Past sales from', source), fileField, run), out);
}

function change(a, b) {
  if (a === b) return '';
  const d = b - a;
  const pct = a ? ` (${d > 0 ? '+' : ''}${((d * 100) / a).toFixed(1)}%)` : '';
  return `${d > 0 ? '+' : ''}${count(d)}${pct}`;
}

function simulation(r) {
  const a = r.baseline;
  const b = r.candidate;
  const cur = r.currency;
  const row = (label, x, y, fmt = count) => [label, [fmt(x), 'num'], [fmt(y), 'num'], [change(x, y), 'num']];
  const moneyRow = (label, x, y) => [label, [money(x, cur), 'num'], [money(y, cur), 'num'], [x === y ? '' : money(y - x, cur), 'num']];
  const rules = [...new Set([...Object.keys(a.points_by_rule), ...Object.keys(b.points_by_rule)])];
  const rows = [
    row('Points issued', a.points_issued, b.points_issued),
    row('Points reversed by returns', a.points_reversed, b.points_reversed),
    row('Points redeemed', a.points_spent, b.points_spent),
    row('Points expired by the end', a.points_expired, b.points_expired),
    moneyRow('Cost of points issued', a.cost_issued_minor, b.cost_issued_minor),
    moneyRow('Net cost, after returns', a.cost_net_minor, b.cost_net_minor),
    row('Customers earning points', a.customers_earning, b.customers_earning),
    row('Offers issued', a.offers_issued ?? 0, b.offers_issued ?? 0),
    row('Events applied', a.applied, b.applied),
    ...rules.map((id) => row(`Points from rule ‘${id}’`, a.points_by_rule[id] || 0, b.points_by_rule[id] || 0)),
  ];
  const groups = [{ label: 'points issued', a: a.points_issued, b: b.points_issued },
    ...rules.map((id) => ({ label: id, a: a.points_by_rule[id] || 0, b: b.points_by_rule[id] || 0 }))];
  return h('div', {},
    h('p', {}, `${count(r.requests)} events (${r.source}), simulated in ${r.seconds.toFixed(1)} s. ${count(r.customers_points_differ)} customers would get different points.`),
    table(['', ['In force', 'num'], ['This version', 'num'], ['Change', 'num']], rows, { class: 'sim', id: 'sim-table' }),
    h('p', { class: 'muted' }, `In force: ${r.baseline_rules}. This version: ${r.candidate_rules}.`),
    (r.warnings || []).map((w) => notice(w, 'warn')),
    barChart('Points by rule', groups, ['in force', 'this version']));
}

