/* The map's layer of declared positions: only for those who may read them (the declaring
 * party its own, the mediator every party's: the server sends nothing else), each drawn
 * while it stood during the time slider's range — from the day it was established to the
 * day before it was vacated. Text is set with textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var S = window.coordcellMapStyle;
  var slider = window.coordcellTimeSlider;
  var map = window.coordcellMap;
  if (!config.positionsUrl || !slider || !map) return;
  var el = S.el;
  var style = { color: "#374151", weight: 2, fillColor: "#9ca3af", fillOpacity: 0.5 };
  var group = L.layerGroup().addTo(map);
  var features = [];

  /* Whether a position stood on some day of the range: established before its end, and
   * not vacated on or before its first day. */
  function stood(p, range) {
    if (new Date(p.established + "T00:00:00") >= range.to) return false;
    return !p.removed || new Date(p.removed + "T00:00:00") > range.from;
  }

  function popup(f) {
    var p = f.properties;
    var box = el("div", null, "zone-popup");
    var head = el("h3");
    var link = el("a", p.reference);
    link.href = config.positionUrl.replace("00000000-0000-0000-0000-000000000000", f.id);
    head.appendChild(link);
    box.appendChild(head);
    box.appendChild(el("p", p.name)).dir = "auto";
    box.appendChild(el("p", (config.positionKinds[p.kind] || p.kind) + " · " + p.party.toUpperCase()));
    var dates = T.established + " " + p.established + (p.removed ? " · " + T.vacated + " " + p.removed : "");
    box.appendChild(el("p", dates, "muted"));
    return box;
  }

  function draw(range) {
    group.clearLayers();
    var shown = 0;
    features.forEach(function (f) {
      if (!f.geometry || !stood(f.properties, range)) return;
      var layer = L.geoJSON(f, {
        style: function () { return style; },
        pointToLayer: function (feat, latlng) {
          return L.circleMarker(latlng, { radius: 6, color: style.color, weight: 2, fillColor: style.fillColor, fillOpacity: 0.8 });
        }
      });
      layer.bindPopup(function () { return popup(f); });
      group.addLayer(layer);
      shown += 1;
    });
    document.getElementById("map").setAttribute("data-positions-shown", String(shown));
  }

  S.getJSON(config.positionsUrl).then(function (fc) {
    features = fc.features || [];
    slider.follow(draw);
    S.legendItem(document.getElementById("legend-positions"), T.positions, style, "point", group, map);
  }).catch(function () {
    var status = document.getElementById("map-status");
    status.textContent = T.loadError;
    status.hidden = false;
  });
})();
