/* The incident picker of the complaint and correction forms: the offline basemap and the
 * arrangement's zones in the situation map's colours, with a legend, and the incident's
 * place: a point (a click, or the latitude and longitude fields), a line (a movement) or
 * an area, drawn by clicking each corner. The hidden "geometry" field carries a line or
 * an area as GeoJSON; a point travels in the two coordinate fields. While the author
 * draws, the server says which zones the place falls in (POST /api/v1/locate), in the
 * page's language. Everything comes from this server: no tiles, no CDN. */
(function () {
  "use strict";
  var S = window.coordcellMapStyle;
  var config = JSON.parse(document.getElementById("picker-config").textContent);
  var T = config.text;
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var uncertaintyInput = document.getElementById("id_uncertainty_m");
  var geometryInput = document.getElementById("id_geometry");
  var clearButton = document.getElementById("draw-clear");
  var statusEl = document.getElementById("picker-zones");
  var legend = document.getElementById("picker-legend");
  var pickerEl = document.getElementById("picker");
  var csrf = document.querySelector('input[name="csrfmiddlewaretoken"]');
  var b = config.bbox;
  var map = L.map("picker", { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.createPane("zones").style.zIndex = 400;
  var marker = null;
  var shape = null;
  var vertices = [];

  function mode() {
    var checked = document.querySelector('input[name="draw-mode"]:checked');
    return checked ? checked.value : "Point";
  }

  // --- where the place falls, asked of the server as the author draws

  var asked = 0;
  var timer = null;

  function say(text, state) {
    statusEl.textContent = text;
    statusEl.setAttribute("data-state", state);
  }

  function currentGeometry() {
    if (geometryInput.value) {
      try { return JSON.parse(geometryInput.value); } catch (err) { return null; }
    }
    var lat = parseFloat(latInput.value);
    var lon = parseFloat(lonInput.value);
    if (isFinite(lat) && isFinite(lon)) return { type: "Point", coordinates: [lon, lat] };
    return null;
  }

  function locate() {
    var geometry = currentGeometry();
    var mine = ++asked;
    if (!geometry) { say(T.prompt, "empty"); return; }
    var uncertainty = parseFloat(uncertaintyInput.value);
    var body = { geometry: geometry, uncertainty_m: isFinite(uncertainty) && uncertainty >= 0 ? uncertainty : 0 };
    say(T.checking, "pending");
    fetch(config.locateUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    }).then(function (answer) {
      if (mine !== asked) return;  // the author drew again meanwhile
      if (answer.ok) { say(answer.data.summary, "located"); return; }
      var error = answer.data && answer.data.error;
      say(error && error.message ? error.message : T.failed, "refused");
    }).catch(function () {
      if (mine === asked) say(T.failed, "failed");
    });
  }

  function locateSoon() {
    if (timer) clearTimeout(timer);
    timer = setTimeout(locate, 250);
  }

  // --- drawing

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
      shape = L.polygon(latlngs, { color: "#111827", weight: 2, dashArray: "4 3", fillOpacity: 0.1 }).addTo(map);
      geometryInput.value = vertices.length >= 3
        ? JSON.stringify({ type: "Polygon", coordinates: [vertices.concat([vertices[0]])] })
        : "";
    } else {
      shape = L.polyline(latlngs, { color: "#111827", weight: 3, dashArray: "6 4" }).addTo(map);
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

  // --- the map's layers: basemap, zones and their legend

  S.getJSON(config.basemapUrl).then(function (basemap) {
    S.drawBasemap(map, basemap, null);
  }).catch(function () { /* the zones still show on the plain background */ });

  S.getJSON(config.zonesUrl).then(function (fc) {
    var zones = L.featureGroup();
    fc.features.forEach(function (f) {
      var style = S.zoneStyle(f);
      zones.addLayer(S.zoneLayer(f, { pane: "zones", interactive: false }));
      var item = S.legendItem(legend, f.properties.legend || f.properties.name, style, f.properties.kind);
      if (f.properties.part_of) item.className = "part";
    });
    zones.addTo(map);
    // Open on the zones, where incidents are reported, rather than on the whole region.
    if (zones.getLayers().length) map.fitBounds(zones.getBounds(), { padding: [8, 8] });
    pickerEl.setAttribute("data-zones-loaded", String(fc.features.length));
  }).catch(function () { say(T.loadError, "failed"); });

  // --- what the author does

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
      locateSoon();
      return;
    }
    if (marker) { map.removeLayer(marker); marker = null; }
    latInput.value = "";
    lonInput.value = "";
    vertices.push([lon, lat]);
    drawShape();
    locateSoon();
  });
  Array.prototype.forEach.call(document.querySelectorAll('input[name="draw-mode"]'), function (r) {
    r.addEventListener("change", function () { clear(); locateSoon(); });
  });
  clearButton.addEventListener("click", function () {
    clear();
    latInput.value = "";
    lonInput.value = "";
    locateSoon();
  });
  function fromFields() {
    if (mode() === "Point") placePoint(parseFloat(latInput.value), parseFloat(lonInput.value), true);
    locateSoon();
  }
  // An MGRS reference or a place of the gazetteer (mapsearch.js) places a point, with
  // the MGRS square's uncertainty when the field says less.
  if (window.coordcellMapSearch) {
    window.coordcellMapSearch(map, function (p) {
      var pointMode = document.querySelector('input[name="draw-mode"][value="Point"]');
      if (pointMode && !pointMode.checked) pointMode.checked = true;
      clear();
      latInput.value = String(Number(p.lat.toFixed(6)));
      lonInput.value = String(Number(p.lon.toFixed(6)));
      var current = parseFloat(uncertaintyInput.value);
      if (p.uncertainty_m && !(current >= p.uncertainty_m)) uncertaintyInput.value = String(p.uncertainty_m);
      placePoint(p.lat, p.lon, false);
      locateSoon();
    });
  }
  latInput.addEventListener("change", fromFields);
  lonInput.addEventListener("change", fromFields);
  uncertaintyInput.addEventListener("change", locateSoon);
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
