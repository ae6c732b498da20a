/* The map's layer of the monitors' reports of access denied or movement restricted: those
 * the reader may read (the server sends no other), each drawn while the time slider's
 * range holds the day it occurred. Text is set with textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var S = window.coordcellMapStyle;
  var slider = window.coordcellTimeSlider;
  var map = window.coordcellMap;
  if (!config.denialsUrl || !slider || !map) return;
  var el = S.el;
  var style = { color: "#7f1d1d", weight: 2, fillColor: "#fca5a5", fillOpacity: 0.9 };
  var group = L.layerGroup().addTo(map);
  var features = [];

  function popup(f) {
    var p = f.properties;
    var box = el("div", null, "zone-popup");
    var head = el("h3");
    var link = el("a", p.reference);
    link.href = p.url;
    head.appendChild(link);
    box.appendChild(head);
    var who = p.kind_label + " · " + p.monitor.toUpperCase() + (p.party ? " → " + p.party.toUpperCase() : "");
    box.appendChild(el("p", who));
    box.appendChild(el("p", p.occurred_at, "muted")).dir = "ltr";
    return box;
  }

  function draw(range) {
    group.clearLayers();
    var shown = 0;
    features.forEach(function (f) {
      var at = new Date(f.properties.occurred_at);
      if (!f.geometry || at < range.from || at >= range.to) return;
      var layer = L.geoJSON(f, {
        pointToLayer: function (feat, latlng) {
          return L.circleMarker(latlng, { radius: 6, color: style.color, weight: 2, fillColor: style.fillColor, fillOpacity: style.fillOpacity });
        }
      });
      layer.bindPopup(function () { return popup(f); });
      group.addLayer(layer);
      shown += 1;
    });
    document.getElementById("map").setAttribute("data-denials-shown", String(shown));
  }

  S.getJSON(config.denialsUrl).then(function (fc) {
    features = fc.features || [];
    slider.follow(draw);
    S.legendItem(document.getElementById("legend-denials"), T.denials, style, "point", group, map);
  }).catch(function () {
    var status = document.getElementById("map-status");
    status.textContent = T.loadError;
    status.hidden = false;
  });
})();
