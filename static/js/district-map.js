// Draws the innovation districts of a municipality page with Leaflet.
// Data come from a json_script block; without tiles (no network, or
// MAP_TILES_URL empty) the map still shows the points and outlines.
(function () {
  "use strict";
  var element = document.getElementById("district-map");
  var source = document.getElementById("district-map-data");
  if (!element || !source || typeof L === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var map = L.map(element, { scrollWheelZoom: false, keyboard: true, zoomControl: false });
  L.control.zoom({ zoomInTitle: data.zoom_in, zoomOutTitle: data.zoom_out }).addTo(map);
  if (data.tiles) {
    L.tileLayer(data.tiles, { maxZoom: 19, attribution: data.attribution }).addTo(map);
  }
  var bounds = L.latLngBounds([]);
  data.districts.forEach(function (district) {
    var point = [district.lat, district.lng];
    L.circleMarker(point, { radius: 9, color: "#0b3d91", weight: 3, fillOpacity: 0.6 })
      .addTo(map)
      .bindTooltip(district.name, { permanent: true, direction: "top", offset: [0, -8] })
      .bindPopup(district.name + " (" + district.edition + ")");
    bounds.extend(point);
    if (district.outline) {
      var layer = L.geoJSON(district.outline, { style: { color: "#0b3d91", weight: 2 } }).addTo(map);
      bounds.extend(layer.getBounds());
    }
  });
  map.fitBounds(bounds.pad(0.5), { maxZoom: 15 });
  element.classList.add("map-ready");
})();
