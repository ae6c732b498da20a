/* The situation map. Everything it draws comes from this server and from the scenario:
 * the basemap layers with their styles and legends, the zones and places from the API,
 * the initial extent and the attribution (the sources the layers cite) from the page's
 * configuration. No tile server, no CDN. Text is built with textContent (never written
 * as innerHTML; the attribution, which Leaflet writes as HTML, is escaped first), so
 * names, descriptions and sources cannot inject markup. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("map-config").textContent);
  var T = config.text;
  var statusEl = document.getElementById("map-status");

  var S = window.coordcellMapStyle;
  var el = S.el;

  function zonePopup(feature) {
    var p = feature.properties;
    var box = el("div", null, "zone-popup");
    box.appendChild(el("h3", p.name));
    if (p.derived) box.appendChild(el("p", T.derived, "flag"));
    // Where the zone's geometry comes from, as the scenario's [[sources]] words it.
    if (p.source && config.sources && config.sources[p.source]) {
      // As the source words it, often in English only: its own direction in any page.
      box.appendChild(el("p", config.sources[p.source], "muted")).dir = "auto";
    }
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

  function fail() {
    statusEl.textContent = T.loadError;
    statusEl.hidden = false;
  }

  var b = config.bbox;
  var map = L.map("map", { zoomSnap: 0.5, attributionControl: true, preferCanvas: false });
  map.attributionControl.setPrefix(false);
  window.coordcellMap = map;  // the layers that follow the time slider draw on it
  // One line of the scenario's sources, as its [[sources]] word them. Leaflet writes an
  // attribution as HTML: the text is escaped, so a source cannot inject markup. Then a
  // link to the page that lists every source with its licence and attribution.
  if ((config.attribution || []).length) {
    var escaped = el("span", config.attribution.join(" · "));
    escaped.dir = "auto";  // the sources' own words keep their direction in any page
    map.attributionControl.addAttribution(escaped.outerHTML);
  }
  var credit = el("a", T.sources);
  credit.href = config.sourcesUrl;
  map.attributionControl.addAttribution(credit.outerHTML);
  var e = config.extent;
  // The scenario's extent when it sets one; else the region, until the zones are in.
  if (e) map.fitBounds([[e[1], e[0]], [e[3], e[2]]]);
  else map.fitBounds([[b[1], b[0]], [b[3], b[2]]]);
  map.setMaxBounds([[b[1] - 1, b[0] - 1], [b[3] + 1, b[2] + 1]]);
  map.createPane("zones").style.zIndex = 400;
  // The point an MGRS reference or a place of the gazetteer names (mapsearch.js).
  var searched = null;
  if (window.coordcellMapSearch) {
    window.coordcellMapSearch(map, function (p) {
      if (searched) map.removeLayer(searched);
      searched = L.marker([p.lat, p.lon]).addTo(map);
      var tip = el("span", p.label);
      tip.dir = "auto";
      searched.bindTooltip(tip, { direction: "top", permanent: true });  // never parsed as HTML
    });
  }
  var layersList = document.getElementById("legend-layers");
  var zonesList = document.getElementById("legend-zones");
  var placesItem = null;

  S.getJSON(config.basemapUrl).then(function (basemap) {
    S.drawBasemap(map, basemap, T, function (spec, layer) {
      var kind = S.layerKind(spec.style);
      S.legendItem(layersList, spec.legend, S.styleFrom(spec.style, kind), kind, layer, map);
      if (spec.disputed) {
        var item = S.legendItem(layersList, spec.disputed.legend,
          S.styleFrom(spec.disputed.style, kind), kind);
        item.setAttribute("data-disputed", "true");
      }
    });
    // The scenario's places stay last in the list, whichever answer came first.
    if (placesItem) layersList.appendChild(placesItem);
    document.getElementById("map").setAttribute("data-basemap-loaded",
      String((basemap.layers || []).length));
  }).catch(fail);

  S.getJSON(config.zonesUrl).then(function (fc) {
    var groups = {};
    var bounds = L.latLngBounds([]);
    fc.features.forEach(function (f) {
      var style = S.zoneStyle(f);
      var layer = S.zoneLayer(f, { pane: "zones" });
      layer.bindPopup(function () { return zonePopup(f); });
      layer.addTo(map);
      var item = S.legendItem(zonesList, f.properties.legend || f.properties.name, style, f.properties.kind, layer, map);
      if (f.properties.part_of) item.className = "part";  // drawn within its zone, listed under it
      groups[f.id] = layer;
      bounds.extend(layer.getBounds());
    });
    // Without an extent of its own, open on the zones, where the arrangement applies.
    if (!e && bounds.isValid()) map.fitBounds(bounds);
    window.coordcellZones = groups;  // read by the browser tests
    document.getElementById("map").setAttribute("data-zones-loaded", String(fc.features.length));
  }).catch(fail);

  S.getJSON(config.placesUrl).then(function (fc) {
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
    placesItem = S.legendItem(layersList, T.places, { color: "#1b2430", fillColor: "#f2c14e" }, null, layer, map);
  }).catch(fail);
})();
