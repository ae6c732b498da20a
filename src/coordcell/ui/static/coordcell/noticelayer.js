/* The map's layer of notified activities: the notices the reader may read (the server
 * sends no other), drawn while their window overlaps the time slider's range. Text is
 * set with textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var S = window.coordcellMapStyle;
  var slider = window.coordcellTimeSlider;
  var map = window.coordcellMap;
  if (!config.noticesUrl || !slider || !map) return;
  var el = S.el;
  var style = { color: "#8a3ffc", weight: 3, dashArray: "6 4", fillColor: "#8a3ffc", fillOpacity: 0.15 };
  var group = L.layerGroup().addTo(map);
  var features = [];

  function popup(f) {
    var p = f.properties;
    var box = el("div", null, "zone-popup");
    var head = el("h3");
    var link = el("a", p.reference);
    link.href = config.noticeUrl.replace("00000000-0000-0000-0000-000000000000", f.id);
    head.appendChild(link);
    box.appendChild(head);
    box.appendChild(el("p", p.activity_name + (p.humanitarian ? " — " + p.humanitarian : ""))).dir = "auto";
    box.appendChild(el("p", p.starts_at + " → " + p.ends_at, "muted")).dir = "ltr";
    if (p.late) box.appendChild(el("p", T.late, "flag"));
    box.appendChild(el("p", p.description)).dir = "auto";
    return box;
  }

  function draw() {
    group.clearLayers();
    var shown = 0;
    features.forEach(function (f) {
      if (!f.geometry || !slider.overlaps(f.properties.starts_at, f.properties.ends_at)) return;
      var layer = L.geoJSON(f, {
        style: function () { return style; },
        pointToLayer: function (feat, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: style.color, weight: 2, fillColor: style.fillColor, fillOpacity: 0.6 });
        }
      });
      layer.bindPopup(function () { return popup(f); });
      group.addLayer(layer);
      shown += 1;
    });
    document.getElementById("map").setAttribute("data-notices-shown", String(shown));
  }

  var url = config.noticesUrl + "?start=" + slider.span.first + "&end=" + slider.span.last;
  S.getJSON(url).then(function (fc) {
    features = fc.features || [];
    slider.follow(draw);
    var list = document.getElementById("legend-notices");
    S.legendItem(list, T.notices, style, "line", group, map);
  }).catch(function () {
    var status = document.getElementById("map-status");
    status.textContent = T.loadError;
    status.hidden = false;
  });
})();
