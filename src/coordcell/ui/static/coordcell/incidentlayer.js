/* The map's incidents: what the reader may read (the server sends nothing else, and counts
 * nothing else), clustered by the server for the viewport, the time slider's range and
 * the filters. A cluster shows its count; a single incident its generated headline and
 * the state of the case about it, coloured (a case's state, not a verdict). Every move,
 * slide or filter asks again (at most one request in flight counts). Text is set with
 * textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var S = window.coordcellMapStyle;
  var slider = window.coordcellTimeSlider;
  var map = window.coordcellMap;
  if (!config.incidentsUrl || !slider || !map) return;
  var el = S.el;
  var mapEl = document.getElementById("map");
  var COLOURS = {
    blue: "#2563eb", orange: "#c2410c", teal: "#0f766e", grey: "#6b7280",
    purple: "#7e22ce", green: "#15803d", slate: "#1e293b", red: "#b91c1c"
  };
  map.createPane("incidents").style.zIndex = 620;
  var group = L.layerGroup().addTo(map);
  var form = document.getElementById("incident-filters");
  var range = null;
  var asked = 0;
  var timer = null;

  function fill(name, pairs) {
    var select = form.querySelector("select[name=" + name + "]");
    pairs.forEach(function (p) {
      var option = el("option", p[1]);
      option.value = p[0];
      select.appendChild(option);
    });
  }
  fill("kind", config.filters.kinds);
  fill("party", config.filters.parties);
  fill("state", config.filters.states);
  S.getJSON(config.zonesUrl).then(function (fc) {
    fill("zone", fc.features.map(function (f) { return [f.id, f.properties.name]; }));
  }).catch(function () { /* the other filters still work */ });

  // The legend: each case state's colour (and "no case").
  var legend = document.getElementById("legend-incidents");
  config.filters.states.forEach(function (s) {
    var colour = COLOURS[config.filters.colours[s[0]]] || COLOURS.grey;
    var item = S.legendItem(legend, s[1], { color: colour, fillColor: colour }, "point");
    item.setAttribute("data-state", s[0]);
  });

  function query() {
    var b = map.getBounds();
    var west = Math.max(-180, b.getWest()), east = Math.min(180, b.getEast());
    var south = Math.max(-90, b.getSouth()), north = Math.min(90, b.getNorth());
    var parts = ["bbox=" + [west, south, east, north].map(function (v) { return v.toFixed(5); }).join(",")];
    if (range) parts.push("start=" + range.first, "end=" + range.last);
    ["kind", "zone", "party", "state"].forEach(function (name) {
      var value = form.querySelector("select[name=" + name + "]").value;
      if (value) parts.push(name + "=" + encodeURIComponent(value));
    });
    return parts.join("&");
  }

  function popup(f) {
    var p = f.properties;
    var box = el("div", null, "zone-popup");
    box.appendChild(el("h3", p.headline)).dir = "auto";
    var ref = box.appendChild(el("p", p.reference, "mono"));
    ref.dir = "ltr";
    var state = box.appendChild(el("p", T.state + ": " + p.state_label));
    state.setAttribute("data-state", p.state);
    if (p.case_url) {
      var link = el("a", T.openCase + " " + p.case);
      link.href = p.case_url;
      box.appendChild(el("p")).appendChild(link);
    }
    return box;
  }

  function clusterIcon(count) {
    var size = Math.round(26 + 8 * Math.log10(Math.max(count, 1)));
    var label = el("span", String(count));
    label.dir = "ltr";
    return L.divIcon({ className: "incident-cluster", html: label, iconSize: [size, size] });
  }

  function draw(fc) {
    group.clearLayers();
    var singles = 0;
    fc.features.forEach(function (f) {
      var ll = [f.geometry.coordinates[1], f.geometry.coordinates[0]];
      var p = f.properties;
      if (p.count > 1) {
        var m = L.marker(ll, { icon: clusterIcon(p.count), pane: "incidents", keyboard: true, title: T.cluster.replace("%(count)s", p.count) });
        m.on("click", function () { map.setView(ll, Math.min(map.getZoom() + 2, map.getMaxZoom() || 18)); });
        group.addLayer(m);
        return;
      }
      var colour = COLOURS[p.colour] || COLOURS.grey;
      var dot = L.circleMarker(ll, { pane: "incidents", radius: 8, color: "#111827", weight: 1.5, fillColor: colour, fillOpacity: 0.9 });
      dot.bindPopup(function () { return popup(f); });
      var tip = el("span", p.headline);
      tip.dir = "auto";
      dot.bindTooltip(tip, { direction: "top" });  // an element: never parsed as HTML
      group.addLayer(dot);
      singles += 1;
    });
    mapEl.setAttribute("data-incidents-total", String(fc.total));
    mapEl.setAttribute("data-incidents-singles", String(singles));
    mapEl.setAttribute("data-incidents-range", range ? range.first + "/" + range.last : "");
    document.getElementById("incidents-shown").textContent = T.shown.replace("%(count)s", fc.total);
  }

  function load() {
    var mine = ++asked;
    mapEl.setAttribute("data-incidents-state", "loading");
    S.getJSON(config.incidentsUrl + "?" + query()).then(function (fc) {
      if (mine !== asked) return;  // a later move, slide or filter asked again
      draw(fc);
      mapEl.setAttribute("data-incidents-state", "loaded");
    }).catch(function () {
      if (mine !== asked) return;
      mapEl.setAttribute("data-incidents-state", "failed");
      var status = document.getElementById("map-status");
      status.textContent = T.loadError;
      status.hidden = false;
    });
  }
  function soon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(load, 150);
  }

  map.on("moveend", soon);
  form.addEventListener("change", soon);
  slider.follow(function (r) { range = r; soon(); });
})();
