// The dashboard page: a form posted to the local backend (POST /api/site), which runs the engine's
// site computation; this script only shows what comes back. Bad input comes back as
// 400 {error, field} and is shown next to the field.
'use strict';

(() => {
  const { el, esc, val, num, sig, pct, money, isNum, colour } = HS;
  const fields = ['site_power_kw', 'load_factor', 'power_price_per_kwh', 'currency', 'discount_rate', 'horizon_years', 'live'];
  const numeric = new Set(['site_power_kw', 'load_factor', 'power_price_per_kwh', 'discount_rate', 'horizon_years']);
  const status = document.getElementById('status');
  let seq = 0;
  let meta = null;
  // The currency the money numbers in the form are in: the last one the engine ran with. A
  // currency switch sends it as input_currency, and the backend converts them.
  let shownCurrency = null;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.className = state === 'error' ? 'warn' : 'muted';
    status.textContent = text;
  }
  function clearErrors() {
    fields.forEach((f) => {
      document.getElementById(`err-${f}`).textContent = '';
      document.getElementById(f).classList.remove('invalid');
    });
  }
  function showFieldError(field, message) {
    const box = document.getElementById(`err-${field}`);
    if (box) {
      box.textContent = message;
      document.getElementById(field).classList.add('invalid');
    }
  }

  // The form as the API's JSON. An empty or non-numeric box is sent as it is (a string), so the
  // backend, not the browser, says what is wrong with it.
  function formValues() {
    const out = {};
    fields.forEach((f) => {
      const input = document.getElementById(f);
      if (f === 'live') out[f] = input.checked;
      else if (numeric.has(f)) {
        const t = input.value.trim();
        out[f] = t !== '' && Number.isFinite(Number(t)) ? Number(t) : t;
      } else out[f] = input.value;
    });
    if (shownCurrency) out.input_currency = shownCurrency;
    return out;
  }

  // A currency with no rate in the results file needs live data: offered, but disabled (with the
  // reason) while live data is off.
  function updateCurrencyOptions() {
    const live = document.getElementById('live').checked;
    document.querySelectorAll('#currency option').forEach((o) => {
      const ok = live || !!(meta.fx && meta.fx[o.value]);
      o.disabled = !ok;
      o.title = ok ? '' : `The results file's data has no USD to ${o.value} rate: tick "Live data" for today's rate`;
      o.textContent = ok ? o.value : `${o.value} (needs live data)`;
    });
  }

  // The inputs as a link: ?site_power_kw=...&currency=...; opening it restores them.
  const shareKeys = ['site_power_kw', 'load_factor', 'power_price_per_kwh', 'currency', 'discount_rate', 'horizon_years', 'live'];
  function shareUrl(values) {
    const q = new URLSearchParams();
    shareKeys.forEach((k) => {
      if (values[k] === undefined || values[k] === '') return;
      q.set(k, k === 'live' ? (values[k] ? '1' : '0') : String(values[k]));
    });
    return `${location.origin}${location.pathname}?${q.toString()}`;
  }
  function inputsFromUrl() {
    const q = new URLSearchParams(location.search);
    const out = {};
    shareKeys.forEach((k) => {
      if (!q.has(k)) return;
      const v = q.get(k);
      out[k] = k === 'live' ? v === '1' || v === 'true' : v;
    });
    return out;
  }

  function render(view) {
    const s = view.summary;
    const ccy = s.inputs.site.currency;
    document.querySelectorAll('.ccy').forEach((x) => { x.textContent = ccy; });
    HS.registerScenarios(view.scenarios.map((x) => x.scenario));
    const sel = s.inputs.site.selection_scenario;
    const selPlays = s.scenarios[sel] ? s.scenarios[sel].plays.site : null;
    const cards = [];
    if (s.site) {
      cards.push(['Miner', val(`${num(s.site.n_miners)} x ${s.site.miner}`, 'site.n_miners', s.site.n_miners)]);
      cards.push(['Gross profit per day (year 1)', val(money(s.site.gross_profit_per_day_site_ccy, ccy, 2), 'site.gross_profit_per_day_site_ccy', s.site.gross_profit_per_day_site_ccy)]);
    }
    if (selPlays && selPlays.available) {
      const k = `scenarios.${sel}.plays.site`;
      cards.push([`NPV P50 (${sel})`, val(money(selPlays.npv_site_ccy.p50, ccy), `${k}.npv_site_ccy.p50`, selPlays.npv_site_ccy.p50)]);
      cards.push([`IRR P50 (${sel})`, val(pct(selPlays.irr.p50), `${k}.irr.p50`, selPlays.irr.p50)]);
      cards.push([`P(NPV < 0) (${sel})`, val(pct(selPlays.p_npv_negative), `${k}.p_npv_negative`, selPlays.p_npv_negative)]);
    }
    document.getElementById('cards').innerHTML = cards.map(([l, v]) => `<div class="card"><div class="label">${esc(l)}</div><div class="big">${v}</div></div>`).join('');
    document.getElementById('daily').innerHTML = HS.dailyPerformance(s);
    document.getElementById('selection').innerHTML = HS.selectionTable(s);
    const sc = document.getElementById('selection-charts');
    sc.innerHTML = '';
    HS.selectionCharts(sc, view, 'dash');

    // Scenarios & risk: annual P50 cashflows, scenario by column.
    const years = Math.max(...view.scenarios.map((x) => x.years));
    let t = `<table class="data" id="annual-table"><tr><th>year</th>${view.scenarios.map((x) => `<th>${esc(x.scenario)}</th>`).join('')}</tr>`;
    for (let y = 0; y <= years; y++) {
      t += `<tr><td>${y}</td>${view.scenarios.map((x) => {
        const p = x.plays.find((q) => q.key === 'site');
        return `<td>${p && p.available ? money(p.annual.p50[y], ccy) : 'n/a'}</td>`;
      }).join('')}</tr>`;
    }
    document.getElementById('annual').innerHTML = `${t}</table>`;
    const cfc = document.getElementById('cf-charts');
    cfc.innerHTML = '';
    if (s.site) HS.cashflowCharts(cfc, view, 'dash');
    document.getElementById('metrics').innerHTML = HS.metricsTable(s, 'site');
    const d = document.getElementById('dists');
    d.innerHTML = '';
    HS.distributionCharts(d, view, 'dash');
    const inv = document.getElementById('investor');
    inv.innerHTML = '';
    HS.investorSections(inv, s, 'dash');
    document.getElementById('cf-tables').innerHTML = view.scenarios.map((x, i) => `<h4>${esc(x.scenario)}</h4>${HS.cashflowTable(view, i)}`).join('');
    const plays = document.getElementById('plays');
    plays.innerHTML = '';
    HS.otherPlays(plays, view, 'dash');
    plays.appendChild(el('div', { class: 'scroll' }, HS.metricsTable(s)));

    // Where the data came from, and how old it is.
    const di = view.data;
    const rows = (di.values || []).map((v) => `<tr><td>${esc(v.key)}<br><span class="muted">${sig(v.value, 6)}</span></td><td>${esc(v.source)}</td><td class="age" title="${esc(v.as_of)}">${esc(v.age)}${v.stale ? ' (stale)' : ''}</td></tr>`).join('');
    const conv = di.conversion || {};
    const convNote = conv.converted && conv.converted.length
      ? `<p id="conversion" class="note">Money inputs converted to ${esc(conv.currency)} at ${sig(conv.rate.usd_to_ccy, 6)} ${esc(conv.currency)}/USD (${esc(conv.rate.source)})${conv.from_rate ? ` from ${esc(conv.from_currency)} at ${sig(conv.from_rate.usd_to_ccy, 6)} ${esc(conv.from_currency)}/USD (${esc(conv.from_rate.source)})` : ''}: ${conv.converted.map((c) => `${esc(c.key)} ${sig(c.from, 6)} &rarr; ${sig(c.to, 6)}`).join('; ')}.</p>`
      : '';
    document.getElementById('data-info').innerHTML = `${convNote}<p id="data-mode" data-live="${di.live}">${di.live ? 'Live data: FX from today\'s snapshot' : 'Live data off: the results file\'s data'}.
      FX ${val(sig(di.fx_usd_to_site, 6), 'data_snapshot.fx.usd_to_site', di.fx_usd_to_site)} ${esc(ccy)}/USD (${esc(di.fx_source)}).
      Simulated paths start ${esc(di.start_date)} (${esc(di.start_source)}) in ${esc(view.results_file)}.</p>
      ${rows ? `<table class="data small" id="ages"><tr><th>value</th><th>source</th><th>age</th></tr>${rows}</table>` : '<p class="muted">No data snapshot in the results file (start conditions from the scenario file).</p>'}`;
  }

  async function calculate() {
    clearErrors();
    const mySeq = ++seq;
    setStatus('busy', 'Calculating...');
    let res;
    let body;
    try {
      res = await fetch('/api/site', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(formValues()) });
      body = await res.json();
    } catch (e) {
      if (mySeq === seq) setStatus('error', `The local server did not answer: ${e.message}`);
      return;
    }
    if (mySeq !== seq) return;  // a newer request is on its way
    if (res.status === 503) {
      const wait = Number(res.headers.get('Retry-After')) || 1;
      setStatus('busy', `The server is busy; trying again in ${wait} s...`);
      setTimeout(() => { if (mySeq === seq) calculate(); }, 1000 * wait);
      return;
    }
    if (!res.ok) {
      if (body.field) showFieldError(body.field, body.error);
      setStatus('error', `${body.error || `error ${res.status}`}. The results shown are for the last valid inputs.`);
      document.body.classList.add('stale');
      status.dataset.seq = String(mySeq);
      return;
    }
    // The engine ran in this currency: show the money inputs as it ran them (converted when the
    // currency changed) and keep a link to these inputs.
    shownCurrency = body.summary.inputs.site.currency;
    if (body.data.conversion && isNum(body.data.conversion.power_price_per_kwh)) {
      document.getElementById('power_price_per_kwh').value = body.data.conversion.power_price_per_kwh;
    }
    render(body);
    const link = shareUrl(formValues());
    document.getElementById('share-url').value = link;
    history.replaceState(null, '', link);
    document.body.classList.remove('stale');
    setStatus('ok', `Computed over ${body.scenarios.map((x) => `${x.scenario} (${x.n_paths} paths)`).join(', ')}.`);
    status.dataset.seq = String(mySeq);
  }

  async function init() {
    document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => {
      document.querySelectorAll('#tabs button').forEach((x) => x.classList.toggle('active', x === b));
      document.querySelectorAll('.tab').forEach((x) => x.classList.toggle('active', x.id === b.dataset.tab));
    }));
    meta = await (await fetch('/api/meta')).json();
    HS.registerScenarios(meta.scenarios);
    const cur = document.getElementById('currency');
    meta.currencies.forEach((c) => cur.appendChild(el('option', { value: c }, c)));
    // A shared link's inputs override the defaults (the backend checks them as any input).
    const fromUrl = inputsFromUrl();
    for (const [k, v] of Object.entries({ ...meta.defaults, ...fromUrl })) {
      const input = document.getElementById(k);
      if (!input) continue;
      if (k === 'live') input.checked = !!v;
      else input.value = v;
      const r = meta.ranges[k];
      if (r) {
        input.min = r.min;
        input.max = r.max;
      }
    }
    document.getElementById('subtitle').textContent = `Site '${meta.site_name}' over ${meta.results_file || '(no results file)'}: scenarios ${meta.scenarios.join(', ') || 'none'}.`;
    shownCurrency = document.getElementById('currency').value;
    updateCurrencyOptions();
    document.getElementById('live').addEventListener('change', updateCurrencyOptions);
    document.getElementById('copy-link').addEventListener('click', async () => {
      const box = document.getElementById('share-url');
      box.select();
      try {
        await navigator.clipboard.writeText(box.value);
      } catch (e) {
        document.execCommand('copy');
      }
    });
    document.getElementById('inputs').addEventListener('submit', (e) => { e.preventDefault(); calculate(); });
    fields.forEach((f) => document.getElementById(f).addEventListener('change', calculate));
    // hashsim serve --blocks: the "Block revenue" tab (the same section as the report's).
    if (meta.blocks_file) {
      const tab = document.getElementById('tab-blocks-button');
      tab.hidden = false;
      const res = await fetch('/api/blocks');
      const b = await res.json();
      if (res.ok) HS.blockRevenue(document.getElementById('blocks-body'), b, 'dash');
      else document.getElementById('blocks-body').innerHTML = `<p class="warn">${esc(b.error || `error ${res.status}`)}</p>`;
      if (meta.error) tab.click();  // nothing to calculate: show what there is
    }
    if (meta.error) {
      setStatus('error', meta.error);
      if (meta.blocks_file) document.body.setAttribute('data-ready', '1');
      return;
    }
    await calculate();
    document.body.setAttribute('data-ready', '1');
  }
  init();
})();
