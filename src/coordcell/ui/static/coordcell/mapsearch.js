/* Every map's search box (situation/_mapsearch.html): an MGRS reference, read by the
 * server (it checks the reference and the arrangement's region and says what is wrong),
 * or a name of a place of the scenario's gazetteer in any language of the lexicon.
 * window.coordcellMapSearch(map, onPoint) wires the box to a map: onPoint({lat, lon,
 * uncertainty_m, label, mgrs}) is called with the point found. Coordinates stay Latin
 * digits. Text is set with textContent only; everything comes from this server. */
(function () {
  "use strict";
  var MGRS = /^\s*[0-9\u0660-\u0669\u06F0-\u06F9]{1,2}\s*[A-Za-z]/;

  window.coordcellMapSearch = function (map, onPoint) {
    var root = document.getElementById("map-search");
    if (!root) return;
    var input = document.getElementById("map-search-q");
    var button = document.getElementById("map-search-go");
    var results = document.getElementById("map-search-results");
    var status = document.getElementById("map-search-status");
    var asked = 0;

    function say(text, state) {
      status.textContent = text;
      root.setAttribute("data-state", state);
    }

    function get(url) {
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json().then(function (d) { return { ok: r.ok, data: d }; }); });
    }

    function found(point) {
      map.setView([point.lat, point.lon], Math.max(map.getZoom(), 12));
      onPoint(point);
    }

    function search() {
      var q = input.value.trim();
      var mine = ++asked;
      results.textContent = "";
      if (!q) { say("", "empty"); return; }
      say("…", "pending");
      if (MGRS.test(q)) {
        get(root.getAttribute("data-mgrs-url") + "?ref=" + encodeURIComponent(q)).then(function (a) {
          if (mine !== asked) return;
          if (!a.ok) { say(a.data && a.data.error ? a.data.error.message : root.getAttribute("data-text-failed"), "refused"); return; }
          var d = a.data;
          var text = "MGRS " + d.reference + " → " + d.lat.toFixed(5) + ", " + d.lon.toFixed(5) +
            " (" + root.getAttribute("data-text-square") + " " + d.precision_m + " m)";
          say(text, "found");
          status.dir = "ltr";
          found({ lat: d.lat, lon: d.lon, uncertainty_m: d.uncertainty_m, label: d.reference, mgrs: d.reference });
        }).catch(function () { if (mine === asked) say(root.getAttribute("data-text-failed"), "failed"); });
        return;
      }
      status.dir = "auto";
      get(root.getAttribute("data-gazetteer-url") + "?q=" + encodeURIComponent(q)).then(function (a) {
        if (mine !== asked) return;
        if (!a.ok) { say(a.data && a.data.error ? a.data.error.message : root.getAttribute("data-text-failed"), "refused"); return; }
        var places = a.data.results || [];
        if (!places.length) { say(root.getAttribute("data-text-none"), "none"); return; }
        say("", "listed");
        places.forEach(function (p) {
          var item = document.createElement("li");
          var choose = document.createElement("button");
          choose.type = "button";
          choose.setAttribute("data-place", p.key);
          var name = document.createElement("bdi");
          name.textContent = p.name;
          choose.appendChild(name);
          var others = Object.keys(p.names || {}).map(function (k) { return p.names[k]; })
            .filter(function (n) { return n && n !== p.name; });
          if (others.length) {
            var alt = document.createElement("span");
            alt.className = "muted";
            alt.textContent = " · " + others.join(" · ");
            alt.dir = "auto";
            choose.appendChild(alt);
          }
          choose.addEventListener("click", function () {
            results.textContent = "";
            say(p.name + " — " + p.lat.toFixed(5) + ", " + p.lon.toFixed(5), "found");
            found({ lat: p.lat, lon: p.lon, uncertainty_m: null, label: p.name, mgrs: "" });
          });
          item.appendChild(choose);
          results.appendChild(item);
        });
      }).catch(function () { if (mine === asked) say(root.getAttribute("data-text-failed"), "failed"); });
    }

    button.addEventListener("click", search);
    // Inside the lodge form, Enter searches rather than submitting the complaint.
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); search(); }
    });
    root.setAttribute("data-ready", "true");
  };
})();
