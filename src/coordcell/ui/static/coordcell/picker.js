/* The incident picker of the complaint form: the arrangement's zones, and a marker that
 * a click places and that follows the latitude and longitude fields. No tiles, no CDN. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("picker-config").textContent);
  var latInput = document.getElementById("id_lat");
  var lonInput = document.getElementById("id_lon");
  var b = config.bbox;
  var map = L.map("picker", { zoomSnap: 0.5, attributionControl: false });
  map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  var marker = null;

  function place(lat, lon, pan) {
    if (!isFinite(lat) || !isFinite(lon)) return;
    if (marker) marker.setLatLng([lat, lon]);
    else marker = L.marker([lat, lon]).addTo(map);
    if (pan) map.panTo([lat, lon]);
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
    latInput.value = e.latlng.lat.toFixed(5);
    lonInput.value = e.latlng.lng.toFixed(5);
    place(e.latlng.lat, e.latlng.lng, false);
  });
  function fromFields() { place(parseFloat(latInput.value), parseFloat(lonInput.value), true); }
  latInput.addEventListener("change", fromFields);
  lonInput.addEventListener("change", fromFields);
  fromFields();
})();
