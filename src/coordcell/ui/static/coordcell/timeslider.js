/* The map's time slider: a date range (two handles over days) that any layer can follow.
 *
 * A layer registers with window.coordcellTimeSlider.follow(function (range) { ... }),
 * and is called at once and after every change with {from: Date, to: Date} (the first
 * and the day after the last day, local midnight, so a window overlaps the range when
 * it starts before `to` and ends after `from`). window.coordcellTimeSlider.overlaps(
 * startIso, endIso) answers that for a feature. The notified activities follow it; a
 * positions layer plugs in the same way. No library, no CDN. */
(function () {
  "use strict";
  var root = document.getElementById("time-slider");
  if (!root) return;
  var back = parseInt(root.getAttribute("data-back") || "30", 10);
  var ahead = parseInt(root.getAttribute("data-ahead") || "60", 10);
  var fromInput = root.querySelector("input[name=from]");
  var toInput = root.querySelector("input[name=to]");
  var fromLabel = root.querySelector("[data-label=from]");
  var toLabel = root.querySelector("[data-label=to]");
  var today = new Date();
  today.setHours(0, 0, 0, 0);
  var followers = [];

  [fromInput, toInput].forEach(function (input) {
    input.min = String(-back);
    input.max = String(ahead);
  });
  fromInput.value = String(-1);
  toInput.value = String(7);

  function day(offset) {
    var d = new Date(today.getTime());
    d.setDate(d.getDate() + offset);
    return d;
  }
  function iso(d) {
    var m = String(d.getMonth() + 1), n = String(d.getDate());
    return d.getFullYear() + "-" + (m.length < 2 ? "0" + m : m) + "-" + (n.length < 2 ? "0" + n : n);
  }
  function range() {
    var a = parseInt(fromInput.value, 10), b = parseInt(toInput.value, 10);
    if (a > b) { var t = a; a = b; b = t; }
    return { from: day(a), to: day(b + 1), first: iso(day(a)), last: iso(day(b)) };
  }
  function changed() {
    var r = range();
    fromLabel.textContent = r.first;
    toLabel.textContent = r.last;
    root.setAttribute("data-from", r.first);
    root.setAttribute("data-to", r.last);
    followers.forEach(function (fn) { fn(r); });
  }
  fromInput.addEventListener("input", changed);
  toInput.addEventListener("input", changed);

  window.coordcellTimeSlider = {
    /* The widest span a layer needs to load: ISO dates of its first and last day. */
    span: { first: iso(day(-back)), last: iso(day(ahead)) },
    follow: function (fn) { followers.push(fn); fn(range()); },
    overlaps: function (startIso, endIso) {
      var r = range();
      return new Date(startIso) < r.to && new Date(endIso) >= r.from;
    },
    range: range
  };
  changed();
})();
