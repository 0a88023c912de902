// The annotations the viewer shows, kept in step with the server (saas/documents/annotation_views.py):
// a full load, then `?since=<cursor>` every few seconds and whenever the tab comes back to the front.
// Every write sends the revision it read; a 409 comes back as a ConflictError holding the server's record.

export class ConflictError extends Error {
  constructor(current, message) {
    super(message);
    this.current = current;
  }
}

export class RequestError extends Error {}

const POLL_MS = 3000;
// what a client may send (the server refuses any other field)
const WRITABLE = ["kind", "page", "color", "rects", "ink", "body", "quote", "position", "sharing", "reply_to"];

const writable = (fields) => Object.fromEntries(Object.entries(fields).filter(([name]) => WRITABLE.includes(name)));

/** The French message of an error answer, with the fields' own messages. */
function errorMessage(data) {
  const error = data.error ?? data;
  if (!error.message) return null;
  const details = Object.values(error.errors ?? {}).flatMap((value) => (Array.isArray(value) ? value : [value]));
  return [error.message, ...details.filter((detail) => typeof detail === "string")].join(" ");
}

export class AnnotationStore extends EventTarget {
  constructor({ listUrl, itemUrl, csrfToken, labels }) {
    super();
    this.listUrl = listUrl;
    this.itemUrl = itemUrl;
    this.csrfToken = csrfToken;
    this.labels = labels;
    this.records = new Map();
    this.orphaned = new Map();
    this.cursor = null;
    this.syncing = null;
    this.online = true;
  }

  async request(method, url, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") headers["X-CSRFToken"] = this.csrfToken;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      this.setOnline(false);
      throw new RequestError(this.labels.offline);
    }
    this.setOnline(true);
    if (response.status === 204) return null;
    const data = await response.json().catch(() => ({}));
    if (response.status === 409) {
      throw new ConflictError(data.error?.current ?? null, data.error?.message ?? this.labels.conflict);
    }
    if (!response.ok) throw new RequestError(errorMessage(data) ?? this.labels.serverError);
    return data;
  }

  setOnline(online) {
    if (online === this.online) return;
    this.online = online;
    this.dispatchEvent(new CustomEvent("status", { detail: { online } }));
  }

  changed(ids) {
    this.dispatchEvent(new CustomEvent("change", { detail: { ids } }));
  }

  put(record) {
    if (record.orphaned) {
      this.records.delete(record.id);
      this.orphaned.set(record.id, record);
    } else {
      this.orphaned.delete(record.id);
      this.records.set(record.id, record);
    }
  }

  apply(data, full) {
    if (full) {
      this.records.clear();
      this.orphaned.clear();
    }
    const ids = [];
    for (const record of [...(data.annotations ?? []), ...(data.orphaned ?? [])]) {
      this.put(record);
      ids.push(record.id);
    }
    for (const id of data.deleted ?? []) {
      this.records.delete(id);
      this.orphaned.delete(id);
      ids.push(id);
    }
    if (data.cursor) this.cursor = data.cursor;
    if (full || ids.length) this.changed(ids);
  }

  async load() {
    this.apply(await this.request("GET", this.listUrl), true);
  }

  /** Changes since the last cursor; one request at a time. */
  sync() {
    if (this.syncing) return this.syncing;
    const url = this.cursor ? `${this.listUrl}?since=${encodeURIComponent(this.cursor)}` : this.listUrl;
    this.syncing = this.request("GET", url)
      .then((data) => this.apply(data, !this.cursor))
      .catch(() => {})
      .finally(() => {
        this.syncing = null;
      });
    return this.syncing;
  }

  startPolling() {
    setInterval(() => {
      if (document.visibilityState === "visible") this.sync();
    }, POLL_MS);
    window.addEventListener("focus", () => this.sync());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.sync();
    });
  }

  async create(fields) {
    const record = await this.request("POST", this.listUrl, writable(fields));
    this.put(record);
    this.changed([record.id]);
    return record;
  }

  async update(record, fields, revision = record.revision) {
    const saved = await this.request("PATCH", `${this.itemUrl}${record.id}`, { ...writable(fields), revision });
    this.put(saved);
    this.changed([saved.id]);
    return saved;
  }

  async remove(record, revision = record.revision) {
    await this.request("DELETE", `${this.itemUrl}${record.id}?revision=${revision}`);
    this.records.delete(record.id);
    this.orphaned.delete(record.id);
    this.changed([record.id]);
  }

  /** Annotations drawn on the page (replies are shown under the one they answer). */
  onPage(page) {
    return [...this.records.values()].filter((r) => r.page === page && r.reply_to == null);
  }

  repliesTo(id) {
    return [...this.records.values()]
      .filter((r) => r.reply_to === id)
      .sort((a, b) => a.created_at.localeCompare(b.created_at));
  }

  topLevel() {
    return [...this.records.values()]
      .filter((r) => r.reply_to == null)
      .sort((a, b) => a.page - b.page || a.id - b.id);
  }
}
