/* The situation map. Everything it draws comes from this server: the basemap is the
 * Natural Earth data shipped with the scenario, the zones and places come from the
 * API. No tile server, no CDN. Text is built with textContent (never innerHTML), so
 * names and descriptions cannot inject markup. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var lang = document.documentElement.lang || "en";
  var statusEl = document.getElementById("map-status");

  // One palette for both sides: symmetric treatment of the parties includes the map.
  var ZONE_STYLES = {
    line: { color: "#1f3a5f", weight: 3, opacity: 0.95 },
    separation: { color: "#b42318", weight: 1.5, fillColor: "#e57368", fillOpacity: 0.45 },
    band_0_10: { color: "#a15c00", weight: 1, fillColor: "#f5a623", fillOpacity: 0.28 },
    band_10_20: { color: "#9a7d0a", weight: 1, fillColor: "#f4d03f", fillOpacity: 0.22 },
    band_20_25: { color: "#7d8a2e", weight: 1, fillColor: "#d4e157", fillOpacity: 0.18 },
    economic: { color: "#1a7f37", weight: 2.5, dashArray: "6 4", fillColor: "#4caf50", fillOpacity: 0.15 },
    other: { color: "#5b6675", weight: 1.5, fillColor: "#9aa5b1", fillOpacity: 0.2 }
  };

  function styleKey(feature) {
    var p = feature.properties;
    if (p.kind === "line") return "line";
    if (feature.id === "area_of_separation_approx" || /separation/.test(feature.id)) return "separation";
    if (p.illustrative || /economic/.test(feature.id)) return "economic";
    if (p.from_km === 0) return "band_0_10";
    if (p.from_km === 10) return "band_10_20";
    if (p.from_km === 20) return "band_20_25";
    return "other";
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function zonePopup(feature) {
    var p = feature.properties;
    var box = el("div", null, "zone-popup");
    box.appendChild(el("h3", p.name));
    if (p.derived) box.appendChild(el("p", T.derived, "flag"));
    if (p.illustrative) box.appendChild(el("p", T.illustrative, "flag"));
    if (!p.clauses.length) box.appendChild(el("p", T.noClause, "muted"));
    p.clauses.forEach(function (c) {
      var head = el("p");
      var link = el("a", c.id);
      link.href = config.arrangementUrl + "#clause-" + encodeURIComponent(c.id);
      head.appendChild(link);
      head.appendChild(document.createTextNode(" — " + c.title));
      box.appendChild(head);
      var items = el("ul");
      (c.prohibited || []).forEach(function (a) {
        items.appendChild(el("li", T.prohibited + ": " + (config.activities[a] || a)));
      });
      Object.keys(c.limits || {}).forEach(function (k) {
        items.appendChild(el("li", (config.limits[k] || k) + ": " + c.limits[k]));
      });
      if (items.childNodes.length) box.appendChild(items);
    });
    return box;
  }

  function localName(props) {
    var key = "NAME_" + lang.toUpperCase();
    return props[key] || props.NAME_EN || props.NAME || props.name || "";
  }

  function legendItem(list, label, style, layer, map, kind) {
    var li = el("li");
    var input = el("input");
    input.type = "checkbox";
    input.checked = true;
    var id = "layer-" + list.childNodes.length + "-" + list.id;
    input.id = id;
    input.addEventListener("change", function () {
      if (input.checked) map.addLayer(layer); else map.removeLayer(layer);
    });
    var swatch = el("span", null, "swatch" + (kind === "line" ? " line" : ""));
    swatch.style.borderColor = style.color;
    if (style.fillColor) swatch.style.backgroundColor = style.fillColor;
    var labelEl = el("label", label);
    labelEl.htmlFor = id;
    li.appendChild(input);
    li.appendChild(swatch);
    li.appendChild(labelEl);
    list.appendChild(li);
  }

  function fail() {
    statusEl.textContent = T.loadError;
    statusEl.hidden = false;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  var b = config.bbox;
  var map = L.map("map", { zoomSnap: 0.5, attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  map.attributionControl.addAttribution(T.attribution);
  map.fitBounds([[32.6, 35.5], [33.6, 36.3]]);
  map.setMaxBounds([[b[1] - 1, b[0] - 1], [b[3] + 1, b[2] + 1]]);
  map.createPane("basemap").style.zIndex = 250;
  map.createPane("zones").style.zIndex = 400;
  var layersList = document.getElementById("legend-layers");
  var zonesList = document.getElementById("legend-zones");

  getJSON(config.basemapUrl).then(function (basemap) {
    Object.keys(basemap).sort().forEach(function (stem) {
      var fc = basemap[stem];
      var layer = L.geoJSON(fc, {
        pane: "basemap",
        style: function (f) {
          var t = f.geometry.type;
          if (/countries/.test(stem)) return { color: "#8a8f98", weight: 1, fillColor: "#f3efe6", fillOpacity: 1 };
          if (/boundary/.test(stem)) return { color: "#6b7280", weight: 1.2, dashArray: "4 3" };
          if (/Polygon/.test(t)) return { color: "#5b8fc7", weight: 1, fillColor: "#a8cbe8", fillOpacity: 1 };
          return { color: "#5b8fc7", weight: 1.5 };
        },
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { pane: "basemap", radius: 3, color: "#374151", weight: 1, fillColor: "#fff", fillOpacity: 1 });
        },
        onEachFeature: function (f, l) {
          var name = localName(f.properties);
          if (name && f.geometry.type === "Point") l.bindTooltip(name, { direction: "top" });
        }
      }).addTo(map);
      var label = T.countries;
      if (/boundary/.test(stem)) label = T.boundaries;
      else if (/physical/.test(stem)) label = T.water;
      else if (/places/.test(stem)) label = T.towns;
      legendItem(layersList, label, { color: "#8a8f98", fillColor: "#f3efe6" }, layer, map);
    });
  }).catch(fail);

  getJSON(config.zonesUrl).then(function (fc) {
    var groups = {};
    fc.features.forEach(function (f) {
      var key = styleKey(f);
      var layer = L.geoJSON(f, { pane: "zones", style: ZONE_STYLES[key] });
      layer.bindPopup(function () { return zonePopup(f); });
      layer.addTo(map);
      legendItem(zonesList, f.properties.name, ZONE_STYLES[key], layer, map, f.properties.kind);
      groups[f.id] = layer;
    });
    window.coordcellZones = groups;  // read by the browser tests
    document.getElementById("map").setAttribute("data-zones-loaded", String(fc.features.length));
  }).catch(fail);

  getJSON(config.placesUrl).then(function (fc) {
    var layer = L.geoJSON(fc, {
      filter: function (f) { return f.geometry !== null; },
      pointToLayer: function (f, latlng) {
        return L.circleMarker(latlng, { pane: "zones", radius: 5, color: "#1b2430", weight: 1.5, fillColor: "#f2c14e", fillOpacity: 1 });
      },
      onEachFeature: function (f, l) {
        var box = el("div", null, "zone-popup");
        box.appendChild(el("h3", f.properties.name));
        if (f.properties.note) box.appendChild(el("p", f.properties.note));
        box.appendChild(el("p", f.properties.source, "muted"));
        l.bindPopup(box);
        l.bindTooltip(f.properties.name, { direction: "top" });
      }
    }).addTo(map);
    legendItem(layersList, T.places, { color: "#1b2430", fillColor: "#f2c14e" }, layer, map);
  }).catch(fail);
})();
