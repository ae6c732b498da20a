/* The incident's own map on its case page: the offline basemap, the arrangement's zones
 * in the situation map's colours, and the incident's place as reported (a point with its
 * uncertainty circle, a line or an area). Everything from this server; no tiles, no CDN. */
(function () {
  "use strict";
  var S = window.coordcellMapStyle;
  var holder = document.getElementById("incident-map");
  var source = document.getElementById("incident-map-config");
  if (!holder || !source) return;
  var config = JSON.parse(source.textContent);
  var b = config.bbox;
  var map = L.map(holder, { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.createPane("zones").style.zIndex = 400;
  function fail() {
    var status = document.getElementById("incident-map-status");
    status.textContent = config.text.loadError;
    status.hidden = false;
  }
  S.getJSON(config.basemapUrl).then(function (basemap) {
    S.drawBasemap(map, basemap, null);
  }).catch(fail);
  S.getJSON(config.zonesUrl).then(function (fc) {
    (fc.features || []).forEach(function (f) {
      S.zoneLayer(f, { pane: "zones", interactive: false }).addTo(map);
    });
  }).catch(fail);
  var style = { color: "#111827", weight: 3, fillColor: "#dc2626", fillOpacity: 0.35 };
  var place = L.geoJSON(config.geometry, {
    style: function () { return style; },
    pointToLayer: function (f, latlng) {
      return L.circleMarker(latlng, { radius: 7, color: style.color, weight: 2, fillColor: style.fillColor, fillOpacity: 0.9 });
    }
  }).addTo(map);
  var bounds = place.getBounds();
  if (config.geometry.type === "Point" && config.uncertainty_m > 0) {
    var c = config.geometry.coordinates;
    var circle = L.circle([c[1], c[0]], { radius: config.uncertainty_m, color: style.color, weight: 1, dashArray: "4 3", fillOpacity: 0.08 }).addTo(map);
    bounds = circle.getBounds();
  }
  if (bounds.isValid()) map.fitBounds(bounds.pad(2), { maxZoom: 13 });
  holder.setAttribute("data-loaded", config.geometry.type);
})();
