/* Add team member rows without reloading the page.
 *
 * The formset's empty form sits in a <template>; a click on "Add a team
 * member" copies it with the next index and updates TOTAL_FORMS. Without
 * JavaScript, the page always offers one empty row.
 */
(function () {
  "use strict";

  document.querySelectorAll("[data-formset-prefix]").forEach(function (fieldset) {
    var prefix = fieldset.getAttribute("data-formset-prefix");
    var total = fieldset.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var max = fieldset.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = fieldset.querySelector("template");
    var rows = fieldset.querySelector(".team-member-rows");
    var button = fieldset.querySelector(".add-team-member");
    if (!total || !template || !rows || !button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10) || 0;
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML
        .replace(/__prefix__/g, String(index))
        .replace(/__number__/g, String(index + 1));
      var holder = document.createElement("div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden])");
      if (first) {
        first.focus();
      }
    });
  });
})();
