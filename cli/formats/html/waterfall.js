(function () {
'use strict';
var PHASES = ['dns', 'connect', 'tls', 'send', 'wait', 'receive'];
/* A traced server's phases (its record has side "server"), each drawn in
 * the colour of the client's phase it answers. */
var SERVER_PHASES = { accept: 'connect', tls: 'tls', read: 'send',
                      processing: 'wait', write: 'receive' };
var SERVER_LABELS = [['accept', 'accepted, to its first bytes'],
                     ['read', 'request read'],
                     ['processing', 'server\'s own processing'],
                     ['write', 'response written']];
var data = JSON.parse(document.getElementById('ht-data').textContent);
var recs = Array.isArray(data.records) ? data.records : [];
var chart = document.getElementById('chart');
var axis = document.getElementById('axis');
var t0 = Infinity, t1 = -Infinity;
var groups = new Map();
function el(tag, cls, text) {
  var e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
function num(v) { return typeof v === 'number' && isFinite(v) ? v : null; }
function ms(v) { return v.toFixed(3) + ' ms'; }
function short(v) {
  if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
  return v.toFixed(v < 10 ? 2 : 1) + ' ms';
}
function bytes(n) {
  if (n < 1000) return n + ' B';
  if (n < 1e6) return (n / 1e3).toFixed(1) + ' kB';
  return (n / 1e6).toFixed(1) + ' MB';
}
function str(v) { return typeof v === 'string' ? v : ''; }
recs.forEach(function (r, i) {
  r.i = i;
  /* a name lookup that did not resolve: a failed row of its own */
  r.dns = r.k === 'dns';
  r.fail = r.k === 'fail' || r.dns;
  r.server = r.side === 'server';
  r.s = num(r.start) === null ? 0 : r.start * 1000;
  r.ph = Array.isArray(r.ph) ? r.ph.filter(function (p) {
    return Array.isArray(p) && (r.server ?
      Object.prototype.hasOwnProperty.call(SERVER_PHASES, p[0]) :
      PHASES.indexOf(p[0]) >= 0) &&
      num(p[1]) !== null && num(p[2]) !== null;
  }) : [];
  var end = 0;
  r.ph.forEach(function (p) { end = Math.max(end, p[1] + p[2]); });
  if (num(r.total) !== null && r.total > end) end = r.total;
  r.dur = end;
  r.idleMs = num(r.idle) !== null && r.idle > 0 ? r.idle : 0;
  t0 = Math.min(t0, r.s - r.idleMs);
  t1 = Math.max(t1, r.s + end);
  var key = (r.dns ? 'd' : r.fail ? 'f' : r.server ? 's' : 'c') + r.pid +
    ':' + (r.dns ? r.lookup : r.conn);
  var g = groups.get(key);
  if (!g) {
    g = { fail: r.fail, dns: r.dns, lookup: r.lookup, error: str(r.error),
          server: r.server, pid: r.pid, conn: r.conn, host: str(r.host),
          peer: str(r.peer), first: r, rows: [] };
    groups.set(key, g);
  }
  g.rows.push(r);
});
var glist = Array.from(groups.values());
glist.forEach(function (g) {
  /* A loop, not Math.min.apply: a connection may carry more requests
   * than a call takes arguments. */
  g.i = g.rows[0].i;
  g.s = Infinity;
  g.dur = 0;
  g.rows.forEach(function (r) {
    g.s = Math.min(g.s, r.s);
    g.dur = Math.max(g.dur, r.dur);
  });
});
var span = t1 > t0 ? t1 - t0 : 1;
function pct(t) { return ((t - t0) / span * 100) + '%'; }
function place(e, from, len) {
  e.style.left = pct(from);
  e.style.width = (len / span * 100) + '%';
}
function pathOf(url) {
  var m = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^\/]*/.exec(url);
  var p = m ? url.slice(m[0].length) : url;
  return p || url;
}
function details(r) {
  var l = [];
  if (r.dns) {
    l.push('name lookup of ' + str(r.host) + ': ' + str(r.error));
    l.push('pid ' + r.pid + '  lookup ' + r.lookup);
  } else if (r.fail) {
    l.push('connection failed: ' + str(r.host) + ' (' + str(r.peer) + ')');
    l.push('error: ' + str(r.error));
  } else {
    l.push((r.server ? 'served: ' : '') + str(r.method) + ' ' + str(r.url));
    var st = r.status === null ? 'no response' :
      String(r.status) + (r.status_text ? ' ' + r.status_text : '');
    var proto = str(r.proto);
    if (r.tls) proto += ' ' + str(r.tls_version) +
      (r.alpn ? ' alpn ' + r.alpn : '');
    l.push(st + '  ' + proto);
    l.push('pid ' + r.pid + '  conn ' + r.conn + '  request ' + r.req +
      (r.reused ? '  reused' + (r.idleMs ? ', idle ' + ms(r.idleMs) : '')
                : '  new connection'));
  }
  r.ph.forEach(function (p) { l.push(p[0] + ': ' + ms(p[2])); });
  if (num(r.total) !== null) l.push('total: ' + ms(r.total));
  if (!r.fail) {
    l.push((r.server ? 'read ' : 'sent ') + bytes(r.req_bytes) + ' (+' +
      r.req_header_bytes + ' header)' +
      /* null: not known (cut short by its process's end): left out */
      (r.resp_bytes === null ? '' : (r.server ? '  wrote ' : '  received ') +
        bytes(r.resp_bytes) + (r.resp_header_bytes === null ? '' :
          ' (+' + r.resp_header_bytes + ' header)')) +
      (r.content_type ? '  ' + r.content_type : ''));
    if (r.error) l.push('error: ' + r.error);
  }
  return l.join('\n');
}
function row(r) {
  /* a 4xx is the client's fault, not the server's */
  var bad = r.fail || !!r.error ||
    (r.status !== null && r.status >= (r.server ? 500 : 400));
  var e = el('div', 'row ' + (r.fail ? 'failed' : 'req'));
  if (r.server) e.classList.add('server');
  if (r.reused) e.classList.add('reused');
  if (r.error) e.classList.add('error');
  if (bad) e.classList.add('bad');
  var label = el('div', 'label');
  if (r.dns) {
    label.appendChild(el('span', 'method', 'dns'));
    label.appendChild(el('span', 'path', str(r.host)));
    label.appendChild(el('span', 'status', 'lookup ' + str(r.error)));
  } else if (r.fail) {
    label.appendChild(el('span', 'method', 'connect'));
    label.appendChild(el('span', 'path', str(r.peer) || str(r.host)));
    label.appendChild(el('span', 'status', 'failed: ' + str(r.error)));
  } else {
    label.appendChild(el('span', 'method', str(r.method)));
    label.appendChild(el('span', 'path', pathOf(str(r.url))));
    label.appendChild(el('span', 'status', r.status !== null ?
      String(r.status) : str(r.error) || 'no response'));
    if (r.reused) label.appendChild(el('span', 'mark-reused', '\u21bb reused'));
    if (r.server) label.appendChild(el('span', 'mark-server', 'served'));
  }
  var track = el('div', 'track');
  if (r.idleMs) {
    var idle = el('div', 'idle');
    place(idle, r.s - r.idleMs, r.idleMs);
    track.appendChild(idle);
  }
  r.ph.forEach(function (p) {
    var s = el('div', 'seg seg-' + (r.server ? SERVER_PHASES[p[0]] : p[0]));
    s.setAttribute('data-phase', p[0]);
    place(s, r.s + p[1], p[2]);
    track.appendChild(s);
  });
  e.appendChild(label);
  e.appendChild(track);
  e.appendChild(el('div', 'dur', short(num(r.total) !== null ? r.total : r.dur)));
  e.title = details(r);
  return e;
}
function ghead(g) {
  var f = g.first, reused = g.rows.filter(function (r) { return r.reused; }).length;
  if (g.dns)
    return 'pid ' + g.pid + '  lookup ' + g.lookup + '  ' + g.host +
      '  name lookup ' + g.error;
  if (g.fail)
    return 'pid ' + g.pid + '  conn ' + g.conn + '  ' + g.host + ' (' + g.peer +
      ')  connection failed';
  var where = g.peer.indexOf(g.host + ':') === 0 || !g.host ? g.peer :
    g.host + (g.peer ? ' (' + g.peer + ')' : '');
  if (g.server) where = 'served to ' + (g.peer || 'a client') +
    (g.host ? ' as ' + g.host : '');
  var t = 'pid ' + g.pid + '  conn ' + g.conn + '  ' + where + '  ' + str(f.proto);
  if (f.tls) t += '  ' + (str(f.tls_version) || 'TLS');
  t += '  ' + g.rows.length + (g.rows.length === 1 ? ' request' : ' requests');
  if (reused) t += ', ' + reused + ' reused';
  return t;
}
var ORDER = {
  start: function (a, b) { return a.s - b.s || a.i - b.i; },
  duration: function (a, b) { return b.dur - a.dur || a.s - b.s || a.i - b.i; },
  host: function (a, b) {
    var x = str(a.host), y = str(b.host);
    return (x < y ? -1 : x > y ? 1 : 0) || a.s - b.s || a.i - b.i;
  }
};
function drawAxis() {
  axis.textContent = '';
  var raw = span / 8, p = Math.pow(10, Math.floor(Math.log10(raw)));
  var step = [1, 2, 5, 10].map(function (m) { return m * p; })
    .filter(function (s) { return s >= raw; })[0];
  for (var v = 0; v < span; v += step) {
    var t = el('div', 'tick', v === 0 ? '0' : short(v));
    t.style.left = (v / span * 100) + '%';
    axis.appendChild(t);
  }
}
function draw(key) {
  var cmp = ORDER[key] || ORDER.start;
  var within = key === 'duration' ? ORDER.duration : ORDER.start;
  chart.textContent = '';
  glist.slice().sort(cmp).forEach(function (g) {
    var ge = el('div', 'group' + (g.fail ? ' failed-group' : ''));
    ge.setAttribute('data-pid', String(g.pid));
    ge.setAttribute('data-conn', String(g.conn));
    ge.appendChild(el('div', 'ghead', ghead(g)));
    g.rows.slice().sort(within).forEach(function (r) { ge.appendChild(row(r)); });
    chart.appendChild(ge);
  });
  document.querySelectorAll('#controls button').forEach(function (b) {
    b.setAttribute('aria-pressed', String(b.getAttribute('data-sort') === key));
  });
  document.body.setAttribute('data-sort', key);
}
document.querySelectorAll('#controls button').forEach(function (b) {
  b.addEventListener('click', function () { draw(b.getAttribute('data-sort')); });
});
if (recs.some(function (r) { return r.server; })) {
  /* the server's phases, in the legend only when a server's rows are here */
  var legend = document.getElementById('legend');
  legend.appendChild(el('span', 'legend-side', 'served:'));
  SERVER_LABELS.forEach(function (l) {
    var item = el('span');
    item.appendChild(el('span', 'sw sw-' + SERVER_PHASES[l[0]]));
    item.appendChild(document.createTextNode(l[0] + ': ' + l[1]));
    legend.appendChild(item);
  });
}
if (recs.length === 0) {
  chart.appendChild(el('p', 'note', 'No requests were traced.'));
} else {
  drawAxis();
  var m = /[#&]sort=(start|duration|host)/.exec(location.hash);
  draw(m ? m[1] : 'start');
  document.getElementById('origin').textContent = 'Time 0 is ' +
    new Date(t0).toISOString() + '; bars are placed on one axis from each '
    + 'request\'s start.  Hover a row for its details.';
}
document.body.setAttribute('data-rendered', String(recs.length));
})();
