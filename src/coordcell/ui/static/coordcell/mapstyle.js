/* What the situation map and the incident picker draw alike: the zones' styles, the
 * offline basemap (the layers the scenario declares, from this server) and the legend's
 * entries. No tile server, no CDN. Text is set with textContent. Every style, legend
 * and label comes from the scenario's data: nothing here depends on a layer's or a
 * zone's name. */
(function () {
  "use strict";

  // How a zone is drawn comes from the scenario (each zone's ``properties.style``); what a
  // style leaves out takes the neutral default of the zone's kind. Kinds are vocabulary,
  // never a zone's id.
  var KIND_DEFAULTS = {
    line: { color: "#1f3a5f", weight: 3, opacity: 0.95, line: "solid" },
    area: {
      color: "#5b6675", weight: 1.5, opacity: 1, line: "solid",
      fill: "solid", fill_color: "#9aa5b1", fill_opacity: 0.2
    }
  };
  var DASHES = { dashed: "6 4", dotted: "1 4" };
  var SVG_NS = "http://www.w3.org/2000/svg";

  /* Leaflet path options for a zone feature; ``hatched`` (our own option) asks for a
   * hatched fill, which ``hatch`` applies once the path is on the map. */
  function zoneStyle(feature) {
    var p = feature.properties || {};
    return styleFrom(p.style, p.kind === "line" ? "line" : "area");
  }

  /* Leaflet path options for a scenario style (``color``, ``weight``, ``line``, ``fill``…)
   * drawn as a ``kind`` ("line" or "area"). */
  function styleFrom(given, kind) {
    var base = KIND_DEFAULTS[kind];
    given = given || {};
    function pick(key) {
      return given[key] !== undefined && given[key] !== null ? given[key] : base[key];
    }
    var style = { color: pick("color"), weight: pick("weight"), opacity: pick("opacity") };
    if (DASHES[pick("line")]) style.dashArray = DASHES[pick("line")];
    if (kind === "line") {
      style.fill = false;
      return style;
    }
    var fill = pick("fill");
    style.fill = fill !== "none";
    style.fillColor = pick("fill_color");
    style.fillOpacity = pick("fill_opacity");
    if (fill === "hatched") {
      style.hatched = true;
      // The stripes are the colour; keep them readable however light the fill is.
      style.fillOpacity = Math.max(style.fillOpacity, 0.6);
    }
    return style;
  }

  /* Fill an SVG path with diagonal stripes of its fill colour (one pattern per colour). */
  function hatch(layer) {
    var path = layer._path;
    if (!path || !path.ownerSVGElement) return;
    var colour = layer.options.fillColor || layer.options.color;
    var id = "coordcell-hatch-" + String(colour).replace(/[^0-9a-zA-Z]/g, "");
    if (!document.getElementById(id)) {
      var svg = path.ownerSVGElement;
      var defs = svg.querySelector("defs");
      if (!defs) defs = svg.insertBefore(document.createElementNS(SVG_NS, "defs"), svg.firstChild);
      var pattern = document.createElementNS(SVG_NS, "pattern");
      pattern.setAttribute("id", id);
      pattern.setAttribute("patternUnits", "userSpaceOnUse");
      pattern.setAttribute("width", "8");
      pattern.setAttribute("height", "8");
      pattern.setAttribute("patternTransform", "rotate(45)");
      var stripe = document.createElementNS(SVG_NS, "rect");
      stripe.setAttribute("width", "3");
      stripe.setAttribute("height", "8");
      stripe.setAttribute("fill", colour);
      pattern.appendChild(stripe);
      defs.appendChild(pattern);
    }
    path.setAttribute("fill", "url(#" + id + ")");
    path.setAttribute("data-fill", "hatched");
  }

  /* A zone feature as a Leaflet layer in its style; ``options`` are passed to L.geoJSON. */
  function zoneLayer(feature, options) {
    var style = zoneStyle(feature);
    var opts = { style: style };
    Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
    opts.onEachFeature = function (f, l) {
      if (style.hatched) l.on("add", function () { hatch(l); });
    };
    return L.geoJSON(feature, opts);
  }

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  /* How a layer's legend swatch is drawn: as a line when its style has no fill colour. */
  function layerKind(style) {
    return style && style.fill_color ? "area" : "line";
  }

  /* The basemap's layers (``basemap.layers``, in the scenario's order) on their own pane,
   * below the zones, each in the style its scenario declares; a feature with
   * ``disputed`` in the layer's disputed style (hatched, dashed: never in a party's
   * colours). Labels are the lexicon's names, given by the server. ``onLayer(spec,
   * layer)`` is called for each layer. ``text.disputedBy`` labels who disputes. */
  function drawBasemap(map, basemap, text, onLayer) {
    if (!map.getPane("basemap")) map.createPane("basemap").style.zIndex = 250;
    (basemap.layers || []).forEach(function (spec) {
      var kind = layerKind(spec.style);
      var normal = styleFrom(spec.style, "area");
      var disputed = spec.disputed ? styleFrom(spec.disputed.style, "area") : normal;
      if (kind === "line") normal.fill = false;
      function styleOf(f) {
        var style = f.properties && f.properties.disputed ? disputed : normal;
        var copy = {};
        Object.keys(style).forEach(function (k) { copy[k] = style[k]; });
        if (/LineString/.test(f.geometry.type)) copy.fill = false;
        return copy;
      }
      var layer = L.geoJSON(spec.data, {
        pane: "basemap",
        style: styleOf,
        pointToLayer: function (f, latlng) {
          var s = styleOf(f);
          return L.circleMarker(latlng, {
            pane: "basemap", radius: 3, color: s.color, weight: 1,
            fillColor: s.fillColor || "#ffffff", fillOpacity: 1
          });
        },
        onEachFeature: function (f, l) {
          var p = f.properties || {};
          var style = styleOf(f);
          if (style.hatched && f.geometry.type !== "Point") l.on("add", function () { hatch(l); });
          if (p.disputed && l.getElement) {
            l.on("add", function () {
              var node = l.getElement();
              if (node) node.setAttribute("data-disputed", "true");
            });
          }
          var label = p.name || "";
          if (p.disputed && p.disputed_by && p.disputed_by.length && text && text.disputedBy) {
            label = (label ? label + " — " : "") +
              text.disputedBy.replace("%(names)s", p.disputed_by.join(", "));
          }
          if (label) {
            l.bindTooltip(label, f.geometry.type === "Point" ? { direction: "top" } : { sticky: true });
          }
        }
      }).addTo(map);
      if (onLayer) onLayer(spec, layer);
    });
  }

  /* One legend entry: a swatch in the layer's colours and its label; with ``layer`` and
   * ``map``, a checkbox that shows or hides the layer. */
  function legendItem(list, label, style, kind, layer, map) {
    var li = el("li");
    var swatch = el("span", null, "swatch" + (kind === "line" ? " line" : ""));
    swatch.style.borderColor = style.color;
    if (style.dashArray) swatch.style.borderStyle = style.dashArray === DASHES.dotted ? "dotted" : "dashed";
    if (style.hatched) {
      swatch.style.backgroundImage = "repeating-linear-gradient(45deg, " + style.fillColor +
        " 0 2px, transparent 2px 5px)";
      swatch.setAttribute("data-fill", "hatched");
    } else if (style.fillColor && style.fill !== false) {
      swatch.style.backgroundColor = style.fillColor;
    }
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
    KIND_DEFAULTS: KIND_DEFAULTS,
    zoneStyle: zoneStyle,
    styleFrom: styleFrom,
    layerKind: layerKind,
    zoneLayer: zoneLayer,
    el: el,
    drawBasemap: drawBasemap,
    legendItem: legendItem,
    getJSON: getJSON
  };
})();
