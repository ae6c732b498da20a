/* What the situation map and the incident picker draw alike: the zones' colours, the
 * offline basemap (the Natural Earth layers shipped with the scenario, from this server)
 * and the legend's entries. No tile server, no CDN. Text is set with textContent. */
(function () {
  "use strict";

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
    if (/separation/.test(feature.id)) return "separation";
    if (p.illustrative || /economic/.test(feature.id)) return "economic";
    if (p.from_km === 0) return "band_0_10";
    if (p.from_km === 10) return "band_10_20";
    if (p.from_km === 20) return "band_20_25";
    return "other";
  }

  function zoneStyle(feature) {
    return ZONE_STYLES[styleKey(feature)];
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function localName(props, lang) {
    var key = "NAME_" + lang.toUpperCase();
    return props[key] || props.NAME_EN || props.NAME || props.name || "";
  }

  /* The basemap's layers on their own pane, below the zones; ``onLayer(stem, layer)`` is
   * called for each, in a stable order. */
  function drawBasemap(map, basemap, lang, onLayer) {
    if (!map.getPane("basemap")) map.createPane("basemap").style.zIndex = 250;
    Object.keys(basemap).sort().forEach(function (stem) {
      var layer = L.geoJSON(basemap[stem], {
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
          var name = localName(f.properties, lang);
          if (name && f.geometry.type === "Point") l.bindTooltip(name, { direction: "top" });
        }
      }).addTo(map);
      if (onLayer) onLayer(stem, layer);
    });
  }

  /* One legend entry: a swatch in the layer's colours and its label; with ``layer`` and
   * ``map``, a checkbox that shows or hides the layer. */
  function legendItem(list, label, style, kind, layer, map) {
    var li = el("li");
    var swatch = el("span", null, "swatch" + (kind === "line" ? " line" : ""));
    swatch.style.borderColor = style.color;
    if (style.fillColor) swatch.style.backgroundColor = style.fillColor;
    var labelEl = el(layer ? "label" : "span", label);
    if (layer) {
      var input = el("input");
      input.type = "checkbox";
      input.checked = true;
      input.id = "layer-" + list.childNodes.length + "-" + list.id;
      input.addEventListener("change", function () {
        if (input.checked) map.addLayer(layer); else map.removeLayer(layer);
      });
      labelEl.htmlFor = input.id;
      li.appendChild(input);
    }
    li.appendChild(swatch);
    li.appendChild(labelEl);
    list.appendChild(li);
    return li;
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); });
  }

  window.coordcellMapStyle = {
    ZONE_STYLES: ZONE_STYLES,
    styleKey: styleKey,
    zoneStyle: zoneStyle,
    el: el,
    localName: localName,
    drawBasemap: drawBasemap,
    legendItem: legendItem,
    getJSON: getJSON
  };
})();
