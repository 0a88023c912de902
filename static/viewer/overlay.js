// The annotations drawn over each rendered page and the tools that make them: highlight a text selection,
// drop a sticky note or a free-text box, draw with the finger or the pen, select and move.
import { offsetOf, pageText } from "./pages.js";

const SVG = "http://www.w3.org/2000/svg";
const NOTE_SIZE = 18; // points
const TEXT_BOX = [180, 48]; // points
const QUOTE_CONTEXT = 32; // characters of prefix and suffix
const LINE_TOLERANCE = 3; // CSS pixels: selection rectangles closer than this are one line

export class Annotator {
  constructor({ pages, store, labels, actions }) {
    this.pages = pages;
    this.store = store;
    this.labels = labels;
    this.actions = actions; // {select(record), draft(fields), save(record, fields), create(fields), error(message)}
    this.tool = "select";
    this.color = null;
    this.selectedId = null;
    pages.addEventListener("pagerendered", (event) => this.drawPage(event.detail.page));
    store.addEventListener("change", () => this.drawAll());
    const container = pages.container;
    container.addEventListener("pointerup", (event) => this.afterSelection(event));
    container.addEventListener("keyup", (event) => {
      if (event.shiftKey) this.afterSelection(event);
    });
    container.addEventListener("click", (event) => this.placeOnClick(event));
    container.addEventListener("pointerdown", (event) => this.startDrawing(event));
  }

  setTool(tool) {
    this.tool = tool;
    this.pages.container.dataset.activeTool = tool;
  }

  select(id) {
    this.selectedId = id;
    this.pages.container.querySelectorAll(".annot").forEach((element) => {
      element.classList.toggle("is-selected", Number(element.dataset.annotation) === id);
    });
  }

  drawAll() {
    this.pages.views.filter((view) => view.element.dataset.rendered).forEach((view) => this.drawPage(view));
  }

  drawPage(view) {
    const layer = view.overlay;
    layer.replaceChildren();
    for (const record of this.store.onPage(view.number)) {
      for (const element of this.elementsFor(view, record)) {
        element.classList.add("annot", `annot--${record.kind}`);
        if (!record.mine) element.classList.add("annot--shared");
        if (record.id === this.selectedId) element.classList.add("is-selected");
        element.dataset.annotation = String(record.id);
        element.addEventListener("click", (event) => {
          if (this.tool !== "select") return;
          event.stopPropagation();
          this.actions.select(record.id);
        });
        element.addEventListener("pointerdown", (event) => this.startMove(event, view, record, element));
        layer.append(element);
      }
    }
  }

  elementsFor(view, record) {
    const describe = describeRecord(record, this.labels);
    if (record.kind === "ink") {
      const svg = document.createElementNS(SVG, "svg");
      svg.setAttribute("width", view.element.style.width.replace("px", ""));
      svg.setAttribute("height", view.element.style.height.replace("px", ""));
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", describe);
      for (const stroke of record.ink) {
        const line = document.createElementNS(SVG, "polyline");
        line.setAttribute("points", stroke.map((point) => view.screenPoint(point).join(",")).join(" "));
        line.setAttribute("stroke", record.color);
        line.setAttribute("stroke-width", String(2 * this.pages.scale));
        svg.append(line);
      }
      return [svg];
    }
    return record.rects.map((rect, index) => {
      const isButton = record.kind === "note" || (record.kind === "highlight" && index === 0);
      const element = document.createElement(isButton ? "button" : "div");
      if (isButton) {
        element.type = "button";
        element.setAttribute("aria-label", describe);
      }
      place(element, view.toScreen(rect));
      if (record.kind === "highlight") element.style.backgroundColor = record.color;
      else element.style.setProperty("--annot-color", record.color);
      if (record.kind === "note") element.textContent = "✎";
      if (record.kind === "text") {
        element.textContent = record.body;
        element.style.fontSize = `${12 * this.pages.scale}px`;
      }
      if (record.body && record.kind === "highlight") element.title = record.body;
      return element;
    });
  }

  pageOf(node) {
    const element = node?.nodeType === Node.ELEMENT_NODE ? node : node?.parentElement;
    const page = element?.closest(".vpage");
    return page ? this.pages.views[Number(page.dataset.page) - 1] : null;
  }

  /** The highlight tool: the current text selection becomes a highlight (one rectangle per line). */
  afterSelection() {
    if (this.tool === "highlight") this.highlightSelection();
  }

  /** The text selected on one page becomes a highlight (also the "Surligner la sélection" button, for touch
   * screens, where the selection is adjusted with handles after the finger is lifted). */
  highlightSelection() {
    const selection = document.getSelection();
    if (!selection || selection.isCollapsed || selection.rangeCount === 0) return false;
    const range = selection.getRangeAt(0);
    const view = this.pageOf(range.startContainer);
    if (!view || this.pageOf(range.endContainer) !== view) {
      this.actions.error(this.labels.onePage);
      return;
    }
    const fields = this.highlightFields(view, range);
    selection.removeAllRanges();
    if (fields) this.actions.create(fields);
    return true;
  }

  highlightFields(view, range) {
    const lines = [];
    for (const rect of range.getClientRects()) {
      if (rect.width < 1 || rect.height < 1) continue;
      const line = lines.find((l) => Math.abs(l.top - rect.top) < LINE_TOLERANCE && Math.abs(l.bottom - rect.bottom) < LINE_TOLERANCE);
      if (line) {
        line.left = Math.min(line.left, rect.left);
        line.right = Math.max(line.right, rect.right);
      } else {
        lines.push({ left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom });
      }
    }
    if (!lines.length) return null;
    const rects = lines.map((line) => {
      const [x1, y1] = view.toPdf(line.left, line.bottom);
      const [x2, y2] = view.toPdf(line.right, line.top);
      return [Math.min(x1, x2), Math.min(y1, y2), Math.max(x1, x2), Math.max(y1, y2)];
    });
    const text = pageText(view.textContent);
    const start = offsetOf(view.textLayer, range.startContainer, range.startOffset);
    const end = offsetOf(view.textLayer, range.endContainer, range.endOffset);
    const known = start !== null && end !== null && end > start;
    const exact = known ? text.slice(start, end) : range.toString();
    return {
      kind: "highlight",
      page: view.number,
      color: this.color,
      rects,
      quote: {
        exact,
        prefix: known ? text.slice(Math.max(0, start - QUOTE_CONTEXT), start) : "",
        suffix: known ? text.slice(end, end + QUOTE_CONTEXT) : "",
      },
      position: known ? { start, end } : null,
    };
  }

  /** Note and free-text tools: a click on the page opens a new note (or box) there, saved from the panel. */
  placeOnClick(event) {
    if (this.tool !== "note" && this.tool !== "text") return;
    const view = this.pageOf(event.target);
    if (!view?.pdfPage) return;
    const [x, y] = view.toPdf(event.clientX, event.clientY);
    const rect =
      this.tool === "note"
        ? [x, y - NOTE_SIZE, x + NOTE_SIZE, y]
        : [x, y - TEXT_BOX[1], x + TEXT_BOX[0], y];
    this.actions.draft({ kind: this.tool, page: view.number, color: this.color, rects: [rect], ink: [] });
  }

  /** Ink tool: one stroke per annotation, drawn with pointer events (finger, pen or mouse). */
  startDrawing(event) {
    if (this.tool !== "ink" || !event.isPrimary) return;
    const view = this.pageOf(event.target);
    if (!view?.pdfPage) return;
    event.preventDefault();
    const layer = view.overlay;
    layer.setPointerCapture(event.pointerId);
    const svg = document.createElementNS(SVG, "svg");
    svg.classList.add("ink-draft");
    svg.setAttribute("width", view.element.style.width.replace("px", ""));
    svg.setAttribute("height", view.element.style.height.replace("px", ""));
    const line = document.createElementNS(SVG, "polyline");
    line.setAttribute("stroke", this.color);
    line.setAttribute("stroke-width", String(2 * this.pages.scale));
    svg.append(line);
    layer.append(svg);
    const points = [view.toPdf(event.clientX, event.clientY)];
    const redraw = () => line.setAttribute("points", points.map((p) => view.screenPoint(p).join(",")).join(" "));
    const move = (moveEvent) => {
      if (moveEvent.pointerId !== event.pointerId) return;
      const point = view.toPdf(moveEvent.clientX, moveEvent.clientY);
      const last = points[points.length - 1];
      if (Math.hypot(point[0] - last[0], point[1] - last[1]) >= 1) {
        points.push(point);
        redraw();
      }
    };
    const end = () => {
      layer.removeEventListener("pointermove", move);
      layer.removeEventListener("pointerup", end);
      layer.removeEventListener("pointercancel", end);
      svg.remove();
      if (points.length < 2) return;
      const xs = points.map((p) => p[0]);
      const ys = points.map((p) => p[1]);
      const rect = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      this.actions.create({ kind: "ink", page: view.number, color: this.color, rects: [rect], ink: [points] });
    };
    layer.addEventListener("pointermove", move);
    layer.addEventListener("pointerup", end);
    layer.addEventListener("pointercancel", end);
  }

  /** Drag a selected note, text box or drawing of mine to move it. */
  startMove(event, view, record, element) {
    if (this.tool !== "select" || !record.mine || record.kind === "highlight" || record.id !== this.selectedId) return;
    event.preventDefault();
    element.setPointerCapture(event.pointerId);
    const start = [event.clientX, event.clientY];
    let moved = false;
    const move = (moveEvent) => {
      const dx = moveEvent.clientX - start[0];
      const dy = moveEvent.clientY - start[1];
      moved = moved || Math.hypot(dx, dy) > 3;
      element.style.translate = `${dx}px ${dy}px`;
    };
    const end = (endEvent) => {
      element.removeEventListener("pointermove", move);
      element.removeEventListener("pointerup", end);
      if (!moved) {
        element.style.translate = "";
        return;
      }
      const [x0, y0] = view.toPdf(start[0], start[1]);
      const [x1, y1] = view.toPdf(endEvent.clientX, endEvent.clientY);
      const dx = x1 - x0;
      const dy = y1 - y0;
      const shift = ([x, y]) => [round(x + dx), round(y + dy)];
      this.actions.save(record, {
        rects: record.rects.map(([a, b, c, d]) => [...shift([a, b]), ...shift([c, d])]),
        ink: record.ink.map((stroke) => stroke.map(shift)),
      });
    };
    element.addEventListener("pointermove", move);
    element.addEventListener("pointerup", end);
  }
}

function place(element, [left, top, width, height]) {
  element.style.left = `${left}px`;
  element.style.top = `${top}px`;
  element.style.width = `${width}px`;
  element.style.height = `${height}px`;
}

const round = (value) => Math.round(value * 100) / 100;

export function describeRecord(record, labels) {
  const kind = labels.kinds[record.kind];
  const text = record.body || record.quote?.exact || "";
  const author = record.mine ? "" : ` — ${record.author?.name ?? ""}`;
  return `${kind}${author}${text ? ` : ${text.slice(0, 80)}` : ""}`;
}
