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
