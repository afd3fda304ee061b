// Home page: the link generator (share URL, badges) and a launcher that shows progress in place.
(function () {
  "use strict";
  const B = window.Binder;
  const $ = (id) => document.getElementById(id);

  const form = $("launch-form");
  const providerSelect = $("provider");
  const repoInput = $("repository");
  const refInput = $("ref");
  const pathInput = $("path");
  const pathLabel = $("path-label");
  const launchButton = $("btn-launch");
  const shareOutput = $("launch-url");
  const copyUrl = $("btn-copy-url");
  const badgeOutput = $("badge-markup");
  const copyBadge = $("btn-copy-badge");
  const feedback = $("copy-feedback");
  const buildHost = $("home-build");

  // The share base is this site's own base URL, as BinderHub's generator does.
  const publicBaseUrl = B.baseUrl;
  const PATH_KINDS = {
    file: { label: "File to open (in JupyterLab)", placeholder: "e.g. index.ipynb" },
    url: { label: "URL to open", placeholder: "e.g. /rstudio" },
  };

  const state = { provider: B.providers[0] || null, repo: "", pathKind: "file", launching: false };
  let view = null;

  for (const p of B.providers) {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.displayName;
    providerSelect.appendChild(option);
  }
  if (!state.provider) {
    launchButton.disabled = true;
    repoInput.disabled = true;
    $("repository-hint").textContent = "No repository providers are enabled on this server.";
  }

  function applyProvider() {
    const p = state.provider;
    $("repository-label").textContent = p.repo.label || "Repository";
    repoInput.placeholder = p.repo.placeholder || "";
    refInput.disabled = !p.ref.enabled || state.launching;
    refInput.placeholder = (p.ref.enabled && p.ref.default) || "";
    if (!p.ref.enabled) refInput.value = "";
    state.repo = B.detectRepo(p, repoInput.value.trim());
  }

  function values() {
    const urlPath = B.urlPathFor(state.pathKind, pathInput.value);
    const url = state.provider ? B.launchUrl(publicBaseUrl, state.provider, state.repo, refInput.value, urlPath) : "";
    return { urlPath, url };
  }

  function render() {
    const { url } = values();
    const kind = document.querySelector("input[name='badge-format']:checked").value;
    setOutput(shareOutput, url, "Fill in the fields to see a URL for sharing your Binder.");
    setOutput(badgeOutput, B.badgeMarkup(kind, publicBaseUrl, url), "Fill in the fields to see a badge markup for your README.");
    copyUrl.disabled = url === "";
    copyBadge.disabled = url === "";
    const typed = repoInput.value.trim();
    repoInput.setAttribute("aria-invalid", String(typed !== "" && state.repo === ""));
    $("repository-hint").textContent = typed !== "" && state.repo === ""
      ? `That does not look like a ${state.provider.displayName} address yet.`
      : "Paste the repository\u2019s URL, or type its name.";
  }

  function setOutput(element, text, placeholder) {
    element.textContent = text || placeholder;
    element.dataset.empty = String(!text);
  }

  function setPathKind(kind) {
    state.pathKind = kind;
    pathLabel.textContent = PATH_KINDS[kind].label;
    pathInput.placeholder = PATH_KINDS[kind].placeholder;
    document.querySelectorAll("[data-kind]").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.kind === kind)));
    render();
  }

  async function copy(text, what) {
    try {
      await navigator.clipboard.writeText(text);
      feedback.textContent = `${what} copied to the clipboard.`;
    } catch (e) {
      // Clipboard API needs a secure context; fall back to a selection the user can copy.
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      const ok = document.execCommand && document.execCommand("copy");
      area.remove();
      feedback.textContent = ok ? `${what} copied to the clipboard.` : `Select the ${what.toLowerCase()} and copy it.`;
    }
  }

  function setLaunching(launching) {
    state.launching = launching;
    launchButton.disabled = launching;
    launchButton.textContent = launching ? "Launching\u2026" : "Launch";
    launchButton.setAttribute("aria-busy", String(launching));
    for (const el of [providerSelect, repoInput, pathInput]) el.disabled = launching;
    refInput.disabled = launching || !state.provider.ref.enabled;
  }

  providerSelect.addEventListener("change", () => {
    state.provider = B.findProvider(providerSelect.value);
    applyProvider();
    render();
  });
  repoInput.addEventListener("input", () => {
    state.repo = B.detectRepo(state.provider, repoInput.value.trim());
    render();
  });
  refInput.addEventListener("input", render);
  pathInput.addEventListener("input", render);
  document.querySelectorAll("[data-kind]").forEach((b) => b.addEventListener("click", () => setPathKind(b.dataset.kind)));
  document.querySelectorAll("input[name='badge-format']").forEach((r) => r.addEventListener("change", render));
  copyUrl.addEventListener("click", () => copy(values().url, "Launch URL"));
  copyBadge.addEventListener("click", () => copy(badgeOutput.textContent, "Badge markup"));

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (state.launching) return;
    const { url, urlPath } = values();
    if (!url) {
      repoInput.setAttribute("aria-invalid", "true");
      repoInput.focus();
      $("repository-hint").textContent = "Enter a repository first.";
      return;
    }
    // The build spec is the share URL's path after v2/<provider>/, exactly as a visitor's browser would send it.
    const path = new URL(url).pathname;
    const prefix = `${publicBaseUrl.pathname}v2/${state.provider.id}/`;
    const spec = path.startsWith(prefix) ? path.slice(prefix.length) : path.split("/").slice(3).join("/");
    buildHost.hidden = false;
    if (!view) view = new B.BuildView(buildHost.querySelector("#build"));
    setLaunching(true);
    buildHost.scrollIntoView({ behavior: "smooth", block: "start" });
    B.launch({
      provider: state.provider.id,
      spec,
      launchPath: urlPath.replace(/^\/*/, ""),
      view,
      onEnd: (event) => {
        if (event.phase === "failed") setLaunching(false);
      },
    });
  });

  if (state.provider) applyProvider();
  render();
})();
