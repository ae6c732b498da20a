/* The small map of the positions pages: the offline basemap and the arrangement's zones in
 * the situation map's colours (mapstyle.js), and the declared positions the page carries
 * in its configuration (only those the reader may read: the server put them there). Names
 * are written with textContent, never as HTML. No tiles, no CDN. */
(function () {
  "use strict";
  var S = window.coordcellMapStyle;
  var config = JSON.parse(document.getElementById("positions-map-config").textContent);
  var b = config.bbox;
  var map = L.map("positions-map", { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.createPane("zones").style.zIndex = 400;
  var status = document.getElementById("positions-map-status");
  function fail() { if (status) { status.textContent = config.text.loadError; status.hidden = false; } }
  S.getJSON(config.basemapUrl).then(function (basemap) {
    S.drawBasemap(map, basemap, config.text, function () {});
  }).catch(fail);
  S.getJSON(config.zonesUrl).then(function (fc) {
    (fc.features || []).forEach(function (f) { S.zoneLayer(f, { pane: "zones" }).addTo(map); });
  }).catch(fail);
  var features = (config.positions && config.positions.features) || [];
  if (!features.length) return;
  var layer = L.geoJSON(config.positions, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 6, color: "#111827", weight: 2, fillColor: "#f59e0b", fillOpacity: 0.9 });
    },
    style: function () { return { color: "#111827", weight: 2, fillColor: "#f59e0b", fillOpacity: 0.4 }; },
    onEachFeature: function (f, l) {
      var p = f.properties || {};
      var box = S.el("div");
      box.appendChild(S.el("strong", p.name));
      box.appendChild(S.el("div", p.reference + " · " + p.party.toUpperCase() + " · " + p.established, "mono"));
      l.bindPopup(box);
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds().pad(features.length > 1 ? 0.3 : 4), { maxZoom: 12 });
})();
