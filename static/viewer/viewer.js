// The document viewer (templates/web/documents/viewer.html): PDF.js loads the file by byte ranges, so page one
// shows before the rest of a large dossier has arrived; the annotations are kept in step with the server.
import { GlobalWorkerOptions, getDocument } from "../vendor/pdfjs/pdf.min.mjs";
import { Annotator } from "./overlay.js";
import { Pages } from "./pages.js";
import { Panel } from "./panel.js";
import { AnnotationStore } from "./store.js";

const RANGE_CHUNK = 256 * 1024;
const WHEEL_ZOOM = 1.1;

const root = document.getElementById("viewer");
const settings = JSON.parse(document.getElementById("viewer-settings").textContent);
const labels = settings.labels;
const field = (name) => root.querySelector(`[data-field="${name}"]`);

GlobalWorkerOptions.workerSrc = settings.workerUrl;

async function start() {
  const pdf = await getDocument({
    url: settings.pdfUrl,
    disableAutoFetch: true,
    disableStream: true,
    rangeChunkSize: RANGE_CHUNK,
    isEvalSupported: false,
    enableXfa: false,
    standardFontDataUrl: settings.standardFontDataUrl,
    cMapUrl: settings.cMapUrl,
    cMapPacked: true,
    wasmUrl: settings.wasmUrl,
  }).promise;
  const pages = new Pages({ pdf, container: field("pages"), thumbnails: root.querySelector(".viewer__thumbs"), labels });
  await pages.open();
  field("page-count").textContent = `/ ${pdf.numPages}`;
  field("page-number").max = String(pdf.numPages);
  root.dataset.state = "ready";

  const store = new AnnotationStore({
    listUrl: settings.annotationsUrl,
    itemUrl: settings.annotationUrl,
    csrfToken: settings.csrfToken,
    labels,
  });
  const panel = new Panel({ root, store, labels });
  const annotator = new Annotator({
    pages,
    store,
    labels,
    actions: {
      select: (id) => selectAnnotation(id),
      draft: (fields) => {
        annotator.select(null);
        panel.open({ ...fields, body: "", sharing: { scope: "private", people: [] }, mine: true });
      },
      save: (record, fields) => panel.save(record, fields),
      create: async (fields) => {
        try {
          const record = await store.create({ body: "", sharing: { scope: "private", people: [] }, ink: [], ...fields });
          selectAnnotation(record.id);
        } catch (error) {
          panel.showError(error.message);
        }
      },
      error: (message) => panel.status(message),
    },
  });

  function selectAnnotation(id, scroll = false) {
    const record = store.records.get(id);
    if (!record) return;
    annotator.select(id);
    panel.open(record);
    if (scroll) pages.goTo(record.page);
  }
  root.addEventListener("selected", (event) => selectAnnotation(event.detail.id, event.detail.scroll));
  root.addEventListener("editorclosed", () => annotator.select(null));
  pages.addEventListener("error", (event) => panel.status(`${labels.renderError} (${event.detail.error})`));
  pages.addEventListener("pagechange", (event) => (field("page-number").value = String(event.detail.page)));
  pages.addEventListener("zoom", (event) => (field("zoom").textContent = `${Math.round(event.detail.scale * 100)} %`));
  field("zoom").textContent = `${Math.round(pages.scale * 100)} %`;
  store.addEventListener("status", (event) => panel.status(event.detail.online ? labels.online : labels.offline));

  setUpToolbar(pages, annotator);
  setUpKeyboard(pages);
  setUpGestures(pages);

  const wanted = new URLSearchParams(window.location.search).get("page");
  if (wanted) pages.goTo(Number(wanted));
  try {
    await store.load();
  } catch (error) {
    panel.status(error.message);
  }
  store.startPolling();
  const target = window.location.hash.match(/^#annotation-(\d+)$/);
  if (target) selectAnnotation(Number(target[1]), true);
}

function setUpToolbar(pages, annotator) {
  const on = (action, handler) => root.querySelector(`[data-action="${action}"]`).addEventListener("click", handler);
  on("previous-page", () => pages.goTo(pages.current - 1));
  on("next-page", () => pages.goTo(pages.current + 1));
  on("zoom-in", () => pages.zoomIn());
  on("zoom-out", () => pages.zoomOut());
  on("fit-width", () => pages.fitWidth());
  on("thumbnails", (event) => {
    const shown = event.currentTarget.getAttribute("aria-pressed") !== "true";
    event.currentTarget.setAttribute("aria-pressed", String(shown));
    root.classList.toggle("viewer--no-thumbs", !shown);
  });
  field("page-number").addEventListener("change", (event) => pages.goTo(Number(event.target.value) || 1));

  const search = field("search");
  const status = field("search-status");
  const find = async (backwards) => {
    const found = await pages.find(search.value, backwards);
    status.textContent = found ? labels.foundOn.replace("%(n)s", found.page) : search.value ? labels.notFound : "";
  };
  root.querySelector('[data-form="search"]').addEventListener("submit", (event) => {
    event.preventDefault();
    find(false);
  });
  on("find-previous", () => find(true));
  search.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.shiftKey) {
      event.preventDefault();
      find(true);
    }
  });

  const tools = root.querySelectorAll("button[data-tool]");
  tools.forEach((button) =>
    button.addEventListener("click", () => {
      tools.forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      annotator.setTool(button.dataset.tool);
    }),
  );
  annotator.setTool("select");
  const highlightButton = root.querySelector('[data-action="highlight-selection"]');
  highlightButton.addEventListener("pointerdown", (event) => event.preventDefault()); // keeps the selection
  highlightButton.addEventListener("click", () => {
    if (annotator.highlightSelection() === false) field("sync").textContent = labels.selectFirst;
  });
  const swatches = root.querySelectorAll(".viewer__toolbar [data-color]");
  swatches.forEach((button) =>
    button.addEventListener("click", () => {
      swatches.forEach((other) => other.setAttribute("aria-pressed", String(other === button)));
      annotator.color = button.dataset.color;
    }),
  );
  annotator.color = settings.palette[0];
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable=true], dialog");
}

function setUpKeyboard(pages) {
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "f") {
      event.preventDefault();
      field("search").focus();
      field("search").select();
      return;
    }
    if (typing(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    const actions = {
      ArrowDown: () => pages.goTo(pages.current + 1),
      ArrowRight: () => pages.goTo(pages.current + 1),
      PageDown: () => pages.goTo(pages.current + 1),
      ArrowUp: () => pages.goTo(pages.current - 1),
      ArrowLeft: () => pages.goTo(pages.current - 1),
      PageUp: () => pages.goTo(pages.current - 1),
      Home: () => pages.goTo(1),
      End: () => pages.goTo(pages.views.length),
      "+": () => pages.zoomIn(),
      "=": () => pages.zoomIn(),
      "-": () => pages.zoomOut(),
    };
    const action = actions[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}

function setUpGestures(pages) {
  const container = pages.container;
  container.addEventListener(
    "wheel",
    (event) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      pages.setScale(event.deltaY < 0 ? pages.scale * WHEEL_ZOOM : pages.scale / WHEEL_ZOOM);
    },
    { passive: false },
  );
  // Pinch: two touch points; the pages are scaled by CSS while the fingers move, re-rendered at the end
  const touches = new Map();
  let pinch = null;
  const distance = () => {
    const [a, b] = [...touches.values()];
    return Math.hypot(a.x - b.x, a.y - b.y);
  };
  container.addEventListener("pointerdown", (event) => {
    if (event.pointerType !== "touch") return;
    touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (touches.size === 2) pinch = { start: distance(), ratio: 1 };
  });
  container.addEventListener("pointermove", (event) => {
    if (!touches.has(event.pointerId)) return;
    touches.set(event.pointerId, { x: event.clientX, y: event.clientY });
    if (pinch && touches.size === 2) {
      pinch.ratio = distance() / pinch.start;
      pages.inner.style.transform = `scale(${pinch.ratio})`;
    }
  });
  const release = (event) => {
    touches.delete(event.pointerId);
    if (pinch && touches.size < 2) {
      pages.inner.style.transform = "";
      pages.setScale(pages.scale * pinch.ratio);
      pinch = null;
    }
  };
  container.addEventListener("pointerup", release);
  container.addEventListener("pointercancel", release);
}

start().catch((error) => {
  root.dataset.state = "error";
  (field("loading") ?? field("sync")).textContent = `${labels.loadError} (${error.message ?? error})`;
});
