/* The map's layer of the economic zone's projects: those the reader may read (the server
 * sends no other), each with its reference, title, sector and state, linked to its page.
 * Text is set with textContent only. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var S = window.coordcellMapStyle;
  var map = window.coordcellMap;
  if (!config.projectsUrl || !map) return;
  var el = S.el;
  var style = { color: "#065f46", weight: 2, fillColor: "#34d399", fillOpacity: 0.35 };
  var group = L.layerGroup().addTo(map);

  function popup(f) {
    var p = f.properties;
    var box = el("div", null, "zone-popup");
    var head = el("h3");
    var link = el("a", p.reference);
    link.href = p.url;
    head.appendChild(link);
    box.appendChild(head);
    box.appendChild(el("p", p.title)).dir = "auto";
    box.appendChild(el("p", p.state_label, "muted"));
    return box;
  }

  S.getJSON(config.projectsUrl).then(function (fc) {
    var shown = 0;
    (fc.features || []).forEach(function (f) {
      if (!f.geometry) return;
      var layer = L.geoJSON(f, {
        style: function () { return style; },
        pointToLayer: function (feat, latlng) {
          return L.circleMarker(latlng, { radius: 7, color: style.color, weight: 2, fillColor: style.fillColor, fillOpacity: 0.8 });
        }
      });
      layer.bindPopup(function () { return popup(f); });
      group.addLayer(layer);
      shown += 1;
    });
    document.getElementById("map").setAttribute("data-projects-shown", String(shown));
    S.legendItem(document.getElementById("legend-projects"), T.projects, style, "point", group, map);
  }).catch(function () {
    var status = document.getElementById("map-status");
    status.textContent = T.loadError;
    status.hidden = false;
  });
})();
