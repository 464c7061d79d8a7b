// The console's walk-through in headless Chromium (run by
// console_browser_test.cc, which starts loyaltyd and passes its address and
// tokens in the environment). Each step says what a person does and checks
// what they read; a failed check throws, prints why and exits 1. Screenshots
// go to $SHOTS; page load times are printed as "timing PAGE MS".
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';

const env = process.env;
const BASE = env.BASE_URL;
const SHOTS = env.SHOTS;
const WIDE = { width: 1280, height: 900 };
const NARROW = { width: 390, height: 844 };

function check(ok, what) {
  if (!ok) throw new Error(`check failed: ${what}`);
}

const number = (text) => Number(String(text).replace(/[^0-9.-]/g, ''));

const browser = await chromium.launch({
  executablePath: env.CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

async function session(token, viewport = WIDE) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(60_000);
  page.on('pageerror', (e) => { throw new Error(`script error in the page: ${e.message}`); });
  page.on('console', (m) => { if (m.type() === 'error' && !m.text().includes('401')) console.log(`browser: ${m.text()}`); });
  await page.goto(`${BASE}/`);
  await page.fill('#token', token);
  await page.click('form.signin button[type=submit]');
  await page.waitForSelector('#nav a');
  return { context, page };
}

async function shot(page, name) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function step(name, fn) {
  const started = Date.now();
  await fn();
  console.log(`ok ${name} (${Date.now() - started} ms)`);
}

// A full load of `hash` (not a same-page hash change), until `selector` shows.
async function load(page, hash, selector) {
  await page.goto('about:blank');
  const started = Date.now();
  await page.goto(`${BASE}/${hash}`);
  await page.waitForSelector(selector);
  return Date.now() - started;
}

const timings = {};
let draft = 0;

try {
  const editor = await session(env.EDITOR);
  const ed = editor.page;

  await step('the editor signs in and sees only what an editor may', async () => {
    const nav = await ed.$$eval('#nav a', (as) => as.map((a) => a.textContent));
    check(nav.includes('Rules') && !nav.includes('Customers'), `editor's pages: ${nav}`);
    timings.rules = await load(ed, '#/rules', '#versions');
    await shot(ed, 'rules');
  });

  await step('a mistake in the YAML shows at its line and column', async () => {
    await ed.click('#new-draft');
    await ed.waitForSelector('#problems .notice-ok');
    const text = await ed.inputValue('#yaml');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('rounding: floor'));
    check(at >= 0, 'the rules in force have a rounding line');
    lines[at] = lines[at].replace('rounding: floor', 'rounding: flor');
    await ed.fill('#yaml', lines.join('\n'));
    await ed.waitForSelector('#problems ul.problems li');
    const problem = await ed.textContent('#problems li');
    const column = lines[at].indexOf('flor') + 1;
    check(problem.includes(`line ${at + 1}, column ${column}`) && problem.includes('program.rounding'),
      `problem reads: ${problem}`);
    check(await ed.$eval(`.gutter span:nth-child(${at + 1})`, (s) => s.classList.contains('bad')), 'the gutter marks the line');
    check(await ed.isDisabled('#save'), 'a file with mistakes cannot be saved');
    await ed.click('#problems li button');  // the editor goes to the mistake
    check(await ed.$eval('#yaml', (t) => t.selectionStart) === lines.slice(0, at).join('\n').length + column,
      'the cursor stands at the mistake');
    await shot(ed, 'rules-editor-mistake');
    // Fixed, and points doubled.
    lines[at] = lines[at].replace('rounding: flor', 'rounding: floor');
    const rate = lines.findIndex((l) => l.includes('points_per_unit: 1'));
    lines[rate] = lines[rate].replace('points_per_unit: 1', 'points_per_unit: 2');
    await ed.fill('#yaml', lines.join('\n'));
    await ed.waitForSelector('#problems .notice-ok');
    await ed.click('#save');
    await ed.waitForSelector('#diff');
    draft = Number(ed.url().split('/').pop());
    const changed = await ed.$$eval('#diff tr.d-changed td.code', (tds) => tds.map((t) => t.textContent));
    check(changed.some((t) => t.includes('points_per_unit: 1')) && changed.some((t) => t.includes('points_per_unit: 2')),
      `the diff shows the change side by side: ${changed}`);
  });

  await step('the draft is simulated against the rules in force on the Online Retail data set', async () => {
    await ed.click('#simulate');
    await ed.waitForSelector('#sim-table', { timeout: 120_000 });
    const issued = await ed.$$eval('#sim-table tbody tr:first-child td', (tds) => tds.map((t) => t.textContent));
    check(issued[0] === 'Points issued', `first row: ${issued}`);
    const [inForce, candidate] = [number(issued[1]), number(issued[2])];
    check(inForce > 1_000_000 && candidate >= 2 * inForce && candidate < 2.1 * inForce,
      `points issued side by side: ${inForce} -> ${candidate}`);
    check(await ed.$('svg.chart') !== null, 'a chart of points by rule');
    console.log(`simulation: points issued ${inForce} in force, ${candidate} in the draft`);
    await shot(ed, 'rules-simulation');
  });

  await step('the editor submits the draft for approval', async () => {
    await ed.fill('#submit-note', 'Double points for the spring');
    await ed.click('#submit');
    await ed.waitForSelector('h1 .badge-submitted');
    check(await ed.$('#activate-now') === null, 'an editor cannot activate');
  });
  await editor.context.close();

  const publisher = await session(env.PUBLISHER);
  const pub = publisher.page;
  await step('a publisher approves the draft and it is in force', async () => {
    await pub.goto(`${BASE}/#/rules`);
    await pub.waitForSelector('.waiting a');
    await pub.click(`.waiting a[href="#/rules/${draft}"]`);
    await pub.waitForSelector('#diff');
    await shot(pub, 'rules-review');
    await pub.click('#activate-now');
    await pub.waitForSelector('#action-result .notice-ok');
    await pub.goto(`${BASE}/#/rules`);
    await pub.waitForSelector('#in-force');
    const inForce = await pub.textContent('#in-force');
    check(inForce.includes(`Version ${draft} `) && inForce.includes('by pia'), `in force: ${inForce}`);
    await shot(pub, 'rules-approved');
  });

  await step('activating a rule set in another currency is refused', async () => {
    await pub.goto(`${BASE}/#/rules/${env.EUR_VERSION}`);
    await pub.waitForSelector('#activate-now');
    await pub.click('#activate-now');
    await pub.waitForSelector('#action-result .notice-error');
    const refusal = await pub.textContent('#action-result');
    check(refusal.includes('CURRENCY_MISMATCH') && refusal.includes('GBP'), `refusal: ${refusal}`);
    await shot(pub, 'rules-currency-refused');
  });
  await publisher.context.close();

  const admin = await session(env.ADMIN);
  const ad = admin.page;
  await step('the support desk finds the customer and reads the statement', async () => {
    await ad.click('#nav a[href="#/customers"]');
    await ad.fill('#q', env.CARD.slice(0, 6));
    await ad.click('form.search button');
    await ad.waitForSelector(`table.results a[href="#/customers/${env.CARD}"]`);
    await shot(ad, 'customer-search');
    await ad.click(`table.results a[href="#/customers/${env.CARD}"]`);
    await ad.waitForSelector('#statement tbody tr');
    const balance = number(await ad.textContent('#balance'));
    const last = number(await ad.textContent('#statement tbody tr:first-child td.balance-after'));
    check(balance === 143 && last === balance, `statement ends at ${last}, lookup says ${balance}`);
    const rows = await ad.$$eval('#statement tbody tr', (trs) => trs.map((tr) => tr.textContent));
    check(rows.length === 3 && rows[1].includes('£112.00') && rows[1].includes('S3') && rows[1].includes('base'),
      `statement rows: ${rows.join(' | ')}`);
    await shot(ad, 'customer');
  });

  await step('an admin adjusts the points and sees the entry', async () => {
    await ad.fill('#adjust-points', '25');
    await ad.selectOption('#adjust-reason', 'goodwill');
    await ad.click('#adjust button[type=submit]');
    await ad.waitForFunction(() => document.querySelector('#balance')?.textContent.startsWith('168'));
    const first = await ad.textContent('#statement tbody tr:first-child');
    check(first.includes('+25') && first.includes('goodwill (by ada)') && first.includes('168'), `entry: ${first}`);
    await shot(ad, 'customer-adjusted');
  });

  for (const name of ['pareto', 'rfm', 'lifecycle', 'nps', 'offers', 'cost-to-serve']) {
    await step(`the ${name} report shows its chart and downloads its CSV`, async () => {
      const ms = await load(ad, `#/reports/${name}`, `#report-${name} figure img`);
      await ad.waitForFunction(() => { const i = document.querySelector('#chart'); return i && i.complete && i.naturalWidth > 0; });
      timings[`report-${name}`] = ms;
      const [download] = await Promise.all([ad.waitForEvent('download'), ad.click('#csv')]);
      const csv = readFileSync(await download.path(), 'utf8');
      check(csv.split('\n').length >= 2 && csv.includes(','), `${name}.csv: ${csv.slice(0, 80)}`);
      await shot(ad, `report-${name}`);
    });
  }

  await step('the audit log says who approved what', async () => {
    await ad.goto(`${BASE}/#/audit`);
    await ad.waitForSelector('#audit tbody tr');
    await ad.selectOption('#audit-action', 'rules.');
    await ad.click('form.card button[type=submit]');
    // The filtered list, not the moment between two lists (every() of none is true).
    await ad.waitForFunction(() => {
      const trs = [...document.querySelectorAll('#audit tbody tr')];
      return trs.length > 0 && trs.every((tr) => tr.textContent.includes('rules.'));
    });
    const rows = await ad.$$eval('#audit tbody tr', (trs) => trs.map((tr) => tr.textContent));
    check(rows.some((r) => r.includes('pia') && r.includes('rules.activate')), `audit: ${rows.slice(0, 3)}`);
    check(rows.some((r) => r.includes('edna') && r.includes('rules.submit')), 'the submission is there');
    await shot(ad, 'audit');
  });

  await step(`pages load with ${env.CUSTOMERS} customers in the store`, async () => {
    timings.overview = await load(ad, '#/overview', '.stats');
    await shot(ad, 'overview');
    timings.customer = await load(ad, `#/customers/${env.CARD}`, '#statement tbody tr');
    timings.search = await load(ad, `#/customers?q=7000000000001`, 'table.results');
    timings['overview-again'] = await load(ad, '#/overview', '.stats');
  });
  await admin.context.close();

  const narrow = await session(env.ADMIN, NARROW);
  await step('the pages fit a narrow screen (390 px)', async () => {
    for (const [hash, selector, name] of [[`#/customers/${env.CARD}`, '#statement', 'customer-narrow'],
      [`#/rules/${draft}`, '#version-actions', 'rules-narrow'], ['#/overview', '.stats', 'overview-narrow']]) {
      await load(narrow.page, hash, selector);
      const wide = await narrow.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `${name} is ${wide} px wider than the screen`);
      await shot(narrow.page, name);
    }
  });
  await narrow.context.close();
  for (const [page, ms] of Object.entries(timings)) console.log(`timing ${page} ${ms} ms`);
} catch (err) {
  console.log(`FAILED: ${err.message}`);
  await browser.close();
  process.exit(1);
}
await browser.close();
