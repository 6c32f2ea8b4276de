/**
 * The script report.html runs in the browser: it reads the embedded data and draws the charts
 * with the inlined uPlot. Plain ES2017 in a string, so it needs no bundling and no network.
 * Fault windows are shaded behind every chart (a drawClear hook runs before axes and series).
 */
export const HTML_CLIENT_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('peakready-data').textContent);
  var s = data.series;
  var palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];
  var drawn = 0;
  function shade(u) {
    var ctx = u.ctx;
    ctx.save();
    ctx.fillStyle = 'rgba(214, 39, 40, 0.14)';
    s.faults.forEach(function (f) {
      var x0 = u.valToPos(f.start, 'x', true), x1 = u.valToPos(f.end, 'x', true);
      ctx.fillRect(x0, u.bbox.top, Math.max(1, x1 - x0), u.bbox.height);
    });
    ctx.restore();
  }
  function chart(title, yLabel, series, columns, opts) {
    var box = document.createElement('div');
    box.className = 'chart';
    document.getElementById('charts').appendChild(box);
    var width = Math.max(480, Math.min(1100, box.clientWidth || 900));
    var config = {
      title: title,
      width: width,
      height: 240,
      scales: { x: { time: false } },
      axes: [{ label: 'seconds since start' }, { label: yLabel, size: 60 }],
      series: [{ label: 't' }].concat(series.map(function (name, i) {
        return { label: name, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, paths: opts && opts.step ? uPlot.paths.stepped({ align: 1 }) : undefined };
      })),
      plugins: [{ hooks: { drawClear: shade } }],
    };
    new uPlot(config, [s.t].concat(columns), box);
    drawn++;
  }
  try {
    chart('Requests per second', 'req/s', ['all', 'failed'], [s.rps, s.failedRps]);
    chart('Error rate', '%', ['errors %'], [s.errorRate]);
    s.latency.forEach(function (l) {
      chart('Latency: ' + l.route, 'ms', ['p50', 'p95', 'p99'], [l.p50, l.p95, l.p99]);
    });
    if (s.replicas.length) {
      chart('Replicas per service', 'replicas', s.replicas.map(function (r) { return r.service; }), s.replicas.map(function (r) { return r.values; }), { step: true });
    }
  } finally {
    document.body.setAttribute('data-charts', String(drawn));
  }
})();
`;
