// The pages of the document: placeholders for every page, rendered (canvas + text layer) only when they come
// near the screen, thumbnails likewise, zoom, and text search over the pages' text content.
import { TextLayer } from "../vendor/pdfjs/pdf.min.mjs";

const MIN_SCALE = 0.25;
const MAX_SCALE = 5;
const THUMB_WIDTH = 120;

export class PageView {
  constructor(viewer, number) {
    this.viewer = viewer;
    this.number = number;
    this.pdfPage = null;
    this.renderedScale = null;
    this.renderTask = null;
    this.textContent = null;
    this.element = document.createElement("div");
    this.element.className = "vpage";
    this.element.dataset.page = String(number);
    this.element.setAttribute("role", "region");
    this.element.setAttribute("aria-label", viewer.labels.page.replace("%(n)s", number));
    this.canvas = document.createElement("canvas");
    this.textLayer = document.createElement("div");
    this.textLayer.className = "textLayer";
    this.overlay = document.createElement("div");
    this.overlay.className = "vpage__overlay";
    this.element.append(this.canvas, this.textLayer, this.overlay);
  }

  async page() {
    this.pdfPage ??= await this.viewer.pdf.getPage(this.number);
    return this.pdfPage;
  }

  /** The size of the page at `scale` in CSS pixels (page one's until this page is loaded). */
  size(scale) {
    const [x1, y1, x2, y2] = this.pdfPage ? this.pdfPage.view : this.viewer.defaultView;
    const rotate = ((this.pdfPage ? this.pdfPage.rotate : 0) / 90) % 2 === 1;
    const width = (x2 - x1) * scale;
    const height = (y2 - y1) * scale;
    return rotate ? [height, width] : [width, height];
  }

  layout() {
    const [width, height] = this.size(this.viewer.scale);
    this.element.style.width = `${Math.floor(width)}px`;
    this.element.style.height = `${Math.floor(height)}px`;
    this.element.style.setProperty("--scale-factor", String(this.viewer.scale));
    this.element.style.setProperty("--total-scale-factor", String(this.viewer.scale));
  }

  get viewport() {
    return this.pdfPage?.getViewport({ scale: this.viewer.scale });
  }

  async texts() {
    if (!this.textContent) this.textContent = await (await this.page()).getTextContent();
    return this.textContent;
  }

  async render() {
    const scale = this.viewer.scale;
    if (this.renderedScale === scale) return;
    this.renderedScale = scale;
    const page = await this.page();
    this.layout();
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = `${Math.floor(viewport.width)}px`;
    canvas.style.height = `${Math.floor(viewport.height)}px`;
    this.renderTask?.cancel();
    const task = page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
    });
    this.renderTask = task;
    try {
      await task.promise;
    } catch (error) {
      if (error?.name === "RenderingCancelledException") return;
      throw error;
    }
    if (this.renderedScale !== scale) return;
    this.canvas.replaceWith(canvas);
    this.canvas = canvas;
    const textLayer = document.createElement("div");
    textLayer.className = "textLayer";
    await new TextLayer({ textContentSource: await this.texts(), container: textLayer, viewport }).render();
    if (this.renderedScale !== scale) return;
    this.textLayer.replaceWith(textLayer);
    this.textLayer = textLayer;
    this.element.dataset.rendered = "true";
    this.viewer.dispatchEvent(new CustomEvent("pagerendered", { detail: { page: this } }));
  }

  invalidate() {
    this.renderedScale = null;
    this.layout();
  }

  /** PDF point (origin bottom-left of the CropBox) of a point given in client coordinates. */
  toPdf(clientX, clientY) {
    const box = this.element.getBoundingClientRect();
    const [x, y] = this.viewport.convertToPdfPoint(clientX - box.left, clientY - box.top);
    const [vx, vy] = this.pdfPage.view;
    return [round(x - vx), round(y - vy)];
  }

  /** [left, top, width, height] in CSS pixels within the page for a PDF rectangle. */
  toScreen([x1, y1, x2, y2]) {
    const [vx, vy] = this.pdfPage.view;
    const [a, b, c, d] = this.viewport.convertToViewportRectangle([x1 + vx, y1 + vy, x2 + vx, y2 + vy]);
    return [Math.min(a, c), Math.min(b, d), Math.abs(c - a), Math.abs(d - b)];
  }

  screenPoint([x, y]) {
    const [vx, vy] = this.pdfPage.view;
    return this.viewport.convertToViewportPoint(x + vx, y + vy);
  }
}

const round = (value) => Math.round(value * 100) / 100;

/** Text nodes of a text layer in order, with their start offset in the page text (items joined with ""). */
export function textNodes(textLayer) {
  const walker = document.createTreeWalker(textLayer, NodeFilter.SHOW_TEXT);
  const nodes = [];
  let offset = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    nodes.push({ node, start: offset });
    offset += node.data.length;
  }
  return nodes;
}

export function offsetOf(textLayer, container, offset) {
  for (const { node, start } of textNodes(textLayer)) {
    if (node === container) return start + offset;
    if (container.nodeType === Node.ELEMENT_NODE && container.contains(node)) return start;
  }
  return null;
}

export function rangeOf(textLayer, start, end) {
  const nodes = textNodes(textLayer);
  const range = document.createRange();
  let begun = false;
  for (const { node, start: from } of nodes) {
    const to = from + node.data.length;
    if (!begun && start < to) {
      range.setStart(node, start - from);
      begun = true;
    }
    if (begun && end <= to) {
      range.setEnd(node, end - from);
      return range;
    }
  }
  return null;
}

export class Pages extends EventTarget {
  constructor({ pdf, container, thumbnails, labels }) {
    super();
    this.pdf = pdf;
    this.container = container;
    this.thumbnails = thumbnails;
    this.labels = labels;
    this.scale = 1;
    this.views = [];
    this.current = 1;
    this.search = { query: "", page: 0, index: -1 };
  }

  async open() {
    const first = await this.pdf.getPage(1);
    this.defaultView = first.view;
    this.inner = document.createElement("div");
    this.inner.className = "viewer__inner";
    for (let n = 1; n <= this.pdf.numPages; n++) {
      const view = new PageView(this, n);
      if (n === 1) view.pdfPage = first;
      this.views.push(view);
      this.inner.append(view.element);
    }
    this.container.replaceChildren(this.inner);
    this.scale = this.fitWidthScale();
    this.views.forEach((view) => view.layout());
    this.observePages();
    this.buildThumbnails();
    this.container.addEventListener("scroll", () => this.trackCurrentPage(), { passive: true });
  }

  fitWidthScale() {
    const [x1, , x2] = this.defaultView;
    const available = this.container.clientWidth - 32;
    return clamp(Math.min(available / (x2 - x1), 2), MIN_SCALE, MAX_SCALE);
  }

  observePages() {
    this.observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const view = this.views[Number(entry.target.dataset.page) - 1];
          view.visible = entry.isIntersecting;
          if (entry.isIntersecting) view.render().catch((error) => this.failed(error));
        }
      },
      { root: this.container, rootMargin: "100% 0px" },
    );
    this.views.forEach((view) => this.observer.observe(view.element));
  }

  failed(error) {
    this.dispatchEvent(new CustomEvent("error", { detail: { error } }));
  }

  buildThumbnails() {
    const list = document.createElement("ol");
    this.thumbButtons = this.views.map((view) => {
      const item = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "thumb";
      button.dataset.thumb = String(view.number);
      button.setAttribute("aria-label", this.labels.goToPage.replace("%(n)s", view.number));
      const label = document.createElement("span");
      label.textContent = String(view.number);
      button.append(label);
      button.addEventListener("click", () => this.goTo(view.number));
      item.append(button);
      list.append(item);
      return button;
    });
    this.thumbnails.replaceChildren(list);
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          if (!entry.isIntersecting) continue;
          observer.unobserve(entry.target);
          this.renderThumbnail(Number(entry.target.dataset.thumb)).catch((error) => this.failed(error));
        }
      },
      { root: this.thumbnails, rootMargin: "50% 0px" },
    );
    this.thumbButtons.forEach((button) => observer.observe(button));
    this.markCurrent();
  }

  async renderThumbnail(number) {
    const page = await this.views[number - 1].page();
    const [x1, , x2] = page.view;
    const viewport = page.getViewport({ scale: THUMB_WIDTH / (x2 - x1) });
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width);
    canvas.height = Math.floor(viewport.height);
    await page.render({ canvas, canvasContext: canvas.getContext("2d"), viewport }).promise;
    this.thumbButtons[number - 1].prepend(canvas);
  }

  trackCurrentPage() {
    const middle = this.container.scrollTop + this.container.clientHeight / 3;
    let current = 1;
    for (const view of this.views) {
      if (view.element.offsetTop <= middle) current = view.number;
      else break;
    }
    if (current !== this.current) {
      this.current = current;
      this.markCurrent();
    }
  }

  markCurrent() {
    this.thumbButtons?.forEach((button, index) => {
      if (index + 1 === this.current) button.setAttribute("aria-current", "page");
      else button.removeAttribute("aria-current");
    });
    this.dispatchEvent(new CustomEvent("pagechange", { detail: { page: this.current } }));
  }

  goTo(number) {
    const page = clamp(Math.round(number), 1, this.views.length);
    const view = this.views[page - 1];
    this.container.scrollTop = view.element.offsetTop - 8;
    this.current = page;
    this.markCurrent();
    return view;
  }

  async ensureRendered(number) {
    const view = this.goTo(number);
    await view.render();
    return view;
  }

  setScale(scale, anchor = null) {
    const next = clamp(Math.round(scale * 100) / 100, MIN_SCALE, MAX_SCALE);
    if (next === this.scale) return;
    const page = this.current;
    const view = this.views[page - 1];
    const within = (this.container.scrollTop - view.element.offsetTop) / view.element.offsetHeight;
    this.scale = next;
    this.views.forEach((v) => v.invalidate());
    this.container.scrollTop = view.element.offsetTop + within * view.element.offsetHeight;
    if (anchor) this.container.scrollLeft = anchor;
    this.views.filter((v) => v.visible).forEach((v) => v.render().catch((error) => this.failed(error)));
    this.dispatchEvent(new CustomEvent("zoom", { detail: { scale: next } }));
  }

  zoomIn() {
    this.setScale(this.scale * 1.25);
  }

  zoomOut() {
    this.setScale(this.scale / 1.25);
  }

  fitWidth() {
    this.setScale(this.fitWidthScale());
  }

  /** Next (or previous) occurrence of `query` after the current one, across pages; null when none. */
  async find(query, backwards = false) {
    const needle = normalize(query);
    if (!needle) return null;
    if (needle !== this.search.query) this.search = { query: needle, page: this.current, index: backwards ? 1e9 : -1 };
    const count = this.views.length;
    for (let step = 0; step <= count; step++) {
      const number = ((this.search.page - 1 + (backwards ? -step : step) + count * 2) % count) + 1;
      const text = normalize(pageText(await this.views[number - 1].texts()));
      let index;
      if (step === 0) {
        index = backwards
          ? text.lastIndexOf(needle, this.search.index - 1)
          : text.indexOf(needle, this.search.index + 1);
        if (backwards && this.search.index <= 0) index = -1;
      } else {
        index = backwards ? text.lastIndexOf(needle) : text.indexOf(needle);
      }
      if (index >= 0) {
        this.search = { query: needle, page: number, index };
        const view = await this.ensureRendered(number);
        this.showHit(view, index, index + needle.length);
        return { page: number };
      }
    }
    return null;
  }

  showHit(view, start, end) {
    this.inner.querySelectorAll(".search-hit").forEach((hit) => hit.remove());
    const range = rangeOf(view.textLayer, start, end);
    if (!range) return;
    const box = view.element.getBoundingClientRect();
    let first = null;
    for (const rect of range.getClientRects()) {
      const hit = document.createElement("div");
      hit.className = "search-hit";
      hit.style.left = `${rect.left - box.left}px`;
      hit.style.top = `${rect.top - box.top}px`;
      hit.style.width = `${rect.width}px`;
      hit.style.height = `${rect.height}px`;
      view.element.append(hit);
      first ??= hit;
    }
    first?.scrollIntoView({ block: "center", inline: "nearest" });
  }
}

export function pageText(textContent) {
  return textContent.items.map((item) => item.str ?? "").join("");
}

// Case and accents are ignored, one UTF-16 unit for one, so offsets in the normalized text are the text's
const normalize = (text) =>
  text
    .split("")
    .map((c) => c.toLowerCase().normalize("NFD")[0] ?? c)
    .join("");

const clamp = (value, low, high) => Math.min(Math.max(value, low), high);
