// Draws the experiment sites of the municipality dashboard with Leaflet.
// Data come from a json_script block (#sites-map-data); without tiles (no
// network, or MAP_TILES_URL empty) the map still shows the districts and sites.
// Texts are set with textContent: names typed by people never become HTML.
(function () {
  "use strict";
  var element = document.getElementById("sites-map");
  var source = document.getElementById("sites-map-data");
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
    bounds.extend(point);
    if (district.outline) {
      var layer = L.geoJSON(district.outline, {
        style: { color: "#4f5862", weight: 2, dashArray: "6 4", fillOpacity: 0.05 },
      }).addTo(map);
      bounds.extend(layer.getBounds());
    } else {
      L.circle(point, { radius: 400, color: "#4f5862", weight: 1, dashArray: "6 4", fillOpacity: 0.04 })
        .addTo(map);
    }
  });

  function popup(site) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = site.name;
    box.appendChild(title);
    var experiment = document.createElement("div");
    experiment.textContent = site.experiment;
    box.appendChild(experiment);
    if (site.address) {
      var address = document.createElement("div");
      address.textContent = site.address;
      box.appendChild(address);
    }
    var link = document.createElement("a");
    link.href = site.url;
    link.textContent = data.open;
    box.appendChild(link);
    return box;
  }

  data.sites.forEach(function (site) {
    var point = [site.lat, site.lng];
    L.circleMarker(point, { radius: 8, color: "#0b3d91", weight: 3, fillColor: "#5b8def", fillOpacity: 0.8 })
      .addTo(map)
      .bindTooltip(site.experiment + " – " + site.name, { direction: "top", offset: [0, -8] })
      .bindPopup(popup(site));
    bounds.extend(point);
  });

  if (bounds.isValid()) {
    map.fitBounds(bounds.pad(0.2), { maxZoom: 16 });
  } else {
    map.setView([48.8566, 2.3522], 11);
  }
  element.classList.add("map-ready");
})();
