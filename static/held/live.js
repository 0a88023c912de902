// Live updates of the sitting screens (templates/web/sittings/held/): the page polls its live route every
// second and writes what changed into the elements that name a field of the answer. Polling, not server-sent
// events: `quorum serve` has a fixed pool of request threads (waitress, SERVE_THREADS) and gunicorn's gthread
// workers too, so one held-open stream per tablet would take a thread each; a poll is one short request.
//
//   <main data-live-url="…" data-live-phase="…">   the route and the phase the page was drawn for
//   data-live-text="vote.cast"                      textContent = that field
//   data-live-list="vote.waiting"                   one <li> per string of that list
//   data-live-show="vote.open"                      shown when the field is true, hidden otherwise
//   data-live-value="vote.cast" data-live-max="vote.entitled"   a <progress> bar's value and maximum
//
// When the answer's `phase` is no longer the page's (an item became current, a vote opened or closed, the
// sitting closed), the page is loaded again, since its buttons change; not while someone is typing in a field.
const POLL_MS = 1000;
const root = document.querySelector("[data-live-url]");

function valueAt(state, path) {
  return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), state);
}

function typing() {
  const active = document.activeElement;
  return active && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName) && active.type !== "submit";
}

function apply(state) {
  for (const element of root.querySelectorAll("[data-live-text]")) {
    const value = valueAt(state, element.dataset.liveText);
    const text = value == null ? "" : String(value);
    if (element.textContent !== text) element.textContent = text;
  }
  for (const element of root.querySelectorAll("[data-live-list]")) {
    const values = valueAt(state, element.dataset.liveList) || [];
    const current = Array.from(element.children, (child) => child.textContent);
    if (current.length === values.length && current.every((text, index) => text === values[index])) continue;
    element.replaceChildren(
      ...values.map((text) => {
        const item = document.createElement("li");
        item.textContent = text;
        return item;
      }),
    );
  }
  for (const element of root.querySelectorAll("[data-live-value]")) {
    element.value = Number(valueAt(state, element.dataset.liveValue)) || 0;
    if (element.dataset.liveMax) element.max = Math.max(1, Number(valueAt(state, element.dataset.liveMax)) || 0);
  }
  for (const element of root.querySelectorAll("[data-live-show]")) {
    element.hidden = !valueAt(state, element.dataset.liveShow);
  }
  root.dataset.liveVersion = state.version;
}

async function poll() {
  try {
    const response = await fetch(root.dataset.liveUrl, {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    });
    if (response.ok) {
      const state = await response.json();
      if (state.phase !== root.dataset.livePhase && !typing()) {
        window.location.reload();
        return;
      }
      if (state.version !== root.dataset.liveVersion) apply(state);
      root.dataset.liveState = "ok";
    } else {
      root.dataset.liveState = "error";
    }
  } catch {
    root.dataset.liveState = "error"; // the network came and went: the next poll tries again
  }
  window.setTimeout(poll, POLL_MS);
}

if (root) window.setTimeout(poll, POLL_MS);
