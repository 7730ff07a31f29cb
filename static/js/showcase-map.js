// Draws the sites of the showcase's experiments with Leaflet, each linked to its
// experiment's public page. Data come from a json_script block; without tiles (no
// network, or MAP_TILES_URL empty) the map still shows the points. Texts are put in
// with textContent: a name never becomes markup.
(function () {
  "use strict";
  var element = document.getElementById("showcase-map");
  var source = document.getElementById("showcase-map-data");
  if (!element || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  if (!data.sites.length) {
    return;
  }
  var map = L.map(element, { scrollWheelZoom: false, keyboard: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: data.zoom_in, zoomOutTitle: data.zoom_out }).addTo(map);
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  }

  function popup(site) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = site.url;
    link.textContent = site.experiment;
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(site.name + " – " + site.town));
    return box;
  }

  var bounds = L.latLngBounds([]);
  data.sites.forEach(function (site) {
    var point = [site.lat, site.lng];
    L.circleMarker(point, { radius: 8, color: "#0b3d91", weight: 3, fillOpacity: 0.6 })
      .addTo(map)
      .bindTooltip(site.experiment, { direction: "top", offset: [0, -8] })
      .bindPopup(popup(site));
    bounds.extend(point);
  });
  map.fitBounds(bounds.pad(0.3), { maxZoom: 15 });
  element.classList.add("map-ready");
})();
