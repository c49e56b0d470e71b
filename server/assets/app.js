// Sortable tables: click a header with data-sort to sort by that column (numbers numerically).
document.addEventListener('click', function (e) {
  var th = e.target.closest && e.target.closest('th[data-sort]');
  if (!th) return;
  var table = th.closest('table');
  var body = table.tBodies[0];
  var index = Array.prototype.indexOf.call(th.parentNode.children, th);
  var asc = th.getAttribute('data-dir') !== 'asc';
  th.setAttribute('data-dir', asc ? 'asc' : 'desc');
  var rows = Array.prototype.slice.call(body.rows).filter(function (r) { return !r.classList.contains('total'); });
  var totals = Array.prototype.slice.call(body.rows).filter(function (r) { return r.classList.contains('total'); });
  rows.sort(function (a, b) {
    var x = a.cells[index].getAttribute('data-value') || a.cells[index].textContent;
    var y = b.cells[index].getAttribute('data-value') || b.cells[index].textContent;
    var nx = parseFloat(x), ny = parseFloat(y);
    var c = !isNaN(nx) && !isNaN(ny) ? nx - ny : String(x).localeCompare(String(y), 'zh-CN');
    return asc ? c : -c;
  });
  rows.concat(totals).forEach(function (r) { body.appendChild(r); });
});

// Live regions: an element with an id and data-live="<seconds>" is refreshed every so often from
// data-live-src (else the same page), taking the element with the same id from the answer: a
// crisis case's timeline shows each step as it happens, without a reload that would lose what
// someone is typing into the page's forms.
(function () {
  var live = document.querySelectorAll('[data-live][id]');
  Array.prototype.forEach.call(live, function (el) {
    var every = Math.max(5, parseInt(el.getAttribute('data-live'), 10) || 15) * 1000;
    setInterval(function () {
      if (document.hidden) return;
      fetch(el.getAttribute('data-live-src') || location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } })
        .then(function (r) { return r.ok ? r.text() : null; })
        .then(function (text) {
          if (!text) return;
          var fresh = new DOMParser().parseFromString(text, 'text/html').getElementById(el.id);
          if (fresh && fresh.innerHTML !== el.innerHTML) el.innerHTML = fresh.innerHTML;
        })
        .catch(function () {});
    }, every);
  });
})();

// Phones show tables as cards (app.css): each cell gets its column's name as data-label, read from
// the table's header row (colspan counted). Without JavaScript the cards still show, unlabelled.
(function () {
  var tables = document.querySelectorAll('main table');
  Array.prototype.forEach.call(tables, function (table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head) return;
    var names = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (var i = 0; i < (th.colSpan || 1); i++) names.push((th.textContent || '').trim());
    });
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        var col = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute('data-label') && (cell.colSpan || 1) === 1) cell.setAttribute('data-label', names[col] || '');
          col += cell.colSpan || 1;
        });
      });
    });
  });
})();

// Countdowns: an element with data-deadline (epoch ms) shows the time left or overdue, updated
// every 30 s (the server renders the same words first: server/i18n/crisis.ts countdownText). The
// live regions above bring fresh deadlines; this keeps the minutes between them right.
(function () {
  function span(ms, en) {
    var min = Math.max(0, Math.round(ms / 60000));
    var d = Math.floor(min / 1440), h = Math.floor((min % 1440) / 60), m = min % 60;
    var parts = [];
    if (d) parts.push(en ? d + ' d' : d + ' 天');
    if (h) parts.push(en ? h + ' h' : h + ' 小时');
    if (!d && (m || !h)) parts.push(en ? m + ' min' : m + ' 分钟');
    return parts.join(' ');
  }
  function tick() {
    var en = (document.documentElement.lang || '').indexOf('en') === 0;
    var now = Date.now();
    Array.prototype.forEach.call(document.querySelectorAll('[data-deadline]'), function (el) {
      var left = parseInt(el.getAttribute('data-deadline'), 10) - now;
      if (isNaN(left)) return;
      var text = en ? (left >= 0 ? span(left, en) + ' left' : span(-left, en) + ' overdue') : left >= 0 ? '还剩 ' + span(left, en) : '已超时 ' + span(-left, en);
      if (el.textContent !== text) el.textContent = text;
      el.classList.toggle('overdue', left < 0);
    });
  }
  if (document.querySelector('[data-deadline]') || document.querySelector('[data-live]')) setInterval(tick, 30000);
})();

// A print button (the weekly report): the browser's print dialog, which also saves a PDF.
document.addEventListener('click', function (e) {
  var b = e.target.closest && e.target.closest('[data-print]');
  if (b) window.print();
});
