/**
 * The report page's script (plain browser JavaScript, embedded inline): draws the node grid on a
 * canvas from the embedded ReportModel (`<script id="report-data">`), shows a tooltip on hover
 * and a node's devices, counters, capacities and Pods on click. Scales to tens of thousands of
 * nodes: one canvas, one draw pass, hit-testing by arithmetic. When it has run without an error
 * it sets `data-ok="true"` on <html> (the headless-browser test checks it); an error sets
 * `data-error` instead.
 */
export const CLIENT_SCRIPT = String.raw`
(function () {
  var root = document.documentElement;
  window.addEventListener('error', function (e) { root.setAttribute('data-error', String(e.message)); });
  try {
    var D = JSON.parse(document.getElementById('report-data').textContent);
    var COLORS = { '.': '#dfe6ee', '#': '#3567d6', 's': '#f0962e', 'b': '#98a1b0' };
    var STATE_NAMES = { '.': 'free', '#': 'allocated', 's': 'shared', 'b': 'blocked (counters used up)' };
    var canvas = document.getElementById('grid');
    var ctx = canvas.getContext('2d');
    var tip = document.getElementById('tip');
    var detail = document.getElementById('detail');
    var orderSel = document.getElementById('order');
    var fragBox = document.getElementById('only-frag');
    var nodes = D.nodes;
    var order = nodes.map(function (_, i) { return i; });
    var geo = { cell: 12, gap: 2, cols: 1 };
    var selected = -1;

    function heat(u) {
      // light slate → blue → deep indigo
      var stops = [[223, 230, 238], [143, 181, 240], [53, 103, 214], [28, 45, 120]];
      var x = Math.max(0, Math.min(1, u)) * (stops.length - 1);
      var i = Math.min(stops.length - 2, Math.floor(x));
      var t = x - i;
      var c = stops[i].map(function (a, k) { return Math.round(a + (stops[i + 1][k] - a) * t); });
      return 'rgb(' + c.join(',') + ')';
    }
    function pct(u) { return Math.round(u * 100) + '%'; }
    function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return '&#' + c.charCodeAt(0) + ';'; }); }

    function sortOrder() {
      var by = orderSel.value;
      order = nodes.map(function (_, i) { return i; });
      if (by === 'use') order.sort(function (a, b) { return nodes[b].use - nodes[a].use || a - b; });
      if (by === 'frag') order.sort(function (a, b) { return (nodes[b].fragmented - nodes[a].fragmented) || (nodes[b].use - nodes[a].use) || a - b; });
    }

    function layout() {
      var n = nodes.length;
      geo.cell = n <= 64 ? 44 : n <= 400 ? 26 : n <= 1600 ? 16 : 12;
      geo.gap = geo.cell >= 16 ? 3 : 2;
      var width = Math.max(200, canvas.parentElement.clientWidth);
      geo.cols = Math.max(1, Math.floor((width + geo.gap) / (geo.cell + geo.gap)));
      var rows = Math.max(1, Math.ceil(n / geo.cols));
      var dpr = window.devicePixelRatio || 1;
      canvas.style.width = geo.cols * (geo.cell + geo.gap) + 'px';
      canvas.style.height = rows * (geo.cell + geo.gap) + 'px';
      canvas.width = Math.round(geo.cols * (geo.cell + geo.gap) * dpr);
      canvas.height = Math.round(rows * (geo.cell + geo.gap) * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }

    /** Device micro-grid columns for d devices, or 0 when the devices would be too small to see. */
    function microCols(d) {
      if (d === 0 || d > 16) return 0;
      var cols = d <= 2 ? d : d <= 4 ? 2 : 4;
      return geo.cell / cols >= 3 ? cols : 0;
    }

    function drawNode(n, x, y, dim) {
      var c = geo.cell;
      ctx.globalAlpha = dim ? 0.18 : 1;
      var d = n.states.length;
      var cols = microCols(d);
      if (!cols) {
        ctx.fillStyle = d ? heat(n.use) : '#f3f4f6';
        ctx.fillRect(x, y, c, c);
      } else {
        var rows = Math.ceil(d / cols);
        var inner = c >= 20 ? 1.5 : 1;
        var w = c / cols, h = c / rows;
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(x, y, c, c);
        for (var i = 0; i < d; i++) {
          ctx.fillStyle = COLORS[n.states[i]] || '#000';
          ctx.fillRect(x + (i % cols) * w + inner / 2, y + Math.floor(i / cols) * h + inner / 2, w - inner, h - inner);
        }
      }
      ctx.globalAlpha = 1;
    }

    function draw() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      var onlyFrag = fragBox.checked;
      var step = geo.cell + geo.gap;
      for (var k = 0; k < order.length; k++) {
        var n = nodes[order[k]];
        var x = (k % geo.cols) * step, y = Math.floor(k / geo.cols) * step;
        drawNode(n, x, y, onlyFrag && !n.fragmented);
        if (order[k] === selected) {
          ctx.strokeStyle = '#111827';
          ctx.lineWidth = 2;
          ctx.strokeRect(x - 1, y - 1, geo.cell + 2, geo.cell + 2);
        }
      }
    }

    function at(ev) {
      var r = canvas.getBoundingClientRect();
      var step = geo.cell + geo.gap;
      var col = Math.floor((ev.clientX - r.left) / step), row = Math.floor((ev.clientY - r.top) / step);
      var k = row * geo.cols + col;
      return col >= 0 && col < geo.cols && k >= 0 && k < order.length ? order[k] : -1;
    }

    function summaryLine(n) {
      if (!n.states.length) return 'no node-local devices';
      var counts = {};
      n.states.split('').forEach(function (s) { counts[s] = (counts[s] || 0) + 1; });
      var parts = ['#', 's', 'b', '.'].filter(function (s) { return counts[s]; }).map(function (s) { return counts[s] + ' ' + STATE_NAMES[s].split(' ')[0]; });
      return parts.join(', ') + ' · ' + pct(n.use) + ' used';
    }

    function bar(f) {
      return '<div class="bar"><div class="bar-label"><span>' + esc(f.label) + '</span><span>' + esc(f.text) + ' · ' + pct(f.used) +
        '</span></div><div class="track"><div class="fill" style="width:' + (f.used * 100).toFixed(1) + '%"></div></div></div>';
    }

    function showDetail(i) {
      selected = i;
      var n = nodes[i];
      var names = D.nameLists[n.names];
      var shares = {};
      (n.shares || []).forEach(function (s) { shares[s[0]] = s[1]; });
      var chips = n.states.split('').map(function (s, j) {
        var label = shares[j] ? names[j] + ' ×' + shares[j] : names[j];
        return '<span class="chip" style="background:' + COLORS[s] + '" title="' + esc(names[j] + ': ' + STATE_NAMES[s] + (shares[j] ? ', ' + shares[j] + ' shares' : '')) + '">' +
          (n.states.length <= 32 ? esc(label) : '') + '</span>';
      }).join('');
      var pods = n.pods || [];
      detail.innerHTML = '<h2>' + esc(n.name) + '</h2><p class="muted">' + esc(summaryLine(n)) + (n.fragmented ? ' · <span class="tag">fragmented</span>' : '') + '</p>' +
        (n.states.length ? '<h3>Devices</h3><div class="chips' + (n.states.length > 32 ? ' small' : '') + '">' + chips + '</div>' : '') +
        (n.counters ? '<h3>Counters</h3>' + n.counters.map(bar).join('') : '') +
        (n.capacity ? '<h3>Shared capacity</h3>' + n.capacity.map(bar).join('') : '') +
        '<h3>Pods placed here (' + pods.length + ')</h3>' +
        (pods.length ? '<ul class="pods">' + pods.slice(0, 40).map(function (p) { return '<li>' + esc(p) + '</li>'; }).join('') +
          (pods.length > 40 ? '<li class="muted">… ' + (pods.length - 40) + ' more</li>' : '') + '</ul>' : '<p class="muted">none in this run</p>');
      draw();
    }

    canvas.addEventListener('mousemove', function (ev) {
      var i = at(ev);
      if (i < 0) { tip.style.display = 'none'; return; }
      var n = nodes[i];
      tip.innerHTML = '<b>' + esc(n.name) + '</b><br>' + esc(summaryLine(n)) + '<br>' + (n.pods ? n.pods.length : 0) + ' Pods placed' + (n.fragmented ? '<br><span class="tag">fragmented</span>' : '');
      tip.style.display = 'block';
      tip.style.left = ev.pageX + 14 + 'px';
      tip.style.top = ev.pageY + 14 + 'px';
    });
    canvas.addEventListener('mouseleave', function () { tip.style.display = 'none'; });
    canvas.addEventListener('click', function (ev) { var i = at(ev); if (i >= 0) showDetail(i); });
    orderSel.addEventListener('change', function () { sortOrder(); draw(); });
    fragBox.addEventListener('change', draw);
    window.addEventListener('resize', function () { layout(); draw(); });

    sortOrder();
    layout();
    draw();
    // Start with the most telling node: the first fragmented one, else the most used.
    var first = -1;
    for (var i = 0; i < nodes.length && first < 0; i++) if (nodes[i].fragmented) first = i;
    if (first < 0 && nodes.length) first = nodes.reduce(function (b, n, i) { return n.use > nodes[b].use ? i : b; }, 0);
    if (first >= 0) showDetail(first);
    if (!root.hasAttribute('data-error')) root.setAttribute('data-ok', 'true');
  } catch (e) {
    root.setAttribute('data-error', String(e && e.stack || e));
  }
})();
`;
