/* The map's layer of notified activities: the notices the reader may read (the server
 * sends no other), drawn while their window overlaps the time slider's range; a withdrawn
 * notice in grey, dotted, its popup saying when and why. Text is set with textContent
 * only. */
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
  var withdrawn = { color: "#8d8d8d", weight: 2, dashArray: "2 6", fillColor: "#8d8d8d", fillOpacity: 0.05 };
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
    if (p.withdrawn_at) {
      box.appendChild(el("p", T.withdrawn, "flag"));
      box.appendChild(el("p", p.withdrawn_at, "muted")).dir = "ltr";
      if (p.withdrawal_reason) box.appendChild(el("p", p.withdrawal_reason)).dir = "auto";
    }
    box.appendChild(el("p", p.description)).dir = "auto";
    return box;
  }

  function draw() {
    group.clearLayers();
    var shown = 0;
    features.forEach(function (f) {
      if (!f.geometry || !slider.overlaps(f.properties.starts_at, f.properties.ends_at)) return;
      var look = f.properties.withdrawn_at ? withdrawn : style;
      var layer = L.geoJSON(f, {
        style: function () { return look; },
        pointToLayer: function (feat, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: look.color, weight: 2, fillColor: look.fillColor, fillOpacity: look === style ? 0.6 : 0.1 });
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
