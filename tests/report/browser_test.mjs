// The report and the dashboard in a real browser: headless Chromium driven by playwright-core.
//   node browser_test.mjs --hashsim BIN --results R.h5 --site-yaml S.yaml --site-json S.json
//                         --report REPORT.html --out DIR [--blocks-h5 REV.h5 --blocks-report BLOCKS.html]
// Checks that the pages draw without script errors and without any network request (report),
// that every engine number on screen (elements with data-k / data-v) equals the engine's JSON
// for the same inputs (`hashsim site --json`), including after an input changes, and that a bad
// input shows an inline message. With --blocks-h5 (`hashsim blocks revenue --h5`) and
// --blocks-report (`hashsim report --blocks` of it): the "Block revenue" section of that report and
// of the dashboard's tab draws every block and day, with the numbers of the engine's view
// (GET /api/blocks). Screenshots go to DIR. Exit 77 (CTest: skipped) when Chromium
// cannot be started.
import { spawn, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '../../web/package.json'));
const SKIP = 77;

const args = {};
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1];
for (const k of ['hashsim', 'results', 'site-yaml', 'site-json', 'report', 'out']) {
  if (!args[k]) {
    console.error(`browser_test: missing --${k}`);
    process.exit(2);
  }
}
fs.mkdirSync(args.out, { recursive: true });

let failures = 0;
let checks = 0;
function check(ok, what) {
  checks++;
  if (!ok) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}
const log = (m) => console.log(m);

// ---- browser ----------------------------------------------------------------------------
let chromium;
try {
  ({ chromium } = require('playwright-core'));
} catch (e) {
  console.error(`browser_test: playwright-core is not installed in web/node_modules (tools/install-web-deps.sh): ${e.message}`);
  process.exit(1);
}
const exe = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(exe)) {
  console.log(`SKIP: no Chromium at ${exe} (apt-get install chromium, or set CHROMIUM_PATH)`);
  process.exit(SKIP);
}
const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'hashsim-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDir, {
    executablePath: exe,
    headless: true,
    viewport: { width: 1300, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    timeout: 60000,
  });
} catch (e) {
  console.log(`SKIP: Chromium could not start: ${e.message.split('\n')[0]}`);
  fs.rmSync(userDir, { recursive: true, force: true });
  process.exit(SKIP);
}

let server;
function cleanup() {
  if (server && server.exitCode === null) server.kill('SIGTERM');
  fs.rmSync(userDir, { recursive: true, force: true });
}

// ---- helpers ----------------------------------------------------------------------------
const getPath = (o, key) => key.split('.').reduce((a, k) => (a == null ? undefined : a[k]), o);

// Every [data-k] number on the page against the engine's JSON; returns how many were compared.
async function compareNumbers(page, json, scope, label) {
  const items = await page.$$eval(`${scope} [data-k]`, (els) => els.map((e) => ({ k: e.dataset.k, v: e.dataset.v, text: e.textContent })));
  let n = 0;
  for (const it of items) {
    const want = getPath(json, it.k);
    if (want === undefined) continue;  // not a site-summary key (e.g. provenance)
    if (it.v === 'null') {
      if (typeof want === 'number') check(!Number.isFinite(want), `${label}: ${it.k} shown as n/a but the engine has ${want}`);
      n++;
      continue;
    }
    const got = Number(it.v);
    const ok = typeof want === 'number' && Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want));
    check(ok, `${label}: ${it.k} = ${got} on the page, ${want} in the engine's JSON`);
    // The text shown agrees with the number to its displayed precision (money and plain counts).
    const m = it.text.match(/^(?:GBP|USD|EUR)?\s*(-?[\d,]+(?:\.\d+)?)$/);
    if (m && typeof want === 'number') {
      const shown = Number(m[1].replace(/,/g, ''));
      const decimals = (m[1].split('.')[1] || '').length;
      check(Math.abs(shown - want) <= 0.5 * 10 ** -decimals + 1e-9 * Math.abs(want), `${label}: ${it.k} text '${it.text}' vs ${want}`);
    }
    n++;
  }
  return n;
}

// The "Block revenue" section on `page` (charts `${idp}-blocks-per-block` and `-per-day`, inside
// `scope`) against the engine's view `view`.
async function checkBlocks(page, view, scope, idp, label) {
  const drawn = await page.evaluate(([idp]) => {
    const pb = Chart.getChart(document.getElementById(`${idp}-blocks-per-block`));
    const pd = Chart.getChart(document.getElementById(`${idp}-blocks-per-day`));
    if (!pb || !pd) return null;
    const full = (d) => d._data || d.data;  // before min-max decimation
    return {
      perBlock: pb.data.datasets.map((d) => ({ label: d.label, n: full(d).length, x0: full(d)[0].x, y: full(d).map((p) => p.y) })),
      dayLabels: pd.data.labels,
      perDay: pd.data.datasets.map((d) => ({ label: d.label, y: d.data })),
      csv: HS.chartCsv(pb).trim().split('\n').length,
    };
  }, [idp]);
  check(!!drawn, `${label}: both block charts drawn`);
  if (!drawn) return;
  const m0 = view.machines[0];
  check(drawn.perBlock.length === 2 * view.machines.length, `${label}: ${drawn.perBlock.length} per-block datasets (revenue and profit per machine)`);
  check(drawn.perBlock.every((d) => d.n === view.n_blocks && d.x0 === view.first_height), `${label}: every block drawn (${drawn.perBlock.map((d) => d.n)} of ${view.n_blocks})`);
  const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
  check(same(drawn.perBlock[0].y, view.block[m0.slug].revenue_usd), `${label}: per-block revenue of ${m0.name} is the engine's`);
  check(same(drawn.perBlock[1].y, view.block[m0.slug].profit_usd), `${label}: per-block profit of ${m0.name} is the engine's`);
  check(same(drawn.dayLabels, view.day.day), `${label}: one point per UTC day (${drawn.dayLabels.length})`);
  check(same(drawn.perDay[2].y, view.day[m0.slug].profit_usd), `${label}: daily profit of ${m0.name} is the engine's`);
  check(drawn.csv === view.n_blocks + 1, `${label}: per-block CSV has ${drawn.csv} lines (every block, not the decimated points)`);
  const n = await compareNumbers(page, { blocks: view }, scope, label);
  check(n >= 8 + 3 * view.machines.length * view.day.day.length, `${label}: compared ${n} numbers with the engine's view`);
  log(`${label}: ${view.n_blocks} blocks, ${view.day.day.length} days, ${n} numbers equal the engine's view`);
}


async function shots(page, name) {
  const h = await page.evaluate(() => document.documentElement.scrollHeight);
  const w = page.viewportSize().width;
  const files = [];
  for (let y = 0, i = 0; y < h && i < 8; y += 1400, i++) {
    const f = path.join(args.out, `${name}_${i}.png`);
    await page.screenshot({ path: f, fullPage: true, clip: { x: 0, y, width: w, height: Math.min(1400, h - y) } });
    files.push(f);
  }
  log(`screenshots: ${files.join(' ')}`);
}

function siteJson(yamlText, tag) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hashsim-site-'));
  const y = path.join(dir, `${tag}.yaml`);
  const j = path.join(dir, `${tag}.json`);
  fs.writeFileSync(y, yamlText);
  execFileSync(args.hashsim, ['site', y, '--results', args.results, '--json', j, '--no-report'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const out = JSON.parse(fs.readFileSync(j, 'utf8'));
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

// A report file (self-contained HTML) opened in a new page, with the script errors and the URLs
// of every request it makes recorded from the start.
async function openFile(file) {
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${path.resolve(file)}`);
  return { page, errors, requests };
}

// A self-contained page: no script error, and no request beyond its own file and data: URLs.
function checkSelfContained(errors, requests, what) {
  check(errors.length === 0, `${what}: script errors: ${errors.join(' | ')}`);
  const external = requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:'));
  check(external.length === 0, `${what}: network requests: ${external.join(' ')}`);
}

try {
  // ---- 1. the report ----------------------------------------------------------------------
  {
    const { page, errors, requests } = await openFile(args.report);
    await page.waitForSelector('body[data-ready="1"]', { timeout: 30000 });
    checkSelfContained(errors, requests, 'report');
    for (const id of ['fan-price_usd', 'fan-network_hashrate_ths', 'fan-difficulty', 'fan-hashprice_usd_per_th_day', 'heat-0', 'heat-1', 'fleet-0', 'fleet-1', 'rep-cumulative-site', 'rep-discounted-site', 'rep-npv-0', 'rep-irr-0']) {
      const drawn = await page.$eval(`#${id}`, (c) => c.width > 0 && c.height > 0 && !!Chart.getChart(c)).catch(() => false);
      check(drawn, `report: chart #${id} drawn`);
    }
    // Halvings: the same dates the page lists are those of the embedded data, one per scenario.
    const hv = await page.$$eval('.halving', (els) => els.map((e) => e.dataset.height));
    check(hv.length === 2 && hv.every((h) => h === '1050000'), `report: halvings listed ${hv}`);
    const n = await compareNumbers(page, JSON.parse(fs.readFileSync(args['site-json'], 'utf8')), '#site', 'report');
    check(n >= 40, `report: compared ${n} site numbers (want >= 40)`);
    log(`report: ${n} site numbers equal the engine's JSON`);

    // Issue 16, item 16: one colour per scenario in every chart; every miner its own colour.
    const colours = await page.evaluate(() => {
      const out = {};
      for (const id of ['fan-price_usd', 'fleet-0', 'rep-cumulative-site', 'rep-discounted-site']) {
        const c = Chart.getChart(document.getElementById(id));
        c.data.datasets.filter((d) => / median$/.test(d.label)).forEach((d) => {
          const sc = d.label.replace(/ median$/, '');
          (out[sc] = out[sc] || new Set()).add(d.borderColor);
        });
      }
      for (const i of [0, 1]) {
        const c = Chart.getChart(document.getElementById(`rep-npv-${i}`));
        const sc = document.getElementById(`rep-npv-${i}`).closest('.chart-box').querySelector('h4').textContent.match(/, (\w+) \(/)[1];
        (out[sc] = out[sc] || new Set()).add(c.data.datasets[0].backgroundColor.replace(/rgba\((\d+),(\d+),(\d+),[\d.]+\)/, (m, r, g, b) => `#${[r, g, b].map((x) => Number(x).toString(16).padStart(2, '0')).join('')}`));
      }
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
    });
    check(Object.keys(colours).length === 2 && Object.values(colours).every((v) => v.length === 1), `report: one colour per scenario ${JSON.stringify(colours)}`);
    check(new Set(Object.values(colours).map((v) => v[0])).size === 2, `report: the scenarios' colours differ ${JSON.stringify(colours)}`);
    const miners = await page.evaluate(() => Chart.getChart(document.getElementById('rep-cost-grid')).data.datasets
      .filter((d) => d.label !== 'revenue per TH/day').map((d) => `${d.borderColor} ${JSON.stringify(d.borderDash || [])}`));
    check(miners.length >= 11 && new Set(miners).size === miners.length, `report: ${miners.length} miners, ${new Set(miners).size} distinct line styles`);
    // The selection charts keep a usable plot under their legend.
    const plotH = await page.evaluate(() => ['rep-cost-grid', 'rep-payback-grid'].map((id) => Chart.getChart(document.getElementById(id)).chartArea.height));
    check(plotH.every((h) => h >= 160), `report: selection chart plot heights ${plotH} px (want >= 160)`);

    // Issue 16, item 17: histogram ticks in one style, distinct, integer path counts.
    const hist = await page.evaluate(() => ['rep-npv-0', 'rep-npv-1', 'rep-irr-0', 'rep-irr-1'].filter((id) => document.getElementById(id)).map((id) => {
      const c = Chart.getChart(document.getElementById(id));
      return { id, labels: c.data.labels, yTicks: c.scales.y.ticks.map((t) => t.value) };
    }));
    for (const h of hist) {
      check(h.labels.every((l) => !/e[+-]/.test(l)), `report: ${h.id} labels without exponents ${h.labels.slice(0, 3)}`);
      const units = new Set(h.labels.map((l) => l.replace(/^[-\d.,]+/, '')));
      check(units.size === 1, `report: ${h.id} labels in one unit ${[...units]}`);
      check(new Set(h.labels).size === h.labels.length, `report: ${h.id} labels distinct ${h.labels}`);
      check(h.yTicks.every(Number.isInteger), `report: ${h.id} path counts are whole numbers ${h.yTicks}`);
    }
    // A site analysis over fewer scenarios, or in another order, keeps the market colours
    // (the issue: bull red in the market charts, green in the site charts).
    const subset = await page.evaluate(() => {
      const box = document.createElement('div');
      document.body.appendChild(box);
      const bands = { p5: [1, 2], p25: [1, 2], p50: [1, 2], p75: [1, 2], p95: [1, 2] };
      const v = { discount_rate: 0.08, summary: { inputs: { site: { currency: 'GBP' } } }, scenarios: [{ scenario: 'bear', n_paths: 1, years: 1,
        plays: [{ key: 'site', available: true, cumulative: bands, discounted: bands }] }] };
      HS.cashflowCharts(box, v, 'subset');
      const got = Chart.getChart(document.getElementById('subset-cumulative-site')).data.datasets.find((d) => d.label === 'bear median').borderColor;
      const want = Chart.getChart(document.getElementById('fan-price_usd')).data.datasets.find((d) => d.label === 'bear median').borderColor;
      box.remove();
      return { got, want };
    });
    check(subset.got === subset.want, `report: bear alone in a site chart keeps its market colour ${JSON.stringify(subset)}`);
    // No path with an IRR: a note, not an empty chart (fed the engine's empty histogram).
    const noIrr = await page.evaluate(() => {
      const box = document.createElement('div');
      document.body.appendChild(box);
      const v = { summary: { inputs: { site: { currency: 'GBP' } } }, scenarios: [{ scenario: 'x', n_paths: 5, years: 1, plays: [{ key: 'site', available: true,
        npv_hist: { lo: -2, hi: -1, counts: [3, 2], n_undefined: 0 }, irr_hist: { lo: 0, hi: 0, counts: [], n_undefined: 5 } }] }] };
      HS.distributionCharts(box, v, 'noirr');
      const r = { canvas: !!document.getElementById('noirr-irr-0'), note: (document.getElementById('noirr-irr-0-none') || {}).textContent || '' };
      box.remove();
      return r;
    });
    check(!noIrr.canvas && /No path has an IRR/.test(noIrr.note), `report: no IRR chart without IRRs ${JSON.stringify(noIrr)}`);
    // Heatmaps: each strategy on its own scale, with a colour bar; zero is not tinted.
    const heat = await page.evaluate(() => [0, 1].map((i) => {
      const c = Chart.getChart(document.getElementById(`heat-${i}`));
      const vals = c.data.datasets[0].data.map((p) => p.v).filter((v) => Number.isFinite(v));
      const bar = document.getElementById(`heat-${i}-scale`);
      return { maxAbs: Math.max(...vals.map(Math.abs)), barMin: bar && Number(bar.dataset.min), barMax: bar && Number(bar.dataset.max), xTitle: c.options.scales.x.title.text, x0: c.options.scales.x.labels[0] };
    }));
    for (const [i, h] of heat.entries()) {
      check(h.barMax !== null && Math.max(Math.abs(h.barMin), Math.abs(h.barMax)) === h.maxAbs, `report: heat-${i} colour bar spans its own max |v| ${JSON.stringify(h)}`);
      check(/cents per kWh/.test(h.xTitle) && /^\d+\.\d$/.test(h.x0), `report: heat-${i} tariff axis '${h.xTitle}' '${h.x0}'`);
    }
    // Halvings: one label per halving height, the others unlabelled lines.
    const labelled = await page.evaluate(() => Object.values(Chart.getChart(document.getElementById('fan-price_usd')).options.plugins.annotation.annotations).filter((a) => a.label && a.label.display).length);
    check(labelled === 1, `report: ${labelled} halving labels for one halving height`);

    // Issue 16, item 18: every chart exports PNG and CSV; the CSV holds the chart's numbers.
    const boxes = await page.$$eval('.chart-box[data-chart]', (els) => els.map((e) => ({ id: e.dataset.chart, png: !!e.querySelector('button.png'), csv: !!e.querySelector('button.csv') })));
    check(boxes.length >= 12 && boxes.every((b) => b.png && b.csv), `report: ${boxes.length} chart boxes, all with PNG and CSV buttons`);
    const pngDl = page.waitForEvent('download');
    await page.click('.chart-box[data-chart="fan-price_usd"] button.png');
    const png = await pngDl;
    const pngBytes = fs.readFileSync(await png.path());
    check(png.suggestedFilename() === 'hashsim-fan-price_usd.png' && pngBytes.subarray(1, 4).toString() === 'PNG' && pngBytes.length > 5000,
      `report: PNG download ${png.suggestedFilename()} ${pngBytes.length} bytes`);
    const csvDl = page.waitForEvent('download');
    await page.click('.chart-box[data-chart="fan-price_usd"] button.csv');
    const csv = fs.readFileSync(await (await csvDl).path(), 'utf8').trim().split('\n');
    const want = await page.evaluate(() => {
      const c = Chart.getChart(document.getElementById('fan-price_usd'));
      return { n: c.data.labels.length, header: ['x', ...c.data.datasets.map((d) => d.label)].join(','), row5: [c.data.labels[5], ...c.data.datasets.map((d) => d.data[5])].join(',') };
    });
    check(csv.length === want.n + 1 && csv[0] === want.header && csv[6] === want.row5, `report: CSV of fan-price_usd: ${csv.length} lines, header '${csv[0]}', row '${csv[6]}' (want '${want.row5}')`);
    const heatCsv = page.waitForEvent('download');
    await page.click('.chart-box[data-chart="heat-0"] button.csv');
    const hc = fs.readFileSync(await (await heatCsv).path(), 'utf8').trim().split('\n');
    check(hc[0] === 'dataset,x,y,value' && hc.length > 10, `report: heatmap CSV ${hc[0]} (${hc.length} lines)`);
    await shots(page, 'report');
    await page.close();
  }

  // ---- 1b. the report of a block ledger alone ---------------------------------------------
  if (args['blocks-report']) {
    const { page, errors, requests } = await openFile(args['blocks-report']);
    await page.waitForSelector('#rep-blocks-per-day', { timeout: 30000 });
    checkSelfContained(errors, requests, 'blocks report');
    const html = fs.readFileSync(args['blocks-report'], 'utf8');
    const view = JSON.parse(html.match(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/)[1]).blocks;
    await checkBlocks(page, view, '#blocks', 'rep', 'blocks report');
    const hidden = await page.evaluate(() => ['market', 'archetypes', 'fleets', 'site'].every((id) => document.getElementById(id).hidden));
    check(hidden, 'blocks report: no empty market, archetype, fleet or site sections without a results file');
    await shots(page, 'blocks_report');
    await page.close();
  }

  // ---- 2. the dashboard ------------------------------------------------------------------
  const serveArgs = ['serve', '--port', '0', '--results', args.results, '--site', args['site-yaml']];
  if (args['blocks-h5']) serveArgs.push('--blocks', args['blocks-h5']);
  server = spawn(args.hashsim, serveArgs, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, HASHSIM_OFFLINE: '1', HASHSIM_CACHE_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'hashsim-cache-')) },
  });
  const base = await new Promise((resolve, reject) => {
    let buf = '';
    const t = setTimeout(() => reject(new Error('hashsim serve did not start in 30 s')), 30000);
    server.stdout.on('data', (d) => {
      buf += d;
      const m = buf.match(/(http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) { clearTimeout(t); resolve(m[1]); }
    });
    server.on('exit', (code) => reject(new Error(`hashsim serve exited with ${code}`)));
  });
  log(`dashboard at ${base}`);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  const siteReply = () => page.waitForResponse((r) => r.url().endsWith('/api/site'), { timeout: 60000 });
  const first = siteReply();
  await page.goto(`${base}/`);
  const firstBody = await (await first).json();
  await page.waitForSelector('body[data-ready="1"]', { timeout: 60000 });
  let want = siteJson(firstBody.site_yaml, 'initial');
  let n = await compareNumbers(page, want, 'body', 'dashboard (initial)');
  check(n >= 15, `dashboard: compared ${n} numbers (want >= 15)`);
  await page.click('#how-chosen summary');
  await shots(page, 'dashboard_site');

  // Change the power price: the page must show the engine's numbers for the new price.
  const seqBefore = Number(await page.$eval('#status', (e) => e.dataset.seq));
  const changed = siteReply();
  await page.fill('#power_price_per_kwh', '0.045');
  await page.press('#power_price_per_kwh', 'Tab');  // leaving the field fires its change event
  const changedBody = await (await changed).json();
  await page.waitForFunction((s) => Number(document.getElementById('status').dataset.seq) > s && document.getElementById('status').dataset.state === 'ok', seqBefore);
  check(/power_price_per_kwh: 0\.045\b/.test(changedBody.site_yaml), 'dashboard: the new power price reached the engine');
  want = siteJson(changedBody.site_yaml, 'changed');
  check(want.inputs.site.power_price_per_kwh === 0.045, 'dashboard: hashsim site ran at 0.045');
  n = await compareNumbers(page, want, 'body', 'dashboard (0.045/kWh)');
  check(n >= 15, `dashboard after change: compared ${n} numbers`);
  log(`dashboard: ${n} numbers equal hashsim site --json at 0.045/kWh`);
  const shownMiners = await page.$eval('#daily-table [data-k="site.n_miners"]', (e) => e.textContent);
  check(Number(shownMiners.replace(/,/g, '')) === want.site.n_miners, `dashboard: miners shown ${shownMiners}, engine ${want.site.n_miners}`);

  await page.click('button[data-tab="tab-risk"]');
  for (const id of ['dash-cumulative-site', 'dash-discounted-site', 'dash-npv-0', 'dash-irr-0']) {
    const drawn = await page.$eval(`#${id}`, (c) => !!Chart.getChart(c)).catch(() => false);
    check(drawn, `dashboard: chart #${id} drawn`);
  }
  await shots(page, 'dashboard_risk');
  await page.click('button[data-tab="tab-plays"]');
  await shots(page, 'dashboard_plays');
  await page.click('button[data-tab="tab-site"]');

  // A bad input: an inline message at the field, the page stays up.
  const bad = siteReply();
  await page.fill('#load_factor', '1.5');
  await page.press('#load_factor', 'Tab');
  const badResp = await bad;
  check(badResp.status() === 400, `dashboard: load_factor 1.5 answered ${badResp.status()}`);
  await page.waitForFunction(() => document.getElementById('err-load_factor').textContent.length > 0);
  const msg = await page.$eval('#err-load_factor', (e) => e.textContent);
  check(/not in \[0\.01, 1\]/.test(msg), `dashboard: inline message '${msg}'`);
  check(await page.$eval('#load_factor', (e) => e.classList.contains('invalid')), 'dashboard: the field is marked invalid');
  await shots(page, 'dashboard_bad_input');
  const empty = siteReply();
  await page.fill('#site_power_kw', '');
  await page.press('#site_power_kw', 'Tab');
  await empty;
  await page.waitForFunction(() => document.getElementById('err-site_power_kw').textContent.includes('must be a number'));
  // Fixing the inputs clears the messages.
  const fixing = siteReply();
  await page.fill('#site_power_kw', '200');
  await page.press('#site_power_kw', 'Tab');
  await fixing;
  const fixed = siteReply();
  await page.fill('#load_factor', '0.95');
  await page.press('#load_factor', 'Tab');
  check((await fixed).status() === 200, 'dashboard: fixed inputs answered 200');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'ok');
  check((await page.$eval('#err-load_factor', (e) => e.textContent)) === '', 'dashboard: message cleared');

  // Live data on: FX from today's snapshot (offline here: cache, else static defaults), with ages.
  const liveReply = siteReply();
  await page.check('#live');
  const liveBody = await (await liveReply).json();
  await page.waitForFunction(() => document.getElementById('data-mode') && document.getElementById('data-mode').dataset.live === 'true');
  check(liveBody.data.live === true && liveBody.data.values.length > 0, 'dashboard: live snapshot values with ages');
  const ages = await page.$$eval('#ages td.age', (els) => els.map((e) => e.textContent));
  check(ages.length > 0 && ages.every((a) => a.length > 0), `dashboard: ages shown ${ages.slice(0, 3)}`);
  await shots(page, 'dashboard_live');
  check(errors.length === 0, `dashboard: script errors: ${errors.join(' | ')}`);

  // Issue 16, item 17: switching currency converts the money inputs (the test site: 0.75 GBP/USD).
  await page.uncheck('#live');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'ok');
  const eurDisabled = await page.$eval('#currency option[value="EUR"]', (o) => o.disabled);
  check(eurDisabled, 'dashboard: EUR (no rate in the results file) is disabled while live data is off');
  const beforeSwitch = Number(await page.$eval('#power_price_per_kwh', (e) => e.value));
  const usdReply = siteReply();
  await page.selectOption('#currency', 'USD');
  const usdResp = await usdReply;
  const usdReq = JSON.parse(usdResp.request().postData());
  const usdBody = await usdResp.json();
  check(usdReq.currency === 'USD' && usdReq.input_currency === 'GBP', `dashboard: currency switch sends input_currency ${usdReq.input_currency}`);
  check(/other_opex_per_miner_per_year: 53\.3333/.test(usdBody.site_yaml), 'dashboard: other opex 40 GBP ran as 53.3333 USD');
  await page.waitForFunction(() => document.getElementById('status').dataset.state === 'ok' && document.getElementById('conversion'));
  const afterSwitch = Number(await page.$eval('#power_price_per_kwh', (e) => e.value));
  check(Math.abs(afterSwitch - beforeSwitch / 0.75) < 1e-5, `dashboard: power price box ${beforeSwitch} GBP -> ${afterSwitch} USD`);
  check((await page.$eval('label[for="power_price_per_kwh"]', (e) => e.textContent)).includes('USD'), 'dashboard: power price labelled USD');

  // Issue 16, item 18: a link to the inputs; opening it restores them.
  const link = await page.$eval('#share-url', (e) => e.value);
  check(link.includes('currency=USD') && link.includes(`power_price_per_kwh=${afterSwitch}`), `dashboard: share link ${link}`);
  check(page.url() === link, 'dashboard: the address bar holds the link');
  {
    const p2 = await context.newPage();
    const first2 = p2.waitForResponse((r) => r.url().endsWith('/api/site'), { timeout: 60000 });
    await p2.goto(`${base}/?site_power_kw=150&power_price_per_kwh=0.07&currency=USD&live=0`);
    const req2 = JSON.parse((await first2).request().postData());
    check(req2.site_power_kw === 150 && req2.power_price_per_kwh === 0.07 && req2.currency === 'USD' && req2.input_currency === 'USD',
      `dashboard: a shared link's inputs are used: ${JSON.stringify(req2)}`);
    await p2.close();
  }
  // Export on the dashboard too.
  await page.click('button[data-tab="tab-risk"]');
  const dashCsv = page.waitForEvent('download');
  await page.click('.chart-box[data-chart="dash-cumulative-site"] button.csv');
  const dc = fs.readFileSync(await (await dashCsv).path(), 'utf8').trim().split('\n');
  check(dc.length === 3 + 1 && dc[0].startsWith('x,'), `dashboard: CSV of the cumulative cashflow chart: ${dc.length} lines`);

  // The metrics table fits at 1400 px (payback columns were clipped).
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.click('button[data-tab="tab-plays"]');
  const fit = await page.$eval('#plays table.metrics', (t) => ({ table: t.getBoundingClientRect().right, box: t.closest('section').getBoundingClientRect().right }));
  check(fit.table <= fit.box, `dashboard: metrics table right edge ${fit.table} px within its section ${fit.box} px`);
  await shots(page, 'dashboard_plays_1400');
  // A usable narrow layout (390 px, a phone): the results column spans the screen.
  await page.setViewportSize({ width: 390, height: 800 });
  await page.click('button[data-tab="tab-site"]');
  const narrow = await page.evaluate(() => ({ results: document.querySelector('.layout > div').getBoundingClientRect().width,
    overflow: document.documentElement.scrollWidth }));
  check(narrow.results >= 340 && narrow.overflow <= 400, `dashboard at 390 px: results column ${narrow.results} px, page ${narrow.overflow} px wide`);
  await shots(page, 'dashboard_narrow');
  await page.setViewportSize({ width: 1300, height: 900 });

  // hashsim serve --blocks: the "Block revenue" tab, the same section as the report's.
  if (args['blocks-h5']) {
    await page.click('button[data-tab="tab-blocks"]');
    const view = await (await fetch(`${base}/api/blocks`)).json();
    await checkBlocks(page, view, '#tab-blocks', 'dash', 'dashboard blocks tab');
    await shots(page, 'dashboard_blocks');
    await page.click('button[data-tab="tab-site"]');
  }

  // The server survives malformed requests and still answers.
  const json = { 'Content-Type': 'application/json' };
  const r1 = await fetch(`${base}/api/site`, { method: 'POST', headers: json, body: '{not json' });
  check(r1.status === 400 && (await r1.json()).error, 'server: garbage JSON -> 400 JSON');
  const r2 = await fetch(`${base}/api/site`, { method: 'POST', headers: json, body: 'x'.repeat(1 << 20) });
  check(r2.status === 413, `server: 1 MiB body -> ${r2.status}`);
  const r5 = await fetch(`${base}/api/site`, { method: 'POST', body: '{}' });  // text/plain, as a cross-site form sends
  check(r5.status === 415, `server: text/plain POST -> ${r5.status}`);
  const r3 = await fetch(`${base}/api/site`);
  check(r3.status === 405, `server: GET /api/site -> ${r3.status}`);
  const r4 = await fetch(`${base}/api/meta`);
  check(r4.status === 200, 'server: still answering');
  await page.close();
} catch (e) {
  failures++;
  console.error(`FAIL: ${e.stack || e}`);
} finally {
  await context.close().catch(() => {});
  cleanup();
}
console.log(`browser_test: ${checks} checks, ${failures} failed`);
process.exit(failures ? 1 : 0);
