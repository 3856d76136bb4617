// The maps (templates/archives/map.html): each layer's points, from the page or fetched from
// its JSON URL, drawn with Leaflet; tiles only when the server names a tile server
// (settings.MAP_TILE_URL), a plain background with a scale bar otherwise. Fitted to the points.
(function () {
  "use strict";
  var el = document.getElementById("map");
  var source = document.getElementById("map-config");
  if (!el || !source || !window.L) { return; }
  var config = JSON.parse(source.textContent);
  var texts = config.texts || {};
  var tiles = config.tiles || {};
  // Hong'an county town: where an empty map opens.
  var COUNTY = [31.288, 114.618];

  var map = L.map(el, { maxZoom: 19, zoomSnap: 0.5, attributionControl: Boolean(tiles.url) });
  if (tiles.url) {
    L.tileLayer(tiles.url, { maxZoom: 19, attribution: tiles.attribution || "" }).addTo(map);
  } else {
    el.classList.add("map-plain");
  }
  L.control.scale({ imperial: false }).addTo(map);

  function node(tag, text, className) {
    var n = document.createElement(tag);
    if (text) { n.textContent = text; }
    if (className) { n.className = className; }
    return n;
  }

  function link(href, text) {
    var a = node("a", text);
    a.href = href;
    return a;
  }

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, key) {
      return values[key] === null || values[key] === undefined ? "" : String(values[key]);
    });
  }

  // Popups are built from elements: a name is text, never markup.
  function popup(layer, p) {
    var box = node("div", null, "map-popup");
    box.appendChild(node("strong", p.label));
    if (layer.marker === "customer") {
      box.appendChild(node("div", p.type_label + (p.accuracy !== null && p.accuracy !== undefined
        ? " · " + fill(texts.accuracy, { metres: p.accuracy }) : ""), "small muted"));
      box.appendChild(link(p.url, texts.open_customer));
    } else if (layer.marker === "village") {
      box.appendChild(node("div", fill(texts.filed, p) +
        (p.coverage !== null ? " (" + p.coverage + "%)" : ""), "small"));
      box.appendChild(node("div", p.source === "set" ? texts.centre_set : texts.centre_households,
        "small muted"));
      var links = node("div");
      links.appendChild(link(p.url, texts.open_map));
      links.appendChild(document.createTextNode(" · "));
      links.appendChild(link(p.page, texts.open_village));
      box.appendChild(links);
    } else {
      if (p.detail) { box.appendChild(node("div", p.detail, "small muted")); }
      box.appendChild(link(p.url, texts.open_field_day));
    }
    return box;
  }

  function marker(layer, p) {
    var at = [p.lat, p.lon];
    if (layer.marker === "customer") {
      return L.circleMarker(at, {
        radius: 8, weight: 2, color: "#ffffff", fillColor: p.colour, fillOpacity: 0.95,
        className: "map-point map-point-customer"
      });
    }
    if (layer.marker === "village") {
      var shown = L.marker(at, {
        icon: L.divIcon({ className: "map-marker map-marker-village map-point", iconSize: [18, 18] }),
        title: p.label
      });
      shown.bindTooltip(p.label + (p.coverage !== null ? " " + p.coverage + "%" : ""),
        { permanent: true, direction: "right", offset: [10, 0], className: "map-label" });
      return shown;
    }
    return L.marker(at, {
      icon: L.divIcon({
        className: "map-marker map-marker-" + layer.marker + " map-point",
        iconSize: [14, 14],
        html: "<span></span>"
      }),
      title: p.label
    });
  }

  function pointsOf(layer) {
    if (layer.points) { return Promise.resolve(layer.points); }
    return fetch(layer.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(layer.url + ": " + response.status); }
        return response.json();
      })
      .then(function (data) { return data.points; });
  }

  var placed = [];
  var empty = document.querySelector(".map-empty");
  Promise.all(config.layers.map(function (layer) {
    return pointsOf(layer).then(function (points) {
      points.forEach(function (p) {
        marker(layer, p).bindPopup(popup(layer, p)).addTo(map);
        placed.push([p.lat, p.lon]);
      });
    }, function () {
      if (empty) { empty.textContent = texts.failed; empty.hidden = false; }
    });
  })).then(function () {
    // Villages carry their name to the right of the point: room for it on that side.
    var labelled = config.layers.some(function (layer) { return layer.marker === "village"; });
    if (placed.length > 1) {
      map.fitBounds(L.latLngBounds(placed), {
        maxZoom: 17, paddingTopLeft: [30, 30], paddingBottomRight: [labelled ? 110 : 30, 30]
      });
    } else if (placed.length === 1) {
      map.setView(placed[0], 16);
    } else {
      map.setView(config.centre || COUNTY, config.centre ? 15 : 11);
      if (empty && empty.hidden) { empty.textContent = texts.nothing; empty.hidden = false; }
    }
    el.dataset.points = String(placed.length);
  });
})();
