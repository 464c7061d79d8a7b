// The support desk: find a customer by card, customer id or the start of
// either; then the customer's whole story on one page: balances, tier,
// signals, offers, greeting hints, lots, and the ledger statement (every
// entry with its date, event, store, money, rule, points and the balance
// after it), older entries a page at a time. Admins adjust points here.
import { api, may, ApiError } from './api.js';
import { h, table, notice, section, field, badge, clear } from './dom.js';
import { money, count, points, date, dateTime, percent } from './format.js';

const REASONS = ['goodwill', 'correction', 'complaint', 'lost-receipt', 'fraud-reversal', 'migration'];

export async function render(main, params) {
  if (params[0]) return renderCustomer(main, params[0]);
  main.append(h('h1', {}, 'Customers'));
  const q = h('input', { type: 'search', name: 'q', id: 'q', placeholder: 'card number or customer id',
    autocomplete: 'off', minlength: 2, required: true });
  const results = h('div', { id: 'results' });
  const search = async () => {
    const text = q.value.trim();
    if (text.length < 2) return;
    history.replaceState(null, '', `#/customers?q=${encodeURIComponent(text)}`);
    results.replaceChildren(h('p', { class: 'muted' }, 'Searching…'));
    try {
      const found = await api('GET', `/v1/customers?q=${encodeURIComponent(text)}`);
      results.replaceChildren(matches(found));
    } catch (err) {
      results.replaceChildren(notice(err.message));
    }
  };
  main.append(h('form', { class: 'card search', role: 'search', onsubmit: (e) => { e.preventDefault(); search(); } },
    field('Find a customer', q, 'A whole card number or customer id, or how it starts (at least 2 characters).'),
    h('button', { type: 'submit', class: 'primary' }, 'Search')), results);
  const asked = new URLSearchParams(location.hash.split('?')[1] || '').get('q');
  if (asked) { q.value = asked; await search(); }
  q.focus();
}

function matches(found) {
  if (found.matches.length === 0) return notice(`No card or customer id starts with “${found.query}”.`, 'info');
  const rows = found.matches.map((m) => h('tr', {},
    h('td', {}, h('a', { href: `#/customers/${encodeURIComponent(m.card)}` }, m.card)),
    h('td', {}, m.customer_id),
    h('td', {}, m.tier),
    h('td', { class: 'num' }, count(m.balance)),
    h('td', { class: 'num' }, count(m.visits)),
    h('td', { class: 'num' }, money(m.spend_minor, m.currency)),
    h('td', {}, date(m.last_purchase_date))));
  return h('div', {},
    table(['Card', 'Customer id', 'Tier', ['Points', 'num'], ['Visits', 'num'], ['Spend', 'num'], 'Last purchase'], rows,
      { class: 'results' }),
    found.more ? h('p', { class: 'muted' }, 'More match: type more of the number.') : null);
}

function kv(pairs) {
  return h('dl', { class: 'kv' }, pairs.filter(Boolean).map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

async function renderCustomer(main, card) {
  const [profile, statement] = await Promise.all([
    api('GET', `/v1/customers/${encodeURIComponent(card)}`),
    api('GET', `/v1/customers/${encodeURIComponent(card)}/ledger?limit=25`),
  ]);
  const cur = statement.currency;
  const s = profile.signals || {};
  const cost = s.cost_to_serve || {};
  main.append(
    h('p', {}, h('a', { href: '#/customers' }, '← Find another customer')),
    h('h1', {}, `Customer ${profile.customer_id}`, ' ', badge(profile.tier, 'tier')),
    h('div', { class: 'grid' },
      section('Points',
        h('p', { class: 'big', id: 'balance' }, count(profile.balance), h('small', {}, ' points')),
        kv([
          ['Spendable', count(profile.spendable)],
          ['Pending', profile.pending ? `${count(profile.pending)} (${count(profile.next_release_points)} spendable from ${dateTime(profile.next_release_at)})` : '0'],
          ['Next expiry', profile.next_expiry_points ? `${count(profile.next_expiry_points)} on ${dateTime(profile.next_expiry_at)}` : 'none'],
          ['Worth', money(statement.balance * statement.point_value_minor, cur)],
          ['Lifetime', count(profile.lifetime)],
        ])),
      section('Membership',
        kv([
          ['Cards', statement.cards.join(', ')],
          ['Tier', statement.tier_review_at ? `${profile.tier} since ${date(statement.tier_since_date)}, review on ${date(statement.tier_review_date)}` : `${profile.tier} since ${date(statement.tier_since_date)}`],
          ['Enrolled', date(profile.enrolled_date)],
          ['Birthday', profile.birthday || '—'],
          ['Visits', `${count(profile.visits)}, spend ${money(profile.spend_minor, cur)}`],
          ['Last purchase', dateTime(profile.last_purchase_at)],
        ])),
      section('Signals',
        kv([
          ['Lifecycle', s.lifecycle],
          ['Churn risk', s.churn_risk_permille !== undefined ? `${percent(s.churn_risk_permille)} (usually every ${s.usual_interval_days} days)` : '—'],
          ['RFM', s.rfm ? `${s.rfm.recency}-${s.rfm.frequency}-${s.rfm.monetary} ${s.rfm.segment || ''}` : '—'],
          ['NPS', s.nps_score === null || s.nps_score === undefined ? 'no answer yet' : `${s.nps_score} (${s.nps_group})`],
          ['Cost to serve', cost.net_minor !== undefined ? `${money(cost.net_minor, cur)} net (revenue ${money(cost.revenue_minor, cur)}, returns ${money(cost.returns_minor, cur)}, points ${money(cost.redeemed_minor, cur)}, offers ${money(cost.discounts_minor, cur)})` : '—'],
          ['Favourite', (s.top_categories || []).join(', ') || '—'],
        ])),
      section('Say and offer',
        h('ul', { class: 'hints' }, (profile.greeting_hints || []).map((g) => h('li', {}, g))),
        (profile.offers || []).length
          ? h('ul', { class: 'offers' }, profile.offers.map((o) => h('li', {}, h('strong', {}, o.name || o.offer_id), ` ${o.reward}`,
            o.valid_until_date ? `, until ${date(o.valid_until_date)}` : '')))
          : h('p', { class: 'muted' }, 'No offer for now.'))),
    section('Lots', lots(statement)),
    section('Statement', ledger(card, statement)),
    may('customers.adjust') ? adjustForm(card, profile) : null);
}

function lots(st) {
  if (st.lots.length === 0) return h('p', { class: 'muted' }, 'No points held.');
  return table(['Earned', ['Points', 'num'], 'State', 'Spendable from', 'Expires', 'From'],
    st.lots.map((l) => [date(l.earned_date), [count(l.points), 'num'], badge(l.state),
      dateTime(l.spendable_from_at), l.expires_ms ? dateTime(l.expires_at) : 'never', l.source_transaction_id]));
}

function ledgerRows(st) {
  const cur = st.currency;
  return st.entries.map((e) => {
    const ev = e.event || {};
    const what = e.unbooked ? 'expired (booked at the next sweep)'
      : ev.kind ? `${ev.kind}${ev.outcome && ev.outcome !== 'applied' ? ` (${ev.outcome})` : ''}` : e.kind;
    const amount = ev.amount_minor !== undefined ? money(ev.amount_minor, cur)
      : ev.discount_minor ? `${money(ev.discount_minor, cur)} off` : '';
    return h('tr', { class: e.points < 0 ? 'debit' : 'credit', 'data-seq': e.seq },
      h('td', {}, dateTime(e.at_at)),
      h('td', {}, badge(e.kind), ' ', what),
      h('td', {}, e.transaction_id || '—'),
      h('td', {}, ev.store || ''),
      h('td', { class: 'num' }, amount),
      h('td', {}, e.operator ? `${e.rule} (by ${e.operator})` : e.rule),
      h('td', { class: 'num' }, points(e.points)),
      h('td', { class: 'num balance-after' }, count(e.balance_after)));
  });
}

function ledger(card, first) {
  const body = h('tbody', {}, ledgerRows(first));
  const wrap = h('div', { class: 'table-wrap' }, h('table', { class: 'statement', id: 'statement' },
    h('thead', {}, h('tr', {}, ['Date', 'Event', 'Transaction', 'Store', 'Money', 'Rule or reason', 'Points', 'Balance after']
      .map((t, i) => h('th', { class: i >= 6 || i === 4 ? 'num' : null }, t)))),
    body));
  const more = h('button', { type: 'button', id: 'older' }, 'Older entries');
  let next = first.next_before;
  more.hidden = !first.more;
  more.addEventListener('click', async () => {
    more.disabled = true;
    const page = await api('GET', `/v1/customers/${encodeURIComponent(card)}/ledger?limit=25&before=${next}`);
    body.append(...ledgerRows(page));
    next = page.next_before;
    more.hidden = !page.more;
    more.disabled = false;
  });
  return h('div', {}, h('p', { class: 'muted' }, `Every change of points, newest first; times in the program's time zone (${first.as_of_at.slice(19)}).`), wrap, more);
}

function adjustForm(card, profile) {
  const pts = h('input', { type: 'number', name: 'points', id: 'adjust-points', step: 1 });
  const reason = h('select', { name: 'reason', id: 'adjust-reason' }, REASONS.map((r) => h('option', { value: r }, r)));
  const tier = h('input', { type: 'text', name: 'set_tier', id: 'adjust-tier', placeholder: profile.tier });
  const out = h('div', { 'aria-live': 'polite' });
  const txn = `ADJ-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const form = h('form', { class: 'card', id: 'adjust', onsubmit: async (e) => {
    e.preventDefault();
    const body = { transaction_id: txn, reason: reason.value };
    if (pts.value) body.points = Number(pts.value);
    if (tier.value.trim()) body.set_tier = tier.value.trim();
    if (!body.points && !body.set_tier) return out.replaceChildren(notice('Give points (negative: a debit) or a tier.'));
    try {
      await api('POST', `/v1/customers/${encodeURIComponent(card)}/adjust`, body);
      const main = document.getElementById('main');
      clear(main);
      await renderCustomer(main, card);
    } catch (err) {
      out.replaceChildren(notice(err instanceof ApiError ? `${err.code}: ${err.message}` : err.message));
    }
  } },
  h('h2', {}, 'Adjust points'),
  h('p', { class: 'muted' }, `Recorded in the ledger with your name and the reason, and in the audit log. Retry key ${txn}.`),
  h('div', { class: 'row' }, field('Points (negative: a debit)', pts), field('Reason', reason), field('Set tier (optional)', tier)),
  h('button', { type: 'submit', class: 'primary' }, 'Adjust'), out);
  return form;
}
