/**
 * The script report.html runs in the browser: it reads the embedded data and draws the charts
 * with the inlined uPlot. Plain ES2017 in a string, so it needs no bundling and no network.
 * Fault windows are shaded behind every chart (a drawClear hook runs before axes and series);
 * each phase's start is a dashed vertical line named at the top (a draw hook, over the series).
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
  // a dashed pen of one colour for lines and their labels; the caller restores the context
  function pen(u, colour, dash, baseline) {
    var ctx = u.ctx;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = baseline;
    return ctx;
  }
  var PHASE = '#0550ae';
  function phaseLines(u) {
    var ctx = pen(u, PHASE, [6, 4], 'top');
    s.phases.forEach(function (p, i) {
      var x = Math.round(u.valToPos(p.start, 'x', true));
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
      // names of phases that start close together alternate between two rows
      ctx.fillText(p.name, x + 4, u.bbox.top + 2 + (i % 2) * 14);
    });
    ctx.restore();
  }
  var LIMIT = '#c000c0';
  function limitLines(limits) {
    return function (u) {
      var ctx = pen(u, LIMIT, [8, 4], 'bottom');
      limits.forEach(function (l) {
        var y = u.valToPos(l.value, 'y', true);
        ctx.beginPath();
        ctx.moveTo(u.bbox.left, y);
        ctx.lineTo(u.bbox.left + u.bbox.width, y);
        ctx.stroke();
        ctx.fillText('budget ' + l.label, u.bbox.left + 6, y - 4);
      });
      ctx.restore();
    };
  }
  function chart(title, yLabel, series, columns, opts) {
    var box = document.createElement('div');
    box.className = 'chart';
    document.getElementById('charts').appendChild(box);
    var width = Math.max(480, Math.min(1100, box.clientWidth || 900));
    var limits = (opts && opts.limits) || [];
    var top = limits.reduce(function (m, l) { return Math.max(m, l.value * 1.1); }, 0);
    var config = {
      title: title,
      width: width,
      height: 240,
      // a budget line must stay in view even when the data stays well under it
      scales: { x: { time: false }, y: limits.length ? { range: function (u, min, max) { return [0, Math.max(max, top)]; } } : {} },
      axes: [{ label: 'seconds since start' }, { label: yLabel, size: 60 }],
      series: [{ label: 't' }].concat(series.map(function (name, i) {
        return { label: name, stroke: palette[i % palette.length], width: 1.5, spanGaps: false, paths: opts && opts.step ? uPlot.paths.stepped({ align: 1 }) : undefined };
      })),
      plugins: [{ hooks: { drawClear: shade, draw: [limitLines(limits), phaseLines] } }],
    };
    new uPlot(config, [s.t].concat(columns), box);
    drawn++;
  }
  try {
    chart('Requests per second', 'req/s', ['all', 'failed'], [s.rps, s.failedRps]);
    chart('Error rate', '%', ['errors %'], [s.errorRate]);
    s.latency.forEach(function (l) {
      chart('Latency: ' + l.route, 'ms', ['p50', 'p95', 'p99'], [l.p50, l.p95, l.p99], { limits: l.limits });
    });
    if (s.replicas.length) {
      chart('Replicas per service', 'replicas', s.replicas.map(function (r) { return r.service; }), s.replicas.map(function (r) { return r.values; }), { step: true });
    }
  } finally {
    document.body.setAttribute('data-charts', String(drawn));
  }
})();
`;
