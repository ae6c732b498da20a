/* The economic zone's map: the offline basemap and the arrangement's zones in the
 * situation map's colours (mapstyle.js), and the projects' sites the page carries in its
 * configuration (only those the reader may read: the server put them there). Names are
 * written with textContent, never as HTML. No tiles, no CDN. */
(function () {
  "use strict";
  var S = window.coordcellMapStyle;
  var config = JSON.parse(document.getElementById("economy-map-config").textContent);
  var b = config.bbox;
  var map = L.map("economy-map", { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.createPane("zones").style.zIndex = 400;
  var status = document.getElementById("economy-map-status");
  function fail() { if (status) { status.textContent = config.text.loadError; status.hidden = false; } }
  S.getJSON(config.basemapUrl).then(function (basemap) {
    S.drawBasemap(map, basemap, config.text, function () {});
  }).catch(fail);
  S.getJSON(config.zonesUrl).then(function (fc) {
    (fc.features || []).forEach(function (f) { S.zoneLayer(f, { pane: "zones" }).addTo(map); });
  }).catch(fail);
  var features = (config.projects && config.projects.features) || [];
  if (!features.length) return;
  var layer = L.geoJSON(config.projects, {
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: "#111827", weight: 2, fillColor: "#16a34a", fillOpacity: 0.9 });
    },
    style: function () { return { color: "#111827", weight: 2, fillColor: "#16a34a", fillOpacity: 0.4 }; },
    onEachFeature: function (f, l) {
      var p = f.properties || {};
      var box = S.el("div");
      var link = S.el("a", p.name);
      link.href = p.url;
      box.appendChild(link);
      box.appendChild(S.el("div", p.reference + " · " + p.sector, "mono"));
      l.bindPopup(box);
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds().pad(features.length > 1 ? 0.3 : 4), { maxZoom: 12 });
})();
