// The report page: draws the JSON that `hashsim report` embedded (engine/report/report_data.h).
'use strict';

(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const { el, esc, val, num, sig, pct, scenarioColour, chartBox, fanChart, makeChart } = HS;
  const scenarios = data.scenarios;
  const meta = data.meta;
  // Colours follow the results file's scenario order, in every section (site included).
  HS.registerScenarios(scenarios.map((s) => s.name));

  // A report of a block ledger (or scores) alone has no results file: no simulated sections.
  const hasResults = !!meta.results_file;
  document.getElementById('subtitle').textContent = hasResults
    ? `${meta.results_file}: ${scenarios.length} scenario(s), written ${meta.created_utc} by hashsim ${meta.hashsim_version} (${meta.git_sha}); report ${meta.report_created_utc}`
    : `No results file (no simulated market paths); report ${meta.report_created_utc}`;
  if (!hasResults) {
    ['market', 'archetypes', 'fleets', 'site'].forEach((id) => {
      document.getElementById(id).hidden = true;
      const a = document.querySelector(`#toc a[href="#${id}"]`);
      if (a) a.hidden = true;
    });
  }

  // ---- fan charts, scenarios overlaid -----------------------------------------------------
  const longest = scenarios.reduce((a, s) => (s.date.length > a.date.length ? s : a), scenarios[0] || { date: [] });
  const labels = longest.date.length ? longest.date : (longest.day || []).map((d) => `day ${d}`);
  // One line per scenario and halving, in the scenario's colour; one short label per halving
  // height (the scenarios' dates differ by days to weeks, and 2 x 2 labels collided), staggered
  // in height when several halvings fall inside the horizon.
  const halvingMarks = [];
  const heights = [];
  scenarios.forEach((s) => (s.halvings || []).forEach((h) => {
    if (!heights.includes(h.height)) heights.push(h.height);
    halvingMarks.push({ x: h.day_index, height: h.height, date: h.date, scenario: s.name, colour: scenarioColour(s.name) });
  }));
  heights.forEach((ht, k) => {
    const marks = halvingMarks.filter((m) => m.height === ht);
    const first = marks.reduce((a, m) => (m.x < a.x ? m : a), marks[0]);
    const dates = [...new Set(marks.map((m) => (m.date || '').slice(0, 7)))];
    first.label = `halving ${num(ht)}: ${dates.join(' / ')}`;
    first.labelPosition = ['start', 'center', 'end'][k % 3];
  });
  const fanDefs = [
    ['price_usd', 'BTC price (USD)', true],
    ['network_hashrate_ths', 'Network hashrate (TH/s)', true],
    ['difficulty', 'Difficulty', true],
    ['hashprice_usd_per_th_day', 'Hashprice (USD per TH/s per day)', false],
  ];
  const fans = document.getElementById('fans');
  fanDefs.forEach(([key, title, logY]) => {
    const series = scenarios.map((s) => ({ name: s.name, colour: scenarioColour(s.name), bands: s.series[key] })).filter((s) => s.bands);
    if (!series.length) return;
    fanChart(chartBox(fans, title, `fan-${key}`, 330), { labels, series, logY, yTitle: title, markers: halvingMarks });
  });
  const hv = el('p', { class: 'note', id: 'halving-list' });
  hv.innerHTML = halvingMarks.length
    ? `Halvings in the horizon: ${halvingMarks.map((h) => `<span class="halving" data-scenario="${esc(h.scenario)}" data-height="${h.height}" data-date="${esc(h.date || '')}">${esc(h.scenario)}: height ${num(h.height)} on ${esc(h.date || '?')}</span>`).join('; ')}.`
    : 'No halving falls inside the horizon.';
  document.getElementById('market').appendChild(hv);

  // ---- archetype heatmaps ---------------------------------------------------------------
  const fieldSel = document.getElementById('arch-field');
  const scSel = document.getElementById('arch-scenario');
  const withAgents = scenarios.filter((s) => s.archetypes);
  const fieldLabels = { profit_total_usd: 'total profit (USD)', usd: 'final position: cash (USD)', hashrate_ths: 'final hashrate (TH/s)', machines_on: 'machines on at the end' };
  if (!withAgents.length) {
    document.getElementById('heatmaps').innerHTML = '<p class="muted">No scenario in this file simulates agents (network.model: agents).</p>';
    fieldSel.disabled = scSel.disabled = true;
  } else {
    Object.keys(withAgents[0].archetypes).forEach((f) => fieldSel.appendChild(el('option', { value: f }, esc(fieldLabels[f] || f))));
    withAgents.forEach((s) => scSel.appendChild(el('option', { value: s.name }, esc(s.name))));
    const draw = () => {
      const s = withAgents.find((x) => x.name === scSel.value);
      const cells = s.archetypes[fieldSel.value] || [];
      const box = document.getElementById('heatmaps');
      box.innerHTML = '';
      const strategies = [...new Set(cells.map((c) => c.strategy))];
      const machines = [...new Set(cells.map((c) => c.machine))];
      const tariffs = [...new Set(cells.map((c) => c.tariff_usd_per_kwh))].sort((a, b) => a - b);
      // Tariffs in US cents per kWh, the unit the axis title says.
      const tlabel = (t) => (100 * t).toFixed(1);
      strategies.forEach((st, si) => {
        // Each strategy on its own scale (one shared scale left long_btc, with smaller numbers,
        // looking blank): green positive, red negative, exactly zero neutral grey; the
        // strength of the colour is |v| / max |v| of this strategy.
        const stCells = cells.filter((c) => c.strategy === st);
        const vals = stCells.map((c) => c.mean).filter(HS.isNum);
        const maxAbs = Math.max(0, ...vals.map(Math.abs));
        const fill = (v) => {
          if (!HS.isNum(v)) return '#ddd';
          if (v === 0 || maxAbs === 0) return '#f0f0f0';
          const a = Math.min(1, Math.abs(v) / maxAbs);
          return v < 0 ? `rgba(200,40,40,${0.1 + 0.85 * a})` : `rgba(30,120,60,${0.1 + 0.85 * a})`;
        };
        const pts = stCells.map((c) => ({ x: tlabel(c.tariff_usd_per_kwh), y: c.machine, v: c.mean }));
        const canvas = chartBox(box, `${s.name}: ${st}, ${fieldLabels[fieldSel.value] || fieldSel.value}`, `heat-${si}`, Math.max(220, 26 * machines.length + 80));
        makeChart(canvas, {
          type: 'matrix',
          data: { datasets: [{ label: st, data: pts, backgroundColor: (ctx) => fill(ctx.raw && ctx.raw.v), borderColor: '#fff', borderWidth: 1,
            width: ({ chart }) => (chart.chartArea || {}).width / tariffs.length - 2, height: ({ chart }) => (chart.chartArea || {}).height / machines.length - 2 }] },
          options: {
            plugins: { legend: { display: false }, tooltip: { callbacks: { title: (it) => `${it[0].raw.y} at ${it[0].raw.x}`, label: (it) => sig(it.raw.v, 4) } } },
            scales: {
              x: { type: 'category', labels: tariffs.map(tlabel), offset: true, grid: { display: false }, title: { display: true, text: 'miner tariff (US cents per kWh)' } },
              y: { type: 'category', labels: machines, offset: true, grid: { display: false } },
            },
          },
        });
        // The colour bar of this strategy's scale.
        const lo = Math.min(0, ...vals);
        const hi = Math.max(0, ...vals);
        const bar = lo < 0 && hi > 0 ? 'linear-gradient(to right, rgba(200,40,40,0.95), #f0f0f0 50%, rgba(30,120,60,0.95))'
          : lo < 0 ? 'linear-gradient(to right, rgba(200,40,40,0.95), #f0f0f0)' : 'linear-gradient(to right, #f0f0f0, rgba(30,120,60,0.95))';
        const ends = lo < 0 && hi > 0 ? [-maxAbs, maxAbs] : lo < 0 ? [-maxAbs, 0] : [0, maxAbs];
        canvas.closest('.chart-box').appendChild(el('div', { class: 'colour-bar', id: `heat-${si}-scale`, 'data-min': String(ends[0]), 'data-max': String(ends[1]) },
          `<span>${esc(HS.compact(ends[0]))}</span><span class="bar" style="background:${bar}"></span><span>${esc(HS.compact(ends[1]))}</span><span>${esc(fieldLabels[fieldSel.value] || fieldSel.value)}; grey: exactly 0</span>`));
      });
      // The same numbers as a table, for reading exact values.
      let t = `<details><summary>Table: ${esc(s.name)}, ${esc(fieldLabels[fieldSel.value] || fieldSel.value)}</summary><div class="scroll"><table class="data arch"><tr><th>strategy</th><th>machine</th>${tariffs.map((x) => `<th>${tlabel(x)} c/kWh</th>`).join('')}</tr>`;
      strategies.forEach((st) => machines.forEach((m) => {
        t += `<tr><td>${esc(st)}</td><td>${esc(m)}</td>${tariffs.map((x) => {
          const c = cells.find((q) => q.strategy === st && q.machine === m && q.tariff_usd_per_kwh === x);
          return `<td>${c ? sig(c.mean, 4) : ''}</td>`;
        }).join('')}</tr>`;
      }));
      box.appendChild(el('div', { style: 'grid-column: 1 / -1' }, `${t}</table></div></details>`));
    };
    fieldSel.value = 'profit_total_usd' in withAgents[0].archetypes ? 'profit_total_usd' : fieldSel.value;
    fieldSel.addEventListener('change', draw);
    scSel.addEventListener('change', draw);
    draw();
  }

  // ---- observer fleets ------------------------------------------------------------------
  const fleetBox = document.getElementById('fleet-charts');
  const withFleets = scenarios.filter((s) => s.fleets && s.fleets.length);
  if (!withFleets.length) fleetBox.innerHTML = '<p class="muted">No observer fleets in this file (agents.observers).</p>';
  const nFleets = Math.max(0, ...withFleets.map((s) => s.fleets.length));
  for (let f = 0; f < nFleets; f++) {
    const series = [];
    withFleets.forEach((s) => {
      if (s.fleets[f]) series.push({ name: s.name, colour: scenarioColour(s.name), bands: s.fleets[f] });
    });
    const name = withFleets.find((s) => s.fleets[f]).fleets[f].name;
    fanChart(chartBox(fleetBox, `Value / budget: ${name}`, `fleet-${f}`, 300), { labels, series, yTitle: 'value / budget', markers: halvingMarks });
  }

  // ---- site -----------------------------------------------------------------------------
  if (data.site) {
    const v = data.site;
    const s = v.summary;
    const body = document.getElementById('site-body');
    body.innerHTML = '';
    const ccy = s.inputs.site.currency;
    body.appendChild(el('p', {}, `Site <b>${esc(s.inputs.site.name)}</b>: ${num(s.inputs.site.site_power_kw)} kW at ${ccy} ${s.inputs.site.power_price_per_kwh}/kWh,
      discount rate ${pct(s.inputs.site.discount_rate)}, ${s.inputs.site.horizon_years} years; FX ${sig(s.data_snapshot.fx.usd_to_site, 5)} ${ccy}/USD (${esc(s.data_snapshot.fx.source)}).`));
    body.appendChild(el('h3', {}, 'Your site, daily performance'));
    body.appendChild(el('div', {}, HS.dailyPerformance(s)));
    body.appendChild(el('h3', {}, 'How we chose your miner'));
    body.appendChild(el('div', { class: 'scroll' }, HS.selectionTable(s)));
    const selGrid = el('div', { class: 'grid2' });
    body.appendChild(selGrid);
    HS.selectionCharts(selGrid, v, 'rep');
    body.appendChild(el('h3', {}, 'Annual cashflows of the site'));
    const cf = el('div', {});
    v.scenarios.forEach((sc, i) => cf.appendChild(el('div', { class: 'scroll' }, `<h4>${esc(sc.scenario)}</h4>${HS.cashflowTable(v, i)}`)));
    body.appendChild(cf);
    const cc = el('div', { class: 'grid2' });
    body.appendChild(cc);
    HS.cashflowCharts(cc, v, 'rep');
    body.appendChild(el('h3', {}, 'NPV and IRR distributions (site)'));
    const dist = el('div', { class: 'grid2' });
    body.appendChild(dist);
    HS.distributionCharts(dist, v, 'rep');
    body.appendChild(el('h3', {}, 'Metrics'));
    body.appendChild(el('div', { class: 'scroll' }, HS.metricsTable(s)));
    body.appendChild(el('h3', {}, 'Other plays with the same money'));
    HS.otherPlays(body, v, 'rep');
    body.appendChild(el('h3', {}, 'Policy, financing, risk, breakeven and sensitivity'));
    HS.investorSections(body, s, 'rep');
    body.appendChild(el('details', {}, `<summary>Site file</summary><pre>${esc(s.inputs.site_yaml)}</pre>`));
  }

  // ---- provenance -----------------------------------------------------------------------
  const prov = document.getElementById('prov');
  const snapRows = (snap) => {
    if (!snap || typeof snap !== 'object' || !snap.values) return '<p class="muted">No data snapshot: start conditions from the scenario file.</p>';
    return `<table class="data"><tr><th>value</th><th>number</th><th>source</th><th>provider time</th><th>fetched at</th><th>stale</th></tr>${
      Object.entries(snap.values).map(([k, x]) => `<tr><td>${esc(k)}</td><td>${sig(x.value, 8)}</td><td>${esc(x.source)}</td><td>${esc(x.provider_time || '')}</td><td>${esc(x.fetched_at || '')}</td><td>${x.stale ? 'yes' : 'no'}</td></tr>`).join('')}</table>`;
  };
  let html = hasResults ? `<table class="kv"><tr><th>results file</th><td>${esc(meta.results_file)}</td></tr>
    <tr><th>written</th><td>${esc(meta.created_utc)} by hashsim ${esc(meta.hashsim_version)} (${esc(meta.git_sha)}), schema ${meta.schema_version}</td></tr>
    <tr><th>command</th><td><code>${esc(meta.command_line)}</code></td></tr>
    <tr><th>report</th><td>${esc(meta.report_created_utc)} by hashsim ${esc(meta.report_hashsim_version)} (${esc(meta.report_git_sha)})</td></tr></table>`
    : `<table class="kv"><tr><th>report</th><td>${esc(meta.report_created_utc)} by hashsim ${esc(meta.report_hashsim_version)} (${esc(meta.report_git_sha)})</td></tr></table>`;
  scenarios.forEach((s) => {
    html += `<h3>Scenario ${esc(s.name)}</h3><p>${esc(s.description)}</p>
      <table class="kv"><tr><th>master seed</th><td>${val(String(s.master_seed), `prov.${s.name}.master_seed`, s.master_seed)}</td></tr>
      <tr><th>paths x days</th><td>${num(s.n_paths)} x ${num(s.n_days)} (recorded every ${s.record_every_days} day(s))</td></tr>
      <tr><th>start</th><td>${esc(s.start_date)} (source: ${esc(s.start_source)})</td></tr>
      <tr><th>scenario file</th><td>${esc(s.scenario_file)} (sha256 ${esc(s.scenario_sha256.slice(0, 16))}...)</td></tr></table>
      <details><summary>Data snapshot${s.live_snapshot && s.live_snapshot.created_utc ? ` (${esc(s.live_snapshot.created_utc)})` : ''}</summary>${snapRows(s.live_snapshot)}</details>
      <details><summary>Scenario text</summary><pre>${esc(s.scenario_yaml)}</pre></details>`;
  });
  if (data.site) {
    const ds = data.site.summary.data_snapshot;
    html += `<h3>Site analysis</h3><p>${esc(data.site.summary.tool)} ${esc(data.site.summary.hashsim_version)} (${esc(data.site.summary.git_sha)}), ${esc(data.site.summary.created_utc)}; results ${esc(data.site.summary.inputs.results_file)}</p>
      <details><summary>Site data snapshot</summary>${snapRows(ds.live_snapshot)}</details>`;
  }
  prov.innerHTML = html;
  document.body.setAttribute('data-ready', '1');
})();
