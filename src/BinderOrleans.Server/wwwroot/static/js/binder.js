// Shared by every page: links, redirect rules, the build client (SignalR, falling back to SSE) and the
// progress/log widget. Plain browser JavaScript; the libraries come from wwwroot/lib (npm, pinned).
(function () {
  "use strict";

  const config = window.pageConfig || {};
  const baseUrl = new URL(config.baseUrl || "/", window.location.href);
  const providers = config.repoProviders || [];

  // ---- Links -------------------------------------------------------------------------------------------

  function findProvider(id) {
    return providers.find((p) => p.id === id) || null;
  }

  /** The ref a link uses: what was typed, else the provider's default (BinderHub: "HEAD"); "" when refs are off. */
  function effectiveRef(provider, reference) {
    if (reference) return reference;
    return provider.ref && provider.ref.enabled ? provider.ref.default || "" : "";
  }

  /** BinderHub's share URL: <base>v2/<id>/<repo, encoded if the provider says so>/<ref>[?urlpath=...]. */
  function shareableUrl(publicBaseUrl, provider, repo, ref, urlPath) {
    const encodedRepo = provider.repo && provider.repo.urlEncode ? encodeURIComponent(repo) : repo;
    const url = new URL(`v2/${provider.id}/${encodedRepo}/${ref}`, publicBaseUrl);
    if (urlPath) url.searchParams.set("urlpath", urlPath);
    return url;
  }

  /** The launch URL for the form's values, or "" while they are incomplete. */
  function launchUrl(publicBaseUrl, provider, repo, reference, urlPath) {
    const ref = effectiveRef(provider, reference);
    const refEnabled = provider.ref && provider.ref.enabled;
    if (repo === "" || (refEnabled && ref === "")) return "";
    return shareableUrl(publicBaseUrl, provider, repo, ref, urlPath).toString();
  }

  function badgeMarkup(kind, publicBaseUrl, url) {
    if (!url) return "";
    const badge = new URL("badge_logo.svg", publicBaseUrl).toString();
    return kind === "rst" ? `.. image:: ${badge}\n :target: ${url}` : `[![Binder](${badge})](${url})`;
  }

  /** The path input as urlpath: File → /doc/tree/<path> (opens documents and notebooks), URL → as typed. */
  function urlPathFor(kind, path) {
    if (!path) return "";
    return kind === "url" ? path : `/doc/tree/${path}`;
  }

  /** A repository from what was typed or pasted: the provider's detect.regex group "repo", else "" (not valid yet). */
  function detectRepo(provider, input) {
    if (provider.detect && provider.detect.regex) {
      let match = null;
      try {
        match = new RegExp(provider.detect.regex).exec(input);
      } catch (e) {
        return input;
      }
      return match && match.groups && match.groups.repo ? match.groups.repo : "";
    }
    return input;
  }

  // ---- Redirect on ready -------------------------------------------------------------------------------

  /**
   * Where to go inside the server, from the page's query: labpath ⇒ doc/tree/<encodeURI(path)>, else filepath ⇒
   * tree/<encodeURI(path)> (one trailing "/" trimmed), else urlpath; leading slashes removed.
   */
  function launchPathFromSearch(searchParams) {
    let urlPath = searchParams.get("urlpath") || "";
    if (searchParams.has("labpath")) {
      urlPath = `doc/tree/${encodeURI(searchParams.get("labpath").replace(/\/$/, ""))}`;
    } else if (searchParams.has("filepath")) {
      urlPath = `tree/${encodeURI(searchParams.get("filepath").replace(/\/$/, ""))}`;
    }
    return urlPath.replace(/^\/*/, "");
  }

  /** The launch path resolved against the server URL, with the token as a query parameter. */
  function serverRedirectUrl(serverUrl, token, launchPath) {
    const url = new URL(launchPath || "", new URL(serverUrl));
    url.searchParams.append("token", token);
    return url.toString();
  }

  // ---- Build clients -----------------------------------------------------------------------------------

  const TERMINAL = new Set(["ready", "failed"]);

  function normalise(event) {
    if (event && typeof event.phase === "string") event.phase = event.phase.toLowerCase();
    return event;
  }

  /** Resumes after a dropped hub connection: attempts, with 0.5 s, 1 s, 1.5 s … between them. */
  const HUB_RESUMES = 5;

  /**
   * Streams the hub's Watch(provider, spec, lastEventId): the events of Build with their ids. When the connection
   * drops before the end, a new connection resumes the same session from the last id seen (on whichever replica it
   * reaches), so nothing is repeated or lost and no second server is launched. onEvent gets each event; after a
   * terminal one the connection closes. Resolves once connected; rejects if the hub cannot be reached (the caller may
   * then use SSE).
   */
  async function streamSignalR(provider, spec, onEvent, buildToken) {
    if (!window.signalR) throw new Error("SignalR client not loaded");
    const hubUrl = new URL(config.hubUrl || "hubs/build", baseUrl);
    if (buildToken) hubUrl.searchParams.set("build_token", buildToken);
    let finished = false;
    let lastId = null;
    let resumes = 0;
    let current = null;

    function fail(message) {
      if (finished) return;
      finished = true;
      onEvent({ phase: "failed", message: `${message}\n` });
    }

    function resume(reason) {
      if (finished) return;
      if (!lastId || resumes >= HUB_RESUMES) {
        fail(reason);
        return;
      }
      resumes += 1;
      setTimeout(() => connect().catch(() => resume(reason)), 500 * resumes);
    }

    async function connect() {
      const connection = new window.signalR.HubConnectionBuilder()
        .withUrl(hubUrl.toString())
        .configureLogging(window.signalR.LogLevel.Warning)
        .build();
      await connection.start();
      current = connection;
      let dropped = false;
      const stop = () => connection.stop().catch(() => {});
      const drop = (reason) => {
        if (finished || dropped) return;
        dropped = true;
        stop();
        resume(reason);
      };
      connection.stream("Watch", provider, spec, lastId).subscribe({
        next: (item) => {
          if (finished) return;
          resumes = 0;
          if (item.id) lastId = item.id;
          const event = normalise(item.event);
          if (TERMINAL.has(event.phase)) finished = true;
          onEvent(event);
          if (finished) stop();
        },
        error: (err) => drop(`Lost the connection to the server: ${err && err.message ? err.message : err}`),
        complete: () => (finished ? stop() : drop("Event stream closed unexpectedly")),
      });
      connection.onclose(() => drop("Lost the connection to the server."));
    }

    await connect();
    return {
      transport: "signalr",
      close() {
        finished = true;
        if (current) current.stop().catch(() => {});
      },
    };
  }

  /** The BinderHub way: an EventSource on /build/<provider>/<spec>; the browser resumes it by Last-Event-ID. */
  function streamEventSource(provider, spec, onEvent, buildToken) {
    const url = new URL(`build/${provider}/${spec}`, baseUrl);
    if (buildToken) url.searchParams.set("build_token", buildToken);
    const source = new EventSource(url.toString());
    let finished = false;
    source.onmessage = (message) => {
      if (finished) return;
      let event;
      try {
        event = normalise(JSON.parse(message.data));
      } catch (e) {
        return;
      }
      if (TERMINAL.has(event.phase)) {
        finished = true;
        source.close();
      }
      onEvent(event);
    };
    source.onerror = () => {
      // CONNECTING means the browser is resuming the same session; CLOSED means it gave up.
      if (!finished && source.readyState === EventSource.CLOSED) {
        finished = true;
        onEvent({ phase: "failed", message: "Event stream closed unexpectedly\n" });
      }
    };
    return Promise.resolve({
      transport: "eventsource",
      close() {
        finished = true;
        source.close();
      },
    });
  }

  /** SignalR first; if the hub is unreachable (proxy, old browser), the SSE endpoint. */
  async function watchBuild(provider, spec, onEvent, buildToken) {
    try {
      return await streamSignalR(provider, spec, onEvent, buildToken);
    } catch (e) {
      console.warn("SignalR unavailable, using the event stream instead", e);
      return streamEventSource(provider, spec, onEvent, buildToken);
    }
  }

  // ---- Progress, log, favicon, tips --------------------------------------------------------------------

  // BinderHub's bar: Waiting 10 %, Building 50 %, Pushing 30 %, Launching 10 %; failure fills it red.
  const STATES = ["waiting", "building", "pushing", "launching"];
  const STATE_OF_PHASE = { waiting: "waiting", building: "building", pushing: "pushing", built: "pushing", launching: "launching", ready: "success", failed: "failed" };
  const PERCENT_AT = { idle: 0, waiting: 10, building: 60, pushing: 90, launching: 100, success: 100, failed: 100 };
  const LABEL = {
    idle: "Waiting to start",
    waiting: "Waiting for the build to start",
    building: "Building the environment",
    pushing: "Storing the image",
    launching: "Starting your server",
    success: "Ready! Taking you to your server",
    failed: "Launch failed",
  };
  const FAVICON = { building: "favicon_building.svg", pushing: "favicon_building.svg", launching: "favicon_building.svg", success: "favicon_success.svg", failed: "favicon_fail.svg" };
  const TIPS = [
    "Builds are cached per commit: the second visitor of the same commit skips the build entirely.",
    "Add ?urlpath=lab to a launch link to open JupyterLab instead of the classic notebook view.",
    "Use a tag or a commit SHA as the ref to give readers exactly the environment you tested.",
    "Slow first launch? Pin your dependencies in requirements.txt or environment.yml to keep images small.",
    "The launch URL and badge on the home page can go straight into your README.",
    "Your server is temporary: download anything you change before you close the tab.",
    "Add a postBuild script to your repository for setup steps that run once at build time.",
  ];

  function setFavicon(state) {
    const link = document.getElementById("favicon");
    if (!link) return;
    const name = FAVICON[state] || "favicon.svg";
    link.href = new URL(`static/img/${name}`, baseUrl).toString();
    link.dataset.state = FAVICON[state] ? state : "idle";
  }

  class BuildView {
    constructor(root) {
      this.root = root;
      this.state = "idle";
      this.messages = [];
      this.progress = root.querySelector("#progress");
      this.status = root.querySelector("#build-status");
      this.logContainer = root.querySelector("#log-container");
      this.toggle = root.querySelector("#btn-toggle-log");
      this.tipText = root.querySelector("#tip-text");
      this.buildLogLink = root.querySelector("#build-log-link");
      this.terminal = null;
      this.fit = null;
      this.tipIndex = Math.floor(Math.random() * TIPS.length);
      this.showTip();
      this.tipTimer = window.setInterval(() => this.showTip(), 6000);
      this.toggle.addEventListener("click", () => this.showLog(this.logContainer.hidden));
      root.querySelector("#btn-raw-log").addEventListener("click", () => this.openRaw());
      window.addEventListener("resize", () => this.fitTerminal());
      this.createTerminal();
    }

    createTerminal() {
      if (!window.Terminal) return;
      this.terminal = new window.Terminal({
        convertEol: true,
        disableStdin: true,
        cursorBlink: false,
        fontSize: 13,
        lineHeight: 1.2,
        scrollback: 20000,
        fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, 'Liberation Mono', monospace",
        theme: { background: "#0f1720", foreground: "#d7dde5", cursor: "#0f1720" },
      });
      if (window.FitAddon) {
        this.fit = new window.FitAddon.FitAddon();
        this.terminal.loadAddon(this.fit);
      }
      this.terminal.open(this.root.querySelector("#log"));
      // No newline: the launch clears this line before the first message (as BinderHub's widget does).
      this.terminal.write("Logs will appear here when the image is being built.");
    }

    fitTerminal() {
      if (this.fit && !this.logContainer.hidden) {
        try { this.fit.fit(); } catch (e) { /* not measurable yet */ }
      }
    }

    showTip() {
      if (!this.tipText) return;
      this.tipText.textContent = TIPS[this.tipIndex % TIPS.length];
      this.tipIndex += 1;
    }

    reset() {
      this.messages = [];
      if (this.buildLogLink) this.buildLogLink.hidden = true;
      // RIS through the write queue, so it lands after anything already written.
      if (this.terminal) this.terminal.write("\x1bc");
      this.setState("idle");
    }

    showLog(visible) {
      this.logContainer.hidden = !visible;
      this.toggle.setAttribute("aria-expanded", String(visible));
      this.toggle.textContent = visible ? "Hide logs" : "Show logs";
      if (visible) requestAnimationFrame(() => this.fitTerminal());
    }

    openRaw() {
      const blob = new Blob([this.messages.join("")], { type: "text/plain;charset=utf-8" });
      window.open(URL.createObjectURL(blob), "_blank");
    }

    setState(state) {
      if (this.state !== state) this.root.dispatchEvent(new CustomEvent("binder:state", { detail: state, bubbles: true }));
      this.state = state;
      this.root.dataset.state = state;
      const reached = state === "success" || state === "failed" ? STATES.length : STATES.indexOf(state) + 1;
      this.root.querySelectorAll(".progress-segment").forEach((segment, i) => {
        segment.classList.toggle("active", i < reached);
        segment.classList.toggle("current", i === reached - 1 && state !== "success" && state !== "failed");
      });
      this.root.querySelectorAll(".phase-steps li").forEach((step, i) => {
        step.classList.toggle("done", i < reached - 1 || state === "success");
        step.classList.toggle("current", i === reached - 1 && state !== "success" && state !== "failed");
      });
      this.progress.setAttribute("aria-valuenow", String(PERCENT_AT[state]));
      this.progress.setAttribute("aria-valuetext", LABEL[state]);
      this.status.textContent = LABEL[state];
      setFavicon(state);
      if (state === "failed" || state === "success") window.clearInterval(this.tipTimer);
    }

    /** One event of the stream: log its message, move the bar. */
    handle(event) {
      this.root.dispatchEvent(new CustomEvent("binder:event", { detail: event, bubbles: true }));
      if (event.message !== undefined && event.message !== null) {
        this.messages.push(event.message);
        if (this.terminal) this.terminal.write(event.message);
      }
      const state = STATE_OF_PHASE[event.phase];
      if (state) this.setState(state);
      // A build's last event links to its kept log, readable after this page is gone.
      if (event.build_log_url && this.buildLogLink) {
        this.buildLogLink.href = new URL(event.build_log_url, baseUrl).toString();
        this.buildLogLink.hidden = false;
      }
      if (event.phase === "failed") {
        const last = (event.message || "").trim();
        if (last) this.status.textContent = `Launch failed: ${last.split("\n").pop()}`;
        this.showLog(true);
      }
    }
  }

  /**
   * Runs one launch: streams the build into the view and, on ready, goes to the server (honouring launchPath).
   * Resolves with the terminal event.
   */
  function launch({ provider, spec, launchPath, view, onEnd, buildToken }) {
    view.reset();
    view.setState("waiting");
    if (view.terminal) view.terminal.write("\x1b[2K\r");
    return new Promise((resolve) => {
      watchBuild(provider, spec, (event) => {
        view.handle(event);
        if (event.phase === "ready") {
          const target = serverRedirectUrl(event.url, event.token, launchPath);
          document.body.dataset.redirect = target;
          // Let the "ready" state and icon paint for a moment before leaving the page.
          window.setTimeout(() => { window.location.href = target; }, 150);
        }
        if (TERMINAL.has(event.phase)) {
          if (onEnd) onEnd(event);
          resolve(event);
        }
      }, buildToken);
    });
  }

  window.Binder = {
    config,
    baseUrl,
    providers,
    findProvider,
    effectiveRef,
    shareableUrl,
    launchUrl,
    badgeMarkup,
    urlPathFor,
    detectRepo,
    launchPathFromSearch,
    serverRedirectUrl,
    transports: { signalr: streamSignalR, eventSource: streamEventSource },
    watchBuild,
    BuildView,
    launch,
  };
})();
