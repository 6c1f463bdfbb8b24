// The report's "Forecast scores" section: draws data.score, the JSON of `hashsim score --json`
// (engine/history/score.h). Kept apart from report.js; does nothing when the report has no scores.
'use strict';

(() => {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  const sc = data.score;
  if (!sc) return;
  const { el, esc, sig, colour, chartBox, fanChart, lineChart } = HS;
  const body = document.getElementById('score-body');
  body.innerHTML = '';

  const varLabel = { network_hashrate_ths: 'Network hashrate (TH/s)', hashprice_usd_per_th_day: 'Hashprice (USD per TH/s per day)' };
  const modeLabel = { replay: 'real price and fees replayed', simulated: 'price and fees simulated (fitted before each origin)' };
  const forecasters = ['agents', 'persistence', 'trend', 'elasticity'];
  const fLabel = { agents: 'agents', persistence: 'persistence', trend: 'trailing 365-d trend', elasticity: 'price elasticity' };
  const horizons = sc.horizons;
  const modes = [...new Set(sc.cells.map((c) => c.mode))];
  const variables = [...new Set(sc.cells.map((c) => c.variable))];
  const cell = (m, v, f, h) => sc.cells.find((c) => c.mode === m && c.variable === v && c.forecaster === f && c.horizon_days === h);

  body.appendChild(el('p', { class: 'note' },
    `Scenario ${esc(sc.scenario)}${sc.early_scenario ? ` (${esc(sc.early_scenario)} before ${esc(sc.early_before)})` : ''}; ` +
    `${sc.origins.length} origins ${esc(sc.origins[0])}..${esc(sc.origins[sc.origins.length - 1])} every ${sc.every_months} month(s), ` +
    `${sc.paths} paths. Errors of log values over days 1..H of every origin, pooled; the baselines are point forecasts ` +
    '(README, "hashsim score").'));

  // Fan charts of the forecast against the realised path, for the chosen origins.
  const fanBox = el('div', { class: 'grid2', id: 'score-fans' });
  body.appendChild(el('h3', {}, 'Forecast vs realised'));
  body.appendChild(fanBox);
  sc.fans.forEach((f, i) => {
    const chart = fanChart(chartBox(fanBox, `${varLabel[f.variable] || f.variable}, from ${f.origin}, ${modeLabel[f.mode] || f.mode}`, `score-fan-${i}`, 300), {
      labels: f.date, series: [{ name: 'agents', colour: colour(0), bands: f }], logY: true, yTitle: varLabel[f.variable] || f.variable,
    });
    const line = (label, values, c, dash) => ({ label, data: values, borderColor: c, borderWidth: 1.5, borderDash: dash, pointRadius: 0, fill: false, tension: 0 });
    chart.data.datasets.push(line('realised', f.actual, '#000000', []));
    chart.data.datasets.push(line('persistence', f.persistence, colour(1), [4, 3]));
    chart.data.datasets.push(line('trend', f.trend, colour(2), [4, 3]));
    chart.data.datasets.push(line('price elasticity', f.elasticity, colour(3), [4, 3]));
    chart.update();
  });
  if (!sc.fans.length) fanBox.appendChild(el('p', { class: 'muted' }, 'No fan origins in this score file (hashsim score --fan-origins).'));

  // Error and coverage against the horizon, beside the baselines.
  body.appendChild(el('h3', {}, 'Error and coverage vs horizon'));
  const grid = el('div', { class: 'grid2', id: 'score-horizons' });
  body.appendChild(grid);
  const labels = horizons.map((h) => `${h} d`);
  let k = 0;
  modes.forEach((m) => variables.forEach((v) => {
    const title = `${varLabel[v] || v}, ${modeLabel[m] || m}`;
    lineChart(chartBox(grid, `Median |log error|: ${title}`, `score-err-${k}`, 260), {
      labels, yTitle: 'median |log error|', xTitle: 'horizon',
      datasets: forecasters.map((f, i) => ({ label: fLabel[f], data: horizons.map((h) => (cell(m, v, f, h) || {}).median_abs_log_error ?? null), borderColor: colour(i), borderDash: i ? [4, 3] : [] })),
    });
    lineChart(chartBox(grid, `CRPS and band coverage: ${title}`, `score-cov-${k}`, 260), {
      labels, yTitle: 'share of days / CRPS', xTitle: 'horizon',
      datasets: [
        { label: 'agents P5-P95 coverage', data: horizons.map((h) => (cell(m, v, 'agents', h) || {}).coverage_p5_p95 ?? null), borderColor: colour(0) },
        { label: 'agents P25-P75 coverage', data: horizons.map((h) => (cell(m, v, 'agents', h) || {}).coverage_p25_p75 ?? null), borderColor: colour(5) },
        { label: 'nominal 0.90', data: horizons.map(() => 0.9), borderColor: '#999999', borderDash: [2, 2], pointRadius: 0 },
        { label: 'nominal 0.50', data: horizons.map(() => 0.5), borderColor: '#cccccc', borderDash: [2, 2], pointRadius: 0 },
        ...forecasters.map((f, i) => ({ label: `CRPS ${fLabel[f]}`, data: horizons.map((h) => (cell(m, v, f, h) || {}).crps ?? null), borderColor: colour(i), borderDash: [6, 2], borderWidth: 1 })),
      ],
    });
    k += 1;
  }));

  // The numbers behind the charts.
  const rows = [];
  modes.forEach((m) => variables.forEach((v) => forecasters.forEach((f) => {
    const cs = horizons.map((h) => cell(m, v, f, h));
    const fmt = (key) => cs.map((c) => (c && c[key] != null ? sig(c[key], 3) : '-')).join(' / ');
    rows.push(`<tr><td>${esc(m)}</td><td>${esc(v)}</td><td>${esc(fLabel[f])}</td><td>${fmt('median_abs_log_error')}</td>` +
      `<td>${fmt('bias_mean_log_error')}</td><td>${fmt('crps')}</td><td>${fmt('coverage_p5_p95')}</td><td>${fmt('coverage_p25_p75')}</td></tr>`);
  })));
  body.appendChild(el('div', { class: 'table-wrap' },
    `<table id="score-table"><thead><tr><th>prices</th><th>variable</th><th>forecaster</th><th>median |log error| (${labels.join(' / ')})</th>` +
    '<th>bias</th><th>CRPS</th><th>P5-P95 coverage</th><th>P25-P75 coverage</th></tr></thead><tbody>' + rows.join('') + '</tbody></table>'));
})();
