// The "Block revenue" section, in the report and in the dashboard's "Block revenue" tab: draws
// the view of a `hashsim blocks revenue --h5` file (engine/report/blocks_view.h): what each fleet
// would have earned on every block of the ledger, and the same summed per UTC day (thousands of
// per-block points are hard to read; the daily sums are those of `hashsim blocks revenue --by day`).
// Every number is the engine's; elements showing one carry data-k (its key path into the view,
// prefixed "blocks.") and data-v (the raw value), as in the site section.
'use strict';

HS.blockRevenue = (() => {
  const { el, esc, val, num, sig, colour, chartBox, makeChart, lineChart, compactTick } = HS;
  const usd = (v, digits = 2) => (HS.isNum(v) ? `USD ${num(v, digits)}` : 'n/a');
  const series = [
    ['revenue_usd', 'revenue', []],
    ['power_cost_usd', 'power cost', [2, 3]],
    ['profit_usd', 'profit', [7, 3]],
  ];

  // body: the element to fill; b: the view JSON; idp: chart id prefix ("rep" or "dash").
  function draw(body, b, idp) {
    body.innerHTML = '';
    const machines = b.machines;
    body.appendChild(el('p', { id: `${idp}-blocks-intro` },
      `Blocks ${val(num(b.first_height), 'blocks.first_height', b.first_height)}..${val(num(b.last_height), 'blocks.last_height', b.last_height)} ` +
      `(${val(num(b.n_blocks), 'blocks.n_blocks', b.n_blocks)} blocks, ${esc(b.first_time_utc)} to ${esc(b.last_time_utc)}), ` +
      `tariff ${val(sig(b.tariff_usd_per_kwh, 4), 'blocks.tariff_usd_per_kwh', b.tariff_usd_per_kwh)} USD/kWh, ` +
      `pool fee ${val(HS.pct(b.pool_fee, 2), 'blocks.pool_fee', b.pool_fee)}; file ${esc(b.file)}.`));
    body.appendChild(el('p', { class: 'note' },
      'Expected (not lucky) revenue: the fleet\'s share of the network hashrate times the block\'s subsidy and fees, '
      + 'at the daily close nearest the block; power cost is the fleet running non-stop over the time since the latest '
      + `header time seen (README, "hashsim blocks revenue"). ${num(b.clamped_intervals)} interval(s) clamped to 0 (header time `
      + `behind an earlier block's), ${num(b.unknown_intervals)} unknown (no previous block stored). The first and last days `
      + 'hold only the blocks of the ledger\'s range, often part of a day.'));

    // Totals per machine.
    let t = '<table class="data" id="blocks-totals"><tr><th>machine</th><th>fleet</th><th>revenue (BTC)</th><th>revenue</th><th>power cost</th><th>profit</th></tr>';
    machines.forEach((m, i) => {
      const k = `blocks.machines.${i}.total`;
      t += `<tr><td>${esc(m.name)}</td><td>${val(num(m.count), `blocks.machines.${i}.count`, m.count)} x ${sig(m.hashrate_ths, 4)} TH/s, ${num(m.power_w)} W</td>`
        + `<td>${val(sig(m.total.revenue_btc, 6), `${k}.revenue_btc`, m.total.revenue_btc)}</td>`
        + `<td>${val(usd(m.total.revenue_usd), `${k}.revenue_usd`, m.total.revenue_usd)}</td>`
        + `<td>${val(usd(m.total.power_cost_usd), `${k}.power_cost_usd`, m.total.power_cost_usd)}</td>`
        + `<td>${val(usd(m.total.profit_usd), `${k}.profit_usd`, m.total.profit_usd)}</td></tr>`;
    });
    body.appendChild(el('div', { class: 'scroll' }, `${t}</table>`));

    const grid = el('div', { class: 'grid2' });
    body.appendChild(grid);
    // Per block: x is the height (linear, so the chart can thin thousands of points to what the
    // canvas shows with the min-max decimation, which keeps every peak and trough).
    const heights = b.block.height;
    const perBlock = [];
    machines.forEach((m, i) => series.filter(([key]) => key !== 'power_cost_usd').forEach(([key, label, dash]) => {
      const ys = b.block[m.slug][key];
      perBlock.push({ label: `${m.name} ${label}`, data: heights.map((h, j) => ({ x: h, y: ys[j] })), borderColor: colour(i),
        borderDash: dash, borderWidth: 1, pointRadius: 0, fill: false, tension: 0, indexAxis: 'x' });
    }));
    makeChart(chartBox(grid, 'Per block: revenue and profit (USD)', `${idp}-blocks-per-block`, 320), {
      type: 'line',
      data: { datasets: perBlock },
      options: {
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: b.first_height, max: b.last_height, title: { display: true, text: 'block height' }, ticks: { maxTicksLimit: 6, callback: (v) => String(v) } },
          y: { title: { display: true, text: 'USD per block' }, ticks: { callback: compactTick } },
        },
        plugins: { decimation: { enabled: heights.length > 1000, algorithm: 'min-max' } },
      },
    });
    // Per UTC day: the sums.
    const days = b.day.day;
    const perDay = [];
    machines.forEach((m, i) => series.forEach(([key, label, dash]) => {
      perDay.push({ label: `${m.name} ${label}`, data: b.day[m.slug][key], borderColor: colour(i), borderDash: dash });
    }));
    lineChart(chartBox(grid, 'Per UTC day: revenue, power cost and profit (USD)', `${idp}-blocks-per-day`, 320), {
      labels: days, datasets: perDay, yTitle: 'USD per day', xTitle: 'day (UTC)',
    });

    // The daily numbers, for reading exact values.
    let d = `<details><summary>Table: per UTC day (${days.length} days)</summary><div class="scroll"><table class="data" id="blocks-days"><tr><th>day</th><th>blocks</th>`;
    machines.forEach((m) => { d += `<th>${esc(m.name)} revenue</th><th>power cost</th><th>profit</th>`; });
    d += '</tr>';
    days.forEach((day, j) => {
      d += `<tr><td>${esc(day)}</td><td>${num(b.day.blocks[j])}</td>`;
      machines.forEach((m) => series.forEach(([key]) => {
        d += `<td>${val(usd(b.day[m.slug][key][j]), `blocks.day.${m.slug}.${key}.${j}`, b.day[m.slug][key][j])}</td>`;
      }));
      d += '</tr>';
    });
    body.appendChild(el('div', {}, `${d}</table></div></details>`));
    const p = b.provenance;
    body.appendChild(el('details', {}, `<summary>Block revenue file</summary><table class="kv">
      <tr><th>file</th><td>${esc(b.file)}</td></tr><tr><th>written</th><td>${esc(p.created_utc)} by hashsim ${esc(p.hashsim_version)} (${esc(p.git_sha)})</td></tr>
      <tr><th>command</th><td><code>${esc(p.command_line)}</code></td></tr><tr><th>ledger</th><td>${esc(p.ledger_file)}</td></tr>
      <tr><th>prices</th><td>${esc(p.price_file)}</td></tr></table>`));
  }
  return draw;
})();

// The report: draw the embedded view, if the report has one (the dashboard calls HS.blockRevenue).
(() => {
  const dataEl = document.getElementById('report-data');
  if (!dataEl) return;
  const data = JSON.parse(dataEl.textContent);
  if (!data.blocks) return;
  HS.blockRevenue(document.getElementById('blocks-body'), data.blocks, 'rep');
})();
