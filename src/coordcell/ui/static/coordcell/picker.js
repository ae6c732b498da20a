/* The incident picker of the complaint form: the arrangement's zones, and the incident's
 * place: a point (a click, or the latitude and longitude fields), a line (a movement) or
 * an area, drawn by clicking each corner. The hidden "geometry" field carries a line or
 * an area as GeoJSON; a point travels in the two coordinate fields. No tiles, no CDN. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("picker-config").textContent);
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var geometryInput = document.getElementById("id_geometry");
  var clearButton = document.getElementById("draw-clear");
  var b = config.bbox;
  var map = L.map("picker", { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  var marker = null;
  var shape = null;
  var vertices = [];

  function mode() {
    var checked = document.querySelector('input[name="draw-mode"]:checked');
    return checked ? checked.value : "Point";
  }

  function placePoint(lat, lon, pan) {
    if (!isFinite(lat) || !isFinite(lon)) return;
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.marker([lat, lon]).addTo(map);
    if (pan) map.panTo([lat, lon]);
  }

  function drawShape() {
    if (shape) { map.removeLayer(shape); shape = null; }
    var latlngs = vertices.map(function (v) { return [v[1], v[0]]; });
    if (!latlngs.length) { geometryInput.value = ""; return; }
    if (mode() === "Polygon") {
      shape = L.polygon(latlngs, { color: "#b42318", weight: 2 }).addTo(map);
      geometryInput.value = vertices.length >= 3
        ? JSON.stringify({ type: "Polygon", coordinates: [vertices.concat([vertices[0]])] })
        : "";
    } else {
      shape = L.polyline(latlngs, { color: "#b42318", weight: 3 }).addTo(map);
      geometryInput.value = vertices.length >= 2
        ? JSON.stringify({ type: "LineString", coordinates: vertices })
        : "";
    }
  }

  function clear() {
    vertices = [];
    geometryInput.value = "";
    if (shape) { map.removeLayer(shape); shape = null; }
    if (marker) { map.removeLayer(marker); marker = null; }
  }

  fetch(config.zonesUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (fc) {
      if (!fc) return;
      L.geoJSON(fc, {
        style: function (f) {
          return f.properties.kind === "line"
            ? { color: "#1f3a5f", weight: 2 }
            : { color: "#5b6675", weight: 1, fillOpacity: 0.12 };
        },
        interactive: false
      }).addTo(map);
    });

  map.on("click", function (e) {
    var lat = Number(e.latlng.lat.toFixed(5));
    var lon = Number(e.latlng.lng.toFixed(5));
    if (mode() === "Point") {
      vertices = [];
      geometryInput.value = "";
      if (shape) { map.removeLayer(shape); shape = null; }
      latInput.value = lat;
      lonInput.value = lon;
      placePoint(lat, lon, false);
      return;
    }
    if (marker) { map.removeLayer(marker); marker = null; }
    latInput.value = "";
    lonInput.value = "";
    vertices.push([lon, lat]);
    drawShape();
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="draw-mode"]'), function (r) {
    r.addEventListener("change", clear);
  });
  clearButton.addEventListener("click", function () { clear(); latInput.value = ""; lonInput.value = ""; });
  function fromFields() {
    if (mode() === "Point") placePoint(parseFloat(latInput.value), parseFloat(lonInput.value), true);
  }
  latInput.addEventListener("change", fromFields);
  lonInput.addEventListener("change", fromFields);
  if (geometryInput.value) {
    try {
      var g = JSON.parse(geometryInput.value);
      if (g.type === "LineString") vertices = g.coordinates.slice();
      if (g.type === "Polygon") vertices = g.coordinates[0].slice(0, -1);
      if (g.type !== "Point") {
        document.querySelector('input[name="draw-mode"][value="' + g.type + '"]').checked = true;
        drawShape();
      }
    } catch (err) { geometryInput.value = ""; }
  }
  fromFields();
})();
