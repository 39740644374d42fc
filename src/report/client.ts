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
    // stepX/stepY: the space of one node; left: room for row labels. With few nodes every cell is
    // named under it ('cell'); with many, each row by its first node ('row').
    var geo = { cell: 12, gap: 2, cols: 1, stepX: 14, stepY: 14, left: 0, labels: 'row' };
    var CELL_LABEL = 18, ROW_LABEL = 120;
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
      geo.labels = n <= 64 ? 'cell' : 'row';
      canvas.setAttribute('data-labels', geo.labels); // which labelling the grid uses (the browser test reads it)
      geo.left = geo.labels === 'row' ? ROW_LABEL : 0;
      geo.stepX = geo.labels === 'cell' ? 96 : geo.cell + geo.gap;
      geo.stepY = geo.cell + geo.gap + (geo.labels === 'cell' ? CELL_LABEL : 0);
      var width = Math.max(200, canvas.parentElement.clientWidth) - geo.left;
      geo.cols = Math.max(1, Math.floor((width + geo.gap) / geo.stepX));
      var rows = Math.max(1, Math.ceil(n / geo.cols));
      var dpr = window.devicePixelRatio || 1;
      var w = geo.left + geo.cols * geo.stepX, h = rows * geo.stepY;
      canvas.style.width = w + 'px';
      canvas.style.height = h + 'px';
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    }

    /** The text cut with an ellipsis to fit maxWidth pixels in the current font. */
    function fit(text, maxWidth) {
      if (ctx.measureText(text).width <= maxWidth) return text;
      var lo = 0, hi = text.length;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (ctx.measureText(text.slice(0, mid) + '…').width <= maxWidth) lo = mid; else hi = mid - 1;
      }
      return text.slice(0, lo) + '…';
    }

    /** Top-left corner of the k-th node's square. */
    function cellAt(k) {
      var x = geo.left + (k % geo.cols) * geo.stepX, y = Math.floor(k / geo.cols) * geo.stepY;
      return { x: geo.labels === 'cell' ? x + (geo.stepX - geo.cell) / 2 : x, y: y };
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
      ctx.fillStyle = '#4b5563';
      ctx.textBaseline = 'alphabetic';
      ctx.font = (geo.labels === 'cell' ? 11 : Math.min(11, geo.cell)) + 'px system-ui, sans-serif';
      for (var k = 0; k < order.length; k++) {
        var n = nodes[order[k]];
        var c = cellAt(k), x = c.x, y = c.y;
        ctx.fillStyle = '#4b5563';
        if (geo.labels === 'cell') {
          ctx.textAlign = 'center';
          ctx.fillText(fit(n.name, geo.stepX - 6), x + geo.cell / 2, y + geo.cell + 13);
        } else if (k % geo.cols === 0) {
          ctx.textAlign = 'right';
          ctx.fillText(fit(n.name, geo.left - 10), geo.left - 8, y + geo.cell / 2 + 4);
        }
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
      var col = Math.floor((ev.clientX - r.left - geo.left) / geo.stepX), row = Math.floor((ev.clientY - r.top) / geo.stepY);
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
      var before = n.before || [];
      detail.innerHTML = '<h2>' + esc(n.name) + '</h2><p class="muted">' + esc(summaryLine(n)) + (n.fragmented ? ' · <span class="tag">fragmented</span>' : '') + '</p>' +
        (n.states.length ? '<h3>Devices</h3><div class="chips' + (n.states.length > 32 ? ' small' : '') + '">' + chips + '</div>' : '') +
        (n.counters ? '<h3>Counters</h3>' + n.counters.map(bar).join('') : '') +
        (n.capacity ? '<h3>Shared capacity</h3>' + n.capacity.map(bar).join('') : '') +
        '<h3>Pods placed here (' + pods.length + ')</h3>' +
        (pods.length ? '<ul class="pods">' + pods.slice(0, 40).map(function (p) { return '<li>' + esc(p) + '</li>'; }).join('') +
          (pods.length > 40 ? '<li class="muted">… ' + (pods.length - 40) + ' more</li>' : '') + '</ul>' : '<p class="muted">none in this run</p>') +
        (before.length ? '<h3>Allocated before this run (' + before.length + ' claim' + (before.length === 1 ? '' : 's') + ')</h3><ul class="pods">' +
          before.map(function (b) { return '<li>' + esc(b) + '</li>'; }).join('') + '</ul>' : '');
      draw();
    }

    canvas.addEventListener('mousemove', function (ev) {
      var i = at(ev);
      if (i < 0) { tip.style.display = 'none'; return; }
      var n = nodes[i];
      tip.innerHTML = '<b>' + esc(n.name) + '</b><br>' + esc(summaryLine(n)) + '<br>' + (n.pods ? n.pods.length : 0) + ' Pods placed' + (n.before ? ', ' + n.before.length + ' claims from before the run' : '') + (n.fragmented ? '<br><span class="tag">fragmented</span>' : '');
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
