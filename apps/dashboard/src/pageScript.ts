/**
 * The page's script, served inline (no build step). Plain browser JavaScript kept free of
 * backticks and `${` so it can live in this string. Every value from the server is written
 * with textContent, never as HTML.
 */
export const PAGE_SCRIPT = `
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token');
  var authHeaders = token ? { Authorization: 'Bearer ' + token } : {};
  var selectedId = null;
  var latest = [];
  var cards = new Map();
  var failedStreak = 0;
  var polling = false;

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }
  function api(path, init) {
    return fetch(path, Object.assign({ headers: authHeaders, cache: 'no-store' }, init || {})).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (body) {
        if (!res.ok) throw new Error(body.error || ('HTTP ' + res.status));
        return body;
      });
    });
  }
  function duration(s) {
    if (s === null || s === undefined) return '?';
    s = Math.round(s);
    if (s >= 86400) return Math.floor(s / 86400) + 'd' + String(Math.round((s % 86400) / 3600)).padStart(2, '0') + 'h';
    if (s >= 3600) return Math.floor(s / 3600) + 'h' + String(Math.floor((s % 3600) / 60)).padStart(2, '0') + 'm';
    if (s >= 60) return Math.floor(s / 60) + 'm' + String(s % 60).padStart(2, '0') + 's';
    return s + 's';
  }
  function rate(x) {
    if (x >= 100) return String(Math.round(x));
    if (x >= 1) return x.toFixed(1);
    return x > 0 ? String(Number(x.toPrecision(3))) : '0';
  }
  function setConnection(text, cls) {
    var c = $('connection');
    c.textContent = text;
    c.className = 'badge ' + cls;
  }
  function notice(text) {
    $('notice').textContent = text || '';
  }

  function buildCard(c) {
    var card = el('article', { class: 'crawl', 'data-testid': 'crawl', 'data-crawl': c.name, tabindex: '0' });
    var head = el('div', { class: 'head' });
    head.append(el('h3', { 'data-testid': 'name' }, c.name), el('span', { class: 'badge', 'data-testid': 'state' }),
      el('span', { class: 'badge', 'data-testid': 'health' }));
    var barOuter = el('div', { class: 'bar', role: 'progressbar', 'aria-valuemin': '0', 'aria-valuemax': '100' });
    barOuter.append(el('div', { class: 'fill' }), el('div', { class: 'fail' }));
    var figures = el('dl', { class: 'figures' });
    [['done', 'done'], ['failed', 'failed'], ['pending', 'pending'], ['inFlight', 'in flight'], ['queue', 'batches w/a/d'],
      ['rate', 'items/s 1m / 5m'], ['eta', 'ETA'], ['workers', 'workers'], ['throttled', 'throttled'], ['breaker', 'breaker']]
      .forEach(function (f) {
        var box = el('div');
        box.append(el('dt', {}, f[1]), el('dd', { 'data-testid': f[0] }));
        figures.append(box);
      });
    var actions = el('div', { class: 'actions' });
    [['pause', 'Pause'], ['resume', 'Resume'], ['retry-failed', 'Retry failed']].forEach(function (a) {
      var b = el('button', { type: 'button', 'data-action': a[0] }, a[1]);
      b.addEventListener('click', function (ev) { ev.stopPropagation(); act(c.id, a[0], b); });
      actions.append(b);
    });
    var adaptive = el('p', { class: 'adaptive', 'data-testid': 'adaptive' });
    adaptive.hidden = true;
    var pool = el('table', { class: 'credentials', 'data-testid': 'credentials' });
    pool.hidden = true;
    var poolHead = el('tr');
    ['credential', 'state', 'used / left per window'].forEach(function (h) { poolHead.append(el('th', {}, h)); });
    pool.append(el('thead'), el('tbody'));
    pool.querySelector('thead').append(poolHead);
    card.append(head, barOuter, el('div', { class: 'percent', 'data-testid': 'percent' }), figures, adaptive, pool, actions);
    card.addEventListener('click', function () { select(c.id); });
    return card;
  }
  function field(card, name, text) { card.querySelector('[data-testid="' + name + '"]').textContent = text; }
  function updateCard(card, c) {
    field(card, 'state', c.state);
    card.querySelector('[data-testid="state"]').className = 'badge state-' + c.state;
    field(card, 'health', c.health);
    card.querySelector('[data-testid="health"]').className = 'badge health-' + c.health;
    card.querySelector('.fill').style.width = Math.min(100, c.percent) + '%';
    card.querySelector('.fail').style.width = (c.total > 0 ? Math.min(100, (c.failed * 100) / c.total) : 0) + '%';
    card.querySelector('.bar').setAttribute('aria-valuenow', String(c.percent));
    field(card, 'percent', c.percent + '% done, ' + (c.done + c.failed) + ' of ' + c.total + ' keys finished');
    field(card, 'done', c.done);
    field(card, 'failed', c.failed);
    field(card, 'pending', c.pending);
    field(card, 'inFlight', c.inFlight);
    field(card, 'queue', c.queue ? c.queue.waiting + ' / ' + c.queue.active + ' / ' + c.queue.delayed : 'Redis unreachable');
    field(card, 'rate', rate(c.ratePerSec.last1m) + ' / ' + rate(c.ratePerSec.last5m));
    field(card, 'eta', duration(c.etaSeconds));
    field(card, 'workers', c.workersOnline);
    field(card, 'throttled', c.throttledUntil ? 'until ' + new Date(c.throttledUntil).toLocaleTimeString() : 'no');
    field(card, 'breaker', c.breaker);
    updateAdaptive(card.querySelector('[data-testid="adaptive"]'), c.adaptiveRate);
    updateCredentials(card.querySelector('[data-testid="credentials"]'), c.credentials || []);
    card.querySelector('[data-action="pause"]').disabled = c.state !== 'running';
    card.querySelector('[data-action="resume"]').disabled = c.state !== 'paused';
    card.querySelector('[data-action="retry-failed"]').disabled = c.failed === 0;
    card.classList.toggle('selected', c.id === selectedId);
  }

  // perSecond "auto": the shared rate, its phase and its last cut.
  function updateAdaptive(node, a) {
    node.hidden = !a;
    if (!a) return;
    var last = a.lastCutAt ? 'limit found ' + a.limitFoundPerSecond + '/s; ' + a.cuts + ' cuts, last ' + new Date(a.lastCutAt).toLocaleTimeString() + ' (' + a.lastCutReason + ')' : 'no cut yet';
    node.textContent = 'adaptive rate ' + a.ratePerSecond + '/s, ' + a.phase + '; ' + last + '; ' + a.increases + ' increases';
  }
  // A credential pool: each credential's state and, per window, its use and what is left.
  function updateCredentials(table, list) {
    table.hidden = list.length === 0;
    var body = table.querySelector('tbody');
    body.replaceChildren();
    list.forEach(function (cr) {
      var tr = el('tr', { 'data-credential': cr.name });
      var state = cr.state === 'paused' && cr.pausedUntil ? 'paused until ' + new Date(cr.pausedUntil).toLocaleTimeString() : cr.state;
      var windows = Object.keys(cr.used).map(function (w) { return w + ' ' + cr.used[w] + ' / ' + (cr.remaining[w] || 0); });
      tr.append(el('td', {}, cr.label || cr.name), el('td', { class: 'state-' + cr.state }, state), el('td', {}, windows.join(', ') || 'no windows'));
      body.append(tr);
    });
  }

  function render(list) {
    latest = list;
    var box = $('crawls');
    $('empty').hidden = list.length > 0;
    var seen = new Set();
    list.forEach(function (c) {
      seen.add(c.id);
      var card = cards.get(c.id);
      if (!card) {
        card = buildCard(c);
        cards.set(c.id, card);
        box.append(card);
      }
      updateCard(card, c);
    });
    cards.forEach(function (card, id) { if (!seen.has(id)) { card.remove(); cards.delete(id); } });
    if (selectedId === null || !seen.has(selectedId)) {
      var first = list.find(function (c) { return c.state === 'running'; }) || list[0];
      if (first) select(first.id);
    } else renderErrors();
    $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  }

  function selected() { return latest.find(function (c) { return c.id === selectedId; }); }
  function select(id) {
    selectedId = id;
    cards.forEach(function (card, cid) { card.classList.toggle('selected', cid === id); });
    var c = selected();
    $('detail-name').textContent = c ? c.name : '';
    renderErrors();
    refreshDetail();
  }

  function renderErrors() {
    var c = selected();
    var byClass = $('errors-by-class');
    byClass.replaceChildren();
    var recent = $('recent-errors');
    recent.replaceChildren();
    if (!c) return;
    var classes = Object.keys(c.errorsByClass);
    if (classes.length === 0) byClass.append(el('li', { class: 'muted' }, 'no recent errors'));
    classes.forEach(function (k) {
      var li = el('li');
      li.append(el('strong', {}, k), document.createTextNode(' × ' + c.errorsByClass[k]));
      byClass.append(li);
    });
    c.recentErrors.forEach(function (e) {
      var tr = el('tr');
      tr.append(el('td', {}, new Date(e.at).toLocaleTimeString()), el('td', {}, e.key), el('td', {}, e.errorClass), el('td', {}, e.reason));
      recent.append(tr);
    });
  }

  function refreshDetail() {
    var id = selectedId;
    if (id === null) return;
    api('/api/crawls/' + id + '/rate').then(function (r) { if (id === selectedId) drawChart(r); }).catch(function (err) { notice(err.message); });
    api('/api/crawls/' + id + '/failed').then(function (r) { if (id === selectedId) renderFailed(r); }).catch(function (err) { notice(err.message); });
  }

  function renderFailed(r) {
    var body = $('failed-rows');
    body.replaceChildren();
    $('failed-count').textContent = r.failures.length >= r.limit ? 'first ' + r.limit : String(r.failures.length);
    if (r.failures.length === 0) {
      var tr = el('tr');
      tr.append(el('td', { colspan: '5', class: 'muted' }, 'no failed keys'));
      body.append(tr);
    }
    r.failures.forEach(function (f) {
      var tr = el('tr');
      tr.append(el('td', {}, f.key), el('td', {}, f.errorClass), el('td', {}, f.status === null ? '-' : f.status),
        el('td', {}, f.attempts), el('td', {}, f.reason));
      body.append(tr);
    });
  }

  var SVG = 'http://www.w3.org/2000/svg';
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    return node;
  }
  function drawChart(r) {
    var chart = $('chart');
    chart.replaceChildren();
    var W = 720, H = 200, L = 48, B = 22, T = 10;
    var pts = r.points;
    if (pts.length < 2) {
      var t = svg('text', { x: W / 2, y: H / 2, 'text-anchor': 'middle', class: 'muted' });
      t.textContent = r.redisUp ? 'collecting data: the first points appear after 10-20 s of work' : 'Redis unreachable';
      chart.append(t);
      return;
    }
    var max = Math.max.apply(null, pts.map(function (p) { return p[1]; }).concat([1]));
    var t0 = pts[0][0], t1 = pts[pts.length - 1][0];
    function x(t) { return L + ((t - t0) / Math.max(1, t1 - t0)) * (W - L - 8); }
    function y(v) { return T + (1 - v / max) * (H - T - B); }
    [0, 0.5, 1].forEach(function (f) {
      chart.append(svg('line', { x1: L, x2: W - 8, y1: y(max * f), y2: y(max * f), class: 'grid' }));
      var label = svg('text', { x: L - 6, y: y(max * f) + 4, 'text-anchor': 'end', class: 'axis' });
      label.textContent = rate(max * f);
      chart.append(label);
    });
    var line = pts.map(function (p) { return x(p[0]).toFixed(1) + ',' + y(p[1]).toFixed(1); }).join(' ');
    chart.append(svg('polygon', { points: x(t0) + ',' + y(0) + ' ' + line + ' ' + x(t1) + ',' + y(0), class: 'area' }));
    chart.append(svg('polyline', { points: line, class: 'line' }));
    [[t0, 'start'], [t1, 'end']].forEach(function (p) {
      var label = svg('text', { x: x(p[0]), y: H - 6, 'text-anchor': p[1], class: 'axis' });
      label.textContent = new Date(p[0] * 1000).toLocaleTimeString();
      chart.append(label);
    });
  }

  function act(id, action, button) {
    button.disabled = true;
    api('/api/crawls/' + id + '/' + action, { method: 'POST' })
      .then(function () { notice(''); return api('/api/crawls'); })
      .then(function (list) { render(list); refreshDetail(); })
      .catch(function (err) { notice(action + ' failed: ' + err.message); button.disabled = false; });
  }

  function poll() {
    polling = true;
    setConnection('polling', 'warn');
    api('/api/crawls').then(render).catch(function (err) { notice(err.message); })
      .then(function () { setTimeout(poll, 2000); });
  }
  function connect() {
    if (!window.EventSource) { poll(); return; }
    var es = new EventSource('/api/events' + (token ? '?token=' + encodeURIComponent(token) : ''));
    es.addEventListener('status', function (ev) {
      failedStreak = 0;
      setConnection('live', 'ok');
      render(JSON.parse(ev.data));
    });
    es.onerror = function () {
      failedStreak += 1;
      setConnection('reconnecting', 'warn');
      // Proxies that buffer or drop event streams: fall back to polling.
      if (failedStreak >= 3 && !polling) { es.close(); poll(); }
    };
  }

  setInterval(refreshDetail, 5000);
  api('/api/crawls').then(render).catch(function (err) { notice(err.message); });
  connect();
})();
`;
