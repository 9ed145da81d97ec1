(function () {
  'use strict';
  function cellValue(row, index) {
    var cell = row.cells[index];
    var sort = cell.getAttribute('data-sort');
    return sort !== null ? Number(sort) : cell.textContent.trim().toLowerCase();
  }
  document.querySelectorAll('table.sortable').forEach(function (table) {
    var headings = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(headings, function (heading, index) {
      heading.addEventListener('click', function () {
        var descending = !heading.classList.contains('sorted-desc');
        Array.prototype.forEach.call(headings, function (h) { h.classList.remove('sorted-asc', 'sorted-desc'); });
        heading.classList.add(descending ? 'sorted-desc' : 'sorted-asc');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });
  document.documentElement.setAttribute('data-rendered', 'ok');
})();
