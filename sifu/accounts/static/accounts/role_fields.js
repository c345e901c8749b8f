// Show only the target field the chosen role needs: an area, or one organization.
// Without JavaScript both fields stay visible and the server explains what is missing.
(function () {
  function wire(box) {
    var role = box.querySelector("select[name$='role']");
    if (!role) return;
    var orgRoles = (box.getAttribute("data-org-roles") || "").split(" ");
    var area = box.querySelector("[data-for='area']");
    var org = box.querySelector("[data-for='organization']");
    function update() {
      var value = role.value;
      var isOrg = orgRoles.indexOf(value) >= 0;
      if (area) area.hidden = !value || isOrg;
      if (org) org.hidden = !value || !isOrg;
    }
    role.addEventListener("change", update);
    update();
  }
  document.querySelectorAll("[data-role-fields]").forEach(wire);
})();
