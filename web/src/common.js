// Shared by the report (report.js) and the dashboard (dashboard.js): number formatting, fan
// charts, histograms and the site section. Every number shown comes from the engine's JSON; this
// file only lays it out. Elements showing an engine number carry data-k (the key path into the
// site summary, e.g. "scenarios.base.plays.site.npv_site_ccy.p50") and data-v (the raw value), so
// the browser tests can compare what is on screen with `hashsim site --json`.
'use strict';

const HS = (() => {
  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.maintainAspectRatio = false;

  // 12 distinct colours (Tableau 10 and two darker ones): the 11 catalogue miners each get their
  // own. Beyond 12, lines also change dash (lineDash).
  const palette = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2',
    '#7f7f7f', '#bcbd22', '#393b79', '#ad494a'];
  const colour = (i) => palette[i % palette.length];
  const lineDash = (i) => (i < palette.length ? [] : [[6, 3], [2, 2], [8, 3, 2, 3]][Math.floor(i / palette.length - 1) % 3]);
  // One colour per scenario name everywhere on a page (market, fleet and site charts): the first
  // scenario registered gets the first colour, and so on.
  const scenarioColours = new Map();
  function registerScenarios(names) {
    names.forEach((n) => { if (!scenarioColours.has(n)) scenarioColours.set(n, colour(scenarioColours.size)); });
  }
  function scenarioColour(name) {
    registerScenarios([name]);
    return scenarioColours.get(name);
  }
  // The plays keep their own colours (not a scenario's).
  const playColours = { site: '#1f5fa8', btc: '#e8a33d', hosted: '#6a8f3a' };
  const alpha = (hex, a) => {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
  };

  const isNum = (v) => typeof v === 'number' && Number.isFinite(v);
  function num(v, digits = 0) {
    if (!isNum(v)) return 'n/a';
    return v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function sig(v, s = 3) {
    if (!isNum(v)) return 'n/a';
    if (v !== 0 && (Math.abs(v) >= 1e6 || Math.abs(v) < 1e-3)) return v.toExponential(s - 1);
    return Number(v.toPrecision(s)).toLocaleString('en-GB', { maximumFractionDigits: 6 });
  }
  const compactFmt = new Intl.NumberFormat('en-US', { notation: 'compact', maximumSignificantDigits: 3 });
  // Axis ticks: 1.2M, 350K; a log axis labels only 1, 2 and 5 times powers of ten.
  function compactTick(value) {
    const v = Number(value);
    if (this.type === 'logarithmic') {
      const m = v / 10 ** Math.floor(Math.log10(Math.abs(v)));
      if (![1, 2, 5].some((k) => Math.abs(m - k) < 1e-9)) return '';
    }
    return Math.abs(v) >= 1e4 ? compactFmt.format(v) : Number(v.toPrecision(6)).toString();
  }
  // A number in a few characters for colour bars and notes: -532M, 12.3k, 0.0412.
  const compact = (v) => (isNum(v) ? (Math.abs(v) >= 1e4 ? compactFmt.format(v) : Number(v.toPrecision(3)).toString()) : 'n/a');
  const money = (v, ccy, digits = 0) => (isNum(v) ? `${ccy} ${num(v, digits)}` : 'n/a');
  const pct = (v, digits = 1) => (isNum(v) ? `${(100 * v).toFixed(digits)} %` : 'n/a');
  // The engine's JSON: a number, "never" (not within the horizon) or null (n/a).
  const years = (v) => (isNum(v) ? `${v.toFixed(2)} y` : v === 'never' ? 'never' : 'n/a');

  function esc(s) {
    return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  // An element holding one engine number: data-k is its key path, data-v the raw value.
  function val(text, key, raw, tag = 'span') {
    const v = isNum(raw) ? String(raw) : 'null';
    return `<${tag} data-k="${esc(key)}" data-v="${v}">${esc(text)}</${tag}>`;
  }
  function el(tag, attrs = {}, html = '') {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    e.innerHTML = html;
    return e;
  }
  // A chart box: a fixed-height wrapper (Chart.js sizes to it) with a title, and buttons that
  // save the chart as PNG and its data as CSV.
  function chartBox(parent, title, id, height = 300) {
    const box = el('div', { class: 'chart-box', 'data-chart': id },
      `<div class="chart-head"><h4>${esc(title)}</h4><span class="export"><button type="button" class="png" title="Save this chart as a PNG image">PNG</button><button type="button" class="csv" title="Save the data of this chart as CSV">CSV</button></span></div>`);
    const wrap = el('div', { class: 'chart-wrap', style: `height:${height}px` });
    const canvas = el('canvas', { id });
    wrap.appendChild(canvas);
    box.appendChild(wrap);
    parent.appendChild(box);
    box.querySelector('button.png').addEventListener('click', () => savePng(id));
    box.querySelector('button.csv').addEventListener('click', () => saveCsv(id));
    return canvas;
  }

  // ---- export -----------------------------------------------------------------------------
  const fileName = (id, ext) => `hashsim-${id.replace(/[^A-Za-z0-9_-]+/g, '_')}.${ext}`;
  function download(name, url) {
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
  }
  // The chart on a white background (the canvas itself is transparent).
  function savePng(id) {
    const c = charts.get(id);
    if (!c) return;
    const out = document.createElement('canvas');
    out.width = c.canvas.width;
    out.height = c.canvas.height;
    const g = out.getContext('2d');
    g.fillStyle = '#fff';
    g.fillRect(0, 0, out.width, out.height);
    g.drawImage(c.canvas, 0, 0);
    download(fileName(id, 'png'), out.toDataURL('image/png'));
  }
  const csvCell = (v) => {
    if (v === null || v === undefined || (typeof v === 'number' && !Number.isFinite(v))) return '';
    const t = String(v);
    return /[",\n]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t;
  };
  // The numbers behind a chart, as drawn: one row per x label and one column per dataset (fan
  // bands included); for a heatmap one row per cell. Full precision, not the axis labels.
  function chartCsv(c) {
    const ds = c.data.datasets;
    if (c.config.type === 'matrix') {
      const rows = [['dataset', 'x', 'y', 'value']];
      ds.forEach((d) => d.data.forEach((p) => rows.push([d.label, p.x, p.y, p.v])));
      return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
    }
    const labels = c.data.labels || [];
    const xName = (c.options.scales && c.options.scales.x && c.options.scales.x.title && c.options.scales.x.title.text) || 'x';
    const rows = [[xName, ...ds.map((d) => d.label)]];
    // {x, y} points (a linear x axis, e.g. block heights): every point, not the decimated ones
    // drawn (Chart.js keeps the originals in _data), the datasets sharing the first one's x.
    const points = (d) => d._data || d.data;
    if (!labels.length && ds.length && points(ds[0]).length && typeof points(ds[0])[0] === 'object') {
      points(ds[0]).forEach((p, i) => rows.push([p.x, ...ds.map((d) => (points(d)[i] || {}).y)]));
      return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
    }
    labels.forEach((l, i) => rows.push([l, ...ds.map((d) => d.data[i])]));
    return rows.map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
  }
  function saveCsv(id) {
    const c = charts.get(id);
    if (!c) return;
    download(fileName(id, 'csv'), URL.createObjectURL(new Blob([chartCsv(c)], { type: 'text/csv' })));
  }

  const charts = new Map();
  function makeChart(canvas, config) {
    const old = charts.get(canvas.id);
    if (old) old.destroy();
    const c = new Chart(canvas, config);
    charts.set(canvas.id, c);
    return c;
  }

  // Fan chart: per series the P5-P95 and P25-P75 bands and the median line.
  // series: [{name, colour, bands: {p5, p25, p50, p75, p95}}]; labels: x labels.
  function fanChart(canvas, { labels, series, logY = false, yTitle = '', markers = [], xTitle = '' }) {
    const datasets = [];
    series.forEach((s) => {
      const b = s.bands;
      const c = s.colour;
      const common = { pointRadius: 0, borderWidth: 0, tension: 0, spanGaps: true };
      datasets.push({ ...common, label: `${s.name} P95`, data: b.p95, borderColor: 'transparent', fill: false, hsBand: true });
      datasets.push({ ...common, label: `${s.name} P5`, data: b.p5, borderColor: 'transparent', backgroundColor: alpha(c, 0.12), fill: '-1', hsBand: true });
      datasets.push({ ...common, label: `${s.name} P75`, data: b.p75, borderColor: 'transparent', fill: false, hsBand: true });
      datasets.push({ ...common, label: `${s.name} P25`, data: b.p25, borderColor: 'transparent', backgroundColor: alpha(c, 0.22), fill: '-1', hsBand: true });
      datasets.push({ ...common, label: `${s.name} median`, data: b.p50, borderColor: c, borderWidth: 2, fill: false });
    });
    const annotations = {};
    markers.forEach((m, i) => {
      annotations[`m${i}`] = {
        type: 'line', xMin: m.x, xMax: m.x, borderColor: m.colour || '#555', borderWidth: 1, borderDash: [5, 4],
        label: { display: !!m.label, content: m.label || '', position: m.labelPosition || (i % 2 ? 'end' : 'start'), backgroundColor: 'rgba(60,60,60,0.85)', font: { size: 10 } },
      };
    });
    return makeChart(canvas, {
      type: 'line',
      data: { labels, datasets },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { ticks: { maxTicksLimit: 6, autoSkip: true, maxRotation: 0 }, title: { display: !!xTitle, text: xTitle } },
          y: { type: logY ? 'logarithmic' : 'linear', title: { display: !!yTitle, text: yTitle }, ticks: { callback: compactTick } },
        },
        plugins: {
          legend: { labels: { filter: (item, data) => !data.datasets[item.datasetIndex].hsBand } },
          tooltip: { filter: (item) => !item.dataset.hsBand },
          annotation: { annotations },
        },
      },
    });
  }

  // Bin-centre labels of a histogram in one style: one unit (none, k or M) for the whole axis
  // and enough decimals that neighbouring bins differ ("-1.99M ... -0.95M", not "-1.99e+6" next
  // to "-952,000"; "-9.4 %, -8.7 %", not "-9 %, -9 %").
  function binLabels(lo, w, n, percent) {
    const scale = percent ? 100 : 1;
    const maxAbs = Math.max(Math.abs(lo), Math.abs(lo + n * w)) * scale;
    const [div, unit] = percent ? [1, ' %'] : maxAbs >= 1e6 ? [1e6, 'M'] : maxAbs >= 1e4 ? [1e3, 'k'] : [1, ''];
    const step = (w * scale) / div;
    const digits = step > 0 ? Math.min(6, Math.max(0, Math.ceil(-Math.log10(step)) + 1)) : 0;
    const out = [];
    for (let k = 0; k < n; k++) {
      const v = ((lo + (k + 0.5) * w) * scale) / div;
      out.push(`${v.toLocaleString('en-GB', { minimumFractionDigits: digits, maximumFractionDigits: digits })}${unit}`);
    }
    return out;
  }

  // Histogram from the engine's bins {lo, hi, counts, n_undefined}; null (nothing drawn) when
  // no value is defined.
  function histChart(canvas, hist, { label, colour: c, percent = false, xTitle = '' }) {
    const n = hist.counts ? hist.counts.length : 0;
    if (!n) return null;
    const w = (hist.hi - hist.lo) / n;
    const labels = binLabels(hist.lo, w, n, percent);
    return makeChart(canvas, {
      type: 'bar',
      data: { labels, datasets: [{ label, data: hist.counts, backgroundColor: alpha(c, 0.7), barPercentage: 1.0, categoryPercentage: 1.0 }] },
      options: {
        scales: {
          x: { ticks: { maxTicksLimit: 6, maxRotation: 0 }, title: { display: !!xTitle, text: xTitle } },
          y: { title: { display: true, text: 'paths' }, ticks: { precision: 0 }, beginAtZero: true },
        },
        plugins: { legend: { display: false } },
      },
    });
  }

  function lineChart(canvas, { labels, datasets, yTitle = '', xTitle = '', logY = false, legend = {} }) {
    return makeChart(canvas, {
      type: 'line',
      data: { labels, datasets: datasets.map((d) => ({ pointRadius: 2, borderWidth: 2, fill: false, spanGaps: false, ...d })) },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { title: { display: !!xTitle, text: xTitle } },
          y: { type: logY ? 'logarithmic' : 'linear', title: { display: !!yTitle, text: yTitle } },
        },
        plugins: { legend },
      },
    });
  }

  // ---- the site section -----------------------------------------------------------------

  const playKeys = ['site', 'site_after_tax', 'equity', 'btc', 'hosted', 'bond', 'index'];
  const get = (o, path) => path.split('.').reduce((a, k) => (a == null ? undefined : a[k]), o);

  // "Your site, daily performance" from summary.site.
  function dailyPerformance(summary) {
    const s = summary.site;
    const ccy = summary.inputs.site.currency;
    if (!s) return `<p class="warn" data-k="selection.reason">No miner pays at this power price: ${esc(summary.selection.reason)}</p>`;
    const rows = [
      ['Miner', val(s.miner, 'site.miner', null)],
      ['Miners', val(num(s.n_miners), 'site.n_miners', s.n_miners)],
      ['Hashrate', val(`${num(s.hashrate_ths / 1000, 2)} PH/s`, 'site.hashrate_ths', s.hashrate_ths)],
      ['Power used / unused', `${val(`${num(s.used_power_kw, 1)} kW`, 'site.used_power_kw', s.used_power_kw)} / ${val(`${num(s.unused_power_kw, 1)} kW`, 'site.unused_power_kw', s.unused_power_kw)}`],
      ['Capex', val(money(s.capex_site_ccy, ccy), 'site.capex_site_ccy', s.capex_site_ccy)],
      ['Revenue per day (year 1)', val(money(s.revenue_per_day_site_ccy, ccy, 2), 'site.revenue_per_day_site_ccy', s.revenue_per_day_site_ccy)],
      ['Power cost per day', val(money(s.power_cost_per_day_site_ccy, ccy, 2), 'site.power_cost_per_day_site_ccy', s.power_cost_per_day_site_ccy)],
      ['Other costs per day', val(money(s.other_cost_per_day_site_ccy, ccy, 2), 'site.other_cost_per_day_site_ccy', s.other_cost_per_day_site_ccy)],
      ['Gross profit per day', val(money(s.gross_profit_per_day_site_ccy, ccy, 2), 'site.gross_profit_per_day_site_ccy', s.gross_profit_per_day_site_ccy)],
    ];
    return `<table class="kv" id="daily-table">${rows.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
  }

  // The miners compared at the selection hashprice.
  function selectionTable(summary) {
    const sel = summary.selection;
    const ccy = summary.inputs.site.currency;
    const rows = sel.miners.map((m, i) => `<tr class="${m.name === sel.chosen ? 'chosen' : ''}"><td>${esc(m.name)}${m.name === sel.chosen ? ' ✔' : ''}</td>
      <td>${num(m.hashrate_ths, 0)}</td><td>${num(m.power_w, 0)}</td><td>${money(m.price_site_ccy, ccy)}</td>
      <td>${val(money(m.profit_per_day_site_ccy, ccy, 2), `selection.miners.${i}.profit_per_day_site_ccy`, m.profit_per_day_site_ccy)}</td>
      <td>${val(isNum(m.payback_days) ? num(m.payback_days, 0) : 'never', `selection.miners.${i}.payback_days`, m.payback_days)}</td>
      <td>${val(`${num(m.breakeven_power_price_per_kwh, 4)}`, `selection.miners.${i}.breakeven_power_price_per_kwh`, m.breakeven_power_price_per_kwh)}</td></tr>`);
    return `<p>Chosen: <b>${val(sel.chosen || 'none', 'selection.chosen', null)}</b>: ${esc(sel.reason)}.
      Selection hashprice ${val(sig(sel.hashprice_usd_per_th_day, 4), 'selection.hashprice_usd_per_th_day', sel.hashprice_usd_per_th_day)} USD/TH/day (year-1 mean of scenario '${esc(summary.inputs.site.selection_scenario)}').</p>
      <table class="data"><tr><th>miner</th><th>TH/s</th><th>W</th><th>price</th><th>profit/day</th><th>payback (days)</th><th>breakeven ${ccy}/kWh</th></tr>${rows.join('')}</table>`;
  }

  // Charts of the selection grid: cost per TH/day and payback vs power price; breakeven prices.
  function selectionCharts(parent, view, idp) {
    const sel = view.summary.selection;
    const grid = view.selection_grid;
    const ccy = view.summary.inputs.site.currency;
    const names = sel.miners.map((m) => m.name);
    if (grid && grid.power_prices && grid.power_prices.length) {
      const labels = grid.power_prices.map((p) => p.toFixed(3));
      const nm = names.length;
      const col = (arr, j) => grid.power_prices.map((_, g) => arr[g * nm + j]);
      const chosen = sel.chosen;
      const ds = (arr) => names.map((n, j) => ({ label: n, data: col(arr, j), borderColor: colour(j), borderDash: lineDash(j), borderWidth: n === chosen ? 4 : 1.5, pointRadius: 0 }));
      const rev = sel.miners.length ? sel.miners[0].revenue_per_day_site_ccy / sel.miners[0].hashrate_ths : null;
      const cost = ds(grid.cost_per_th_day);
      if (isNum(rev)) cost.push({ label: 'revenue per TH/day', data: labels.map(() => rev), borderColor: '#000', borderDash: [6, 4], pointRadius: 0, borderWidth: 2 });
      // Many miners: the legend goes below the plot in small type, and the box grows with it, so
      // the plot keeps its height (12 entries on top left a 79 px plot).
      const h = 240 + 18 * Math.ceil((names.length + 1) / 3);
      const legend = { position: 'bottom', labels: { boxWidth: 12, boxHeight: 2, font: { size: 10 } } };
      lineChart(chartBox(parent, `Cost per TH/day vs power price (${ccy})`, `${idp}-cost-grid`, h), { labels, datasets: cost, xTitle: `power price ${ccy}/kWh`, yTitle: `${ccy} per TH/day`, legend });
      lineChart(chartBox(parent, 'Payback (days) vs power price', `${idp}-payback-grid`, h), { labels, datasets: ds(grid.payback_days), xTitle: `power price ${ccy}/kWh`, yTitle: 'days (gap: never)', legend });
    }
    makeChart(chartBox(parent, `Breakeven power price (${ccy}/kWh)`, `${idp}-breakeven`, 260), {
      type: 'bar',
      data: { labels: names, datasets: [{ label: 'breakeven', data: sel.miners.map((m) => m.breakeven_power_price_per_kwh), backgroundColor: names.map((n, j) => alpha(colour(j), n === sel.chosen ? 0.95 : 0.5)) }] },
      options: { indexAxis: 'y', plugins: { legend: { display: false }, annotation: { annotations: { p: { type: 'line', xMin: sel.power_price_per_kwh, xMax: sel.power_price_per_kwh, borderColor: '#000', borderDash: [5, 4], label: { display: true, content: 'your price', position: 'end' } } } } } },
    });
  }

  function metricRow(sc, key, play, ccy) {
    const p = play;
    const k = `scenarios.${sc}.plays.${key}`;
    return `<tr><td>${esc(sc)}</td><td>${esc(key)}</td>
      <td>${val(num(p.npv_site_ccy.mean), `${k}.npv_site_ccy.mean`, p.npv_site_ccy.mean)}</td>
      <td>${val(num(p.npv_site_ccy.p5), `${k}.npv_site_ccy.p5`, p.npv_site_ccy.p5)}</td>
      <td>${val(num(p.npv_site_ccy.p50), `${k}.npv_site_ccy.p50`, p.npv_site_ccy.p50)}</td>
      <td>${val(num(p.npv_site_ccy.p95), `${k}.npv_site_ccy.p95`, p.npv_site_ccy.p95)}</td>
      <td>${val(pct(p.p_npv_negative), `${k}.p_npv_negative`, p.p_npv_negative)}</td>
      <td>${val(pct(p.irr.p50), `${k}.irr.p50`, p.irr.p50)}</td>
      <td>${val(pct(p.share_no_irr), `${k}.share_no_irr`, p.share_no_irr)}</td>
      <td>${val(pct(p.roic.p50), `${k}.roic.p50`, p.roic.p50)}</td>
      <td>${p.payback_years.applicable === false ? 'n/a' : val(years(p.payback_years.p50), `${k}.payback_years.p50`, p.payback_years.p50)}</td>
      <td>${p.discounted_payback_years.applicable === false ? 'n/a' : val(years(p.discounted_payback_years.p50), `${k}.discounted_payback_years.p50`, p.discounted_payback_years.p50)}</td>
      <td>${val(pct(p.p_payback_never), `${k}.p_payback_never`, p.p_payback_never)}</td></tr>`;
  }

  function metricsTable(summary, onlyPlay) {
    const ccy = summary.inputs.site.currency;
    let rows = '';
    for (const [sc, s] of Object.entries(summary.scenarios)) {
      for (const key of playKeys) {
        if (onlyPlay && key !== onlyPlay) continue;
        const p = s.plays[key];
        if (!p) continue;
        if (!p.available) {
          rows += `<tr><td>${esc(sc)}</td><td>${key}</td><td colspan="11" class="muted">not available: ${esc(p.reason)}</td></tr>`;
          continue;
        }
        rows += metricRow(sc, key, p, ccy);
      }
    }
    // Money columns carry the currency in the header, so that all 13 columns fit a laptop screen.
    return `<table class="data metrics"><tr><th>scenario</th><th>play</th><th>NPV mean (${ccy})</th><th>NPV P5 (${ccy})</th><th>NPV P50 (${ccy})</th><th>NPV P95 (${ccy})</th>
      <th>P(NPV&lt;0)</th><th>IRR P50</th><th>no IRR</th><th>ROIC P50</th><th>payback P50</th><th>disc. payback P50</th><th>never pays back</th></tr>${rows}</table>`;
  }

  // Annual cashflows of the site per scenario: median path, and P5 / P50 / P95 over paths.
  function cashflowTable(view, scIndex) {
    const ccy = view.summary.inputs.site.currency;
    const s = view.scenarios[scIndex];
    const play = s.plays.find((p) => p.key === 'site');
    if (!play || !play.available) return `<p class="muted">${esc(s.scenario)}: the site is not built.</p>`;
    const med = view.summary.scenarios[s.scenario].plays.site.median_path_cashflows_site_ccy;
    let rows = '';
    for (let t = 0; t <= s.years; t++) {
      rows += `<tr><td>${t}</td><td>${val(money(med[t], ccy), `scenarios.${s.scenario}.plays.site.median_path_cashflows_site_ccy.${t}`, med[t])}</td>
        <td>${money(play.annual.p5[t], ccy)}</td><td>${money(play.annual.p50[t], ccy)}</td><td>${money(play.annual.p95[t], ccy)}</td>
        <td>${money(play.cumulative.p50[t], ccy)}</td><td>${money(play.discounted.p50[t], ccy)}</td></tr>`;
    }
    return `<table class="data cashflows" data-scenario="${esc(s.scenario)}"><tr><th>year</th><th>median path</th><th>P5</th><th>P50</th><th>P95</th><th>cumulative P50</th><th>discounted cum. P50</th></tr>${rows}</table>`;
  }

  // Cumulative and discounted cumulative cashflow bands, scenarios overlaid.
  function cashflowCharts(parent, view, idp, playKey = 'site') {
    const ccy = view.summary.inputs.site.currency;
    const maxYears = Math.max(...view.scenarios.map((s) => s.years));
    const labels = Array.from({ length: maxYears + 1 }, (_, t) => `year ${t}`);
    for (const [what, title] of [['cumulative', 'Cumulative cashflow'], ['discounted', `Discounted cumulative cashflow (at ${pct(view.discount_rate)})`]]) {
      const series = [];
      view.scenarios.forEach((s, i) => {
        const p = s.plays.find((x) => x.key === playKey);
        if (p && p.available) series.push({ name: s.scenario, colour: scenarioColour(s.scenario), bands: p[what] });
      });
      fanChart(chartBox(parent, `${title}, ${playKey} (${ccy})`, `${idp}-${what}-${playKey}`, 280), { labels, series, yTitle: ccy });
    }
  }

  function distributionCharts(parent, view, idp) {
    const ccy = view.summary.inputs.site.currency;
    view.scenarios.forEach((s, i) => {
      const p = s.plays.find((x) => x.key === 'site');
      if (!p || !p.available) return;
      const c = scenarioColour(s.scenario);
      histChart(chartBox(parent, `NPV distribution, ${s.scenario} (${ccy})`, `${idp}-npv-${i}`, 220), p.npv_hist, { label: 'NPV', colour: c, xTitle: `NPV (${ccy})` });
      const nIrr = (p.irr_hist.counts || []).reduce((a, b) => a + b, 0);
      if (!nIrr) {
        // No path has an IRR (e.g. no path's cashflows change sign): say so instead of an empty chart.
        parent.appendChild(el('div', { class: 'chart-box no-chart', id: `${idp}-irr-${i}-none` },
          `<h4>IRR distribution, ${esc(s.scenario)}</h4><p class="muted">No path has an IRR (${num(p.irr_hist.n_undefined)} of ${num(s.n_paths)} paths: the cashflows never change sign, or no rate solves NPV = 0).</p>`));
        return;
      }
      const title = p.irr_hist.n_undefined ? `IRR distribution, ${s.scenario} (${num(p.irr_hist.n_undefined)} paths without IRR)` : `IRR distribution, ${s.scenario}`;
      histChart(chartBox(parent, title, `${idp}-irr-${i}`, 220), p.irr_hist, { label: 'IRR', colour: c, percent: true, xTitle: 'IRR per year' });
    });
  }

  // Other plays with the same money, side by side: metrics and median cumulative cashflows.
  function otherPlays(parent, view, idp) {
    const ccy = view.summary.inputs.site.currency;
    let html = '<table class="data plays"><tr><th>scenario</th>';
    const labels = {};
    view.scenarios.forEach((s) => s.plays.forEach((p) => { labels[p.key] = p.label; }));
    for (const key of playKeys) html += `<th>${esc(labels[key] || key)}</th>`;
    html += '</tr>';
    for (const [sc, s] of Object.entries(view.summary.scenarios)) {
      html += `<tr><td>${esc(sc)}</td>`;
      for (const key of playKeys) {
        const p = s.plays[key];
        if (!p || !p.available) { html += `<td class="muted">${p ? esc(p.reason) : 'n/a'}</td>`; continue; }
        const k = `scenarios.${sc}.plays.${key}`;
        html += `<td>capital ${val(money(p.capital_site_ccy, ccy), `${k}.capital_site_ccy`, p.capital_site_ccy)}<br>
          NPV P50 ${val(money(p.npv_site_ccy.p50, ccy), `${k}.npv_site_ccy.p50`, p.npv_site_ccy.p50)}<br>
          IRR P50 ${val(pct(p.irr.p50), `${k}.irr.p50`, p.irr.p50)}<br>
          P(NPV&lt;0) ${val(pct(p.p_npv_negative), `${k}.p_npv_negative`, p.p_npv_negative)}</td>`;
      }
      html += '</tr>';
    }
    parent.appendChild(el('div', {}, html + '</table>'));
    const grid = el('div', { class: 'grid2' });
    parent.appendChild(grid);
    view.scenarios.forEach((s, i) => {
      const maxYears = s.years;
      const lbl = Array.from({ length: maxYears + 1 }, (_, t) => `year ${t}`);
      const datasets = [];
      s.plays.forEach((p) => {
        if (p.available) datasets.push({ label: `${p.label} (P50)`, data: p.cumulative.p50, borderColor: playColours[p.key] || '#555' });
      });
      lineChart(chartBox(grid, `Cumulative cashflow P50 by play, ${s.scenario} (${ccy})`, `${idp}-plays-${i}`, 240), { labels: lbl, datasets, yTitle: ccy });
    });
  }

  // What an investor asks next (engine/site): warnings, the operating policy's value, MIRR, risk,
  // breakeven, financing and the tornado, per scenario, straight from the site summary.
  function investorSections(parent, summary, idp) {
    const ccy = summary.inputs.site.currency;
    const warnings = [...(summary.warnings || [])];
    for (const s of Object.values(summary.scenarios)) warnings.push(...(s.warnings || []));
    if (warnings.length) parent.appendChild(el('div', { class: 'warnings' }, `<ul>${warnings.map((w) => `<li><b>WARNING</b>: ${esc(w)}</li>`).join('')}</ul>`));
    const cfg = summary.inputs.site;
    const pol = cfg.operating_policy || {};
    let intro = pol.mode === 'daily'
      ? `Operating policy: curtail day by day when the expected margin (mean hashprice of the last ${pol.trailing_days} days, today's power price) is below ${ccy} ${pol.threshold_per_mwh}/MWh for ${pol.days_before_off} days; restart after ${pol.days_before_on} days, at ${ccy} ${pol.restart_cost_per_miner}/miner.`
      : 'Operating policy: always on.';
    if (summary.debt && summary.debt.amount_site_ccy > 0) intro += ` Debt ${money(summary.debt.amount_site_ccy, ccy)} at ${pct(cfg.financing.interest_rate)} over ${cfg.financing.term_years} years (${esc(cfg.financing.amortisation)}).`;
    if (cfg.tax && cfg.tax.enabled) intro += ` Corporation tax ${pct(cfg.tax.corporation_tax_rate)}, first-year allowance ${pct(cfg.tax.first_year_allowance)}, writing-down ${pct(cfg.tax.writing_down_rate)}.`;
    parent.appendChild(el('p', {}, esc(intro)));
    let rows = '';
    for (const [sc, s] of Object.entries(summary.scenarios)) {
      for (const key of playKeys) {
        const p = s.plays[key];
        if (!p || !p.available) continue;
        const k = `scenarios.${sc}.plays.${key}`;
        rows += `<tr><td>${esc(sc)}</td><td>${esc(p.label || key)}</td>
          <td>${val(money(p.invested_site_ccy.p50, ccy), `${k}.invested_site_ccy.p50`, p.invested_site_ccy.p50)}</td>
          <td>${val(pct(p.mirr.p50), `${k}.mirr.p50`, p.mirr.p50)}</td>
          <td>${val(pct(p.share_multiple_irr), `${k}.share_multiple_irr`, p.share_multiple_irr)}</td>
          <td>${val(money(p.risk.npv_p5_var95, ccy), `${k}.risk.npv_p5_var95`, p.risk.npv_p5_var95)}</td>
          <td>${val(money(p.risk.expected_shortfall_5, ccy), `${k}.risk.expected_shortfall_5`, p.risk.expected_shortfall_5)}</td>
          <td>${val(pct(p.risk.p_loss), `${k}.risk.p_loss`, p.risk.p_loss)}</td></tr>`;
      }
    }
    parent.appendChild(el('h4', {}, 'Returns and risk of every play'));
    parent.appendChild(el('div', { class: 'scroll' }, `<table class="data risk"><tr><th>scenario</th><th>play</th><th>money invested P50</th><th>MIRR P50</th><th>several IRRs</th>
      <th>VaR 95 % (NPV P5)</th><th>expected shortfall 5 %</th><th>P(loss)</th></tr>${rows}</table>`));
    rows = '';
    for (const [sc, s] of Object.entries(summary.scenarios)) {
      (s.policies || []).forEach((pr, j) => {
        const k = `scenarios.${sc}.policies.${j}`;
        rows += `<tr><td>${esc(sc)}</td><td>${esc(pr.mode)}</td><td>${val(money(pr.npv_site_ccy.mean, ccy), `${k}.npv_site_ccy.mean`, pr.npv_site_ccy.mean)}</td>
          <td>${val(money(pr.npv_site_ccy.p50, ccy), `${k}.npv_site_ccy.p50`, pr.npv_site_ccy.p50)}</td>
          <td>${val(pct(pr.p_npv_negative), `${k}.p_npv_negative`, pr.p_npv_negative)}</td>
          <td>${val(pct(pr.mean_days_on_share), `${k}.mean_days_on_share`, pr.mean_days_on_share)}</td></tr>`;
      });
    }
    if (rows) {
      parent.appendChild(el('h4', {}, 'Operating policy: daily curtailment vs always on vs the perfect-foresight bound (site NPV)'));
      parent.appendChild(el('div', { class: 'scroll' }, `<table class="data policies"><tr><th>scenario</th><th>operation</th><th>NPV mean</th><th>NPV P50</th><th>P(NPV&lt;0)</th><th>days run</th></tr>${rows}</table>`));
    }
    rows = '';
    for (const [sc, s] of Object.entries(summary.scenarios)) {
      const b = s.breakeven;
      if (!b) continue;
      const k = `scenarios.${sc}.breakeven`;
      rows += `<tr><td>${esc(sc)}</td><td>${val(sig(b.revenue_factor, 4), `${k}.revenue_factor`, b.revenue_factor)}</td>
        <td>${val(`USD ${num(b.btc_price_usd_day0)}`, `${k}.btc_price_usd_day0`, b.btc_price_usd_day0)}</td>
        <td>${val(sig(b.hashprice_usd_per_th_day, 4), `${k}.hashprice_usd_per_th_day`, b.hashprice_usd_per_th_day)}</td></tr>`;
    }
    if (rows) {
      parent.appendChild(el('h4', {}, 'Breakeven: median NPV = 0 (network held fixed)'));
      parent.appendChild(el('div', { class: 'scroll' }, `<table class="data breakeven"><tr><th>scenario</th><th>revenue x</th><th>BTC price on day 0</th><th>hashprice USD/TH/s/day</th></tr>${rows}</table>`));
    }
    const grid = el('div', { class: 'grid2' });
    parent.appendChild(grid);
    Object.entries(summary.scenarios).forEach(([sc, s], i) => {
      if (!s.tornado || !s.tornado.length) return;
      const labels = s.tornado.map((b) => `${b.driver} (${b.low} / ${b.high})`);
      makeChart(chartBox(grid, `Tornado: median site NPV, ${sc} (${ccy}; centre ${sig(s.npv_p50_base, 3)})`, `${idp}-tornado-${i}`, 240), {
        type: 'bar',
        data: { labels, datasets: [{ label: 'median NPV, low .. high', data: s.tornado.map((b) => [b.npv_p50_low, b.npv_p50_high]), backgroundColor: alpha(scenarioColour(sc), 0.6) }] },
        options: { indexAxis: 'y', plugins: { legend: { display: false } }, scales: { x: { ticks: { callback: compactTick } } } },
      });
    });
  }

  return { compact, compactTick, palette, colour, lineDash, registerScenarios, scenarioColour, playColours, chartCsv, savePng, saveCsv, charts, alpha, isNum, num, sig, money, pct, years, esc, val, el, chartBox, makeChart, fanChart, histChart, lineChart,
    dailyPerformance, selectionTable, selectionCharts, metricsTable, cashflowTable, cashflowCharts, distributionCharts, otherPlays,
    investorSections, get };
})();
