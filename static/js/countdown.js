// Keeps a call's countdown up to date each minute. The server already wrote the
// remaining time; this only refreshes it, in the page's language, with the
// browser's clock. Without JavaScript (or Intl) the server's text stays.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-countdown]");
  if (!boxes.length || typeof Intl === "undefined" || !Intl.NumberFormat || !Intl.ListFormat) {
    return;
  }
  var lang = document.documentElement.lang || "fr";

  function unit(name, value) {
    return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
  }

  function text(minutesLeft, box) {
    var days = Math.floor(minutesLeft / 1440);
    var hours = Math.floor((minutesLeft % 1440) / 60);
    var minutes = minutesLeft % 60;
    var parts = [];
    if (days) { parts.push(unit("day", days)); }
    if (hours) { parts.push(unit("hour", hours)); }
    if (minutes) { parts.push(unit("minute", minutes)); }
    if (!parts.length) { return box.getAttribute("data-less-than-a-minute") || null; }
    return new Intl.ListFormat(lang, { style: "long", type: "conjunction" }).format(parts);
  }

  function update() {
    var now = Date.now();
    boxes.forEach(function (box) {
      var deadline = Date.parse(box.getAttribute("data-deadline"));
      var target = box.querySelector("[data-countdown-remaining]");
      if (isNaN(deadline) || !target) { return; }
      var left = deadline - now;
      if (left <= 0) {
        target.textContent = box.getAttribute("data-ended");
        return;
      }
      var value = text(Math.floor(left / 60000), box);
      if (value) { target.textContent = value; }
    });
  }

  update();
  // Tick on the minute boundary, then every minute.
  window.setTimeout(function () {
    update();
    window.setInterval(update, 60000);
  }, 60000 - (Date.now() % 60000));
})();
