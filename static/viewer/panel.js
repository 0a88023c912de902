// The side panel: the selected annotation (text, colour, sharing, delete; author and replies for a shared
// one), the list of the document's annotations, the orphaned ones, and the conflict dialog.
import { ConflictError } from "./store.js";
import { describeRecord } from "./overlay.js";

export class Panel {
  constructor({ root, store, labels }) {
    this.root = root;
    this.store = store;
    this.labels = labels;
    this.current = null; // the record (or draft without id) in the editor
    this.dirty = false;
    this.field = (name) => root.querySelector(`[data-field="${name}"]`);
    this.editor = this.field("editor");
    this.body = this.field("editor-body");
    this.scope = this.field("editor-scope");
    this.people = this.field("editor-people");
    this.body.addEventListener("input", () => (this.dirty = true));
    this.scope.addEventListener("change", () => {
      this.dirty = true;
      this.people.hidden = this.scope.value !== "people";
    });
    this.people.addEventListener("change", () => (this.dirty = true));
    root.querySelectorAll("[data-editor-color]").forEach((button) =>
      button.addEventListener("click", () => {
        this.dirty = true;
        this.markColor(button.dataset.editorColor);
      }),
    );
    const on = (action, handler) => root.querySelector(`[data-action="${action}"]`).addEventListener("click", handler);
    on("save-annotation", () => this.saveEditor());
    on("delete-annotation", () => this.deleteCurrent());
    on("close-editor", () => this.close());
    on("send-reply", () => this.sendReply());
    store.addEventListener("change", () => this.refresh());
  }

  markColor(color) {
    this.root.querySelectorAll("[data-editor-color]").forEach((button) => {
      button.setAttribute("aria-pressed", String(button.dataset.editorColor === color));
    });
  }

  chosenColor() {
    return this.root.querySelector("[data-editor-color][aria-pressed=true]")?.dataset.editorColor;
  }

  sharing() {
    const people = [...this.people.querySelectorAll("input:checked")].map((input) => Number(input.value));
    return { scope: this.scope.value, people: this.scope.value === "people" ? people : [] };
  }

  showError(message) {
    const error = this.field("editor-error");
    error.textContent = message;
    error.hidden = !message;
    if (message && this.editor.hidden) {
      this.field("sync").textContent = message;
    }
  }

  open(record) {
    this.current = record;
    this.dirty = false;
    this.showError("");
    const mine = record.mine !== false;
    const labels = this.labels;
    this.editor.hidden = false;
    this.editor.dataset.annotation = record.id ? String(record.id) : "new";
    this.field("editor-title").textContent = record.id ? labels.kinds[record.kind] : labels.newKinds[record.kind];
    const meta = [labels.page.replace("%(n)s", record.page)];
    if (!mine) meta.push(labels.by.replace("%(name)s", record.author?.name ?? ""));
    this.field("editor-meta").textContent = meta.join(" · ");
    const quote = this.field("editor-quote");
    quote.hidden = !record.quote?.exact;
    quote.textContent = record.quote?.exact ?? "";
    this.field("editor-body-label").textContent = record.kind === "highlight" ? labels.comment : labels.text;
    this.body.value = record.body ?? "";
    this.body.readOnly = !mine;
    this.markColor(record.color);
    this.field("editor-colors").hidden = !mine;
    this.field("editor-sharing").hidden = !mine;
    this.scope.value = record.sharing?.scope ?? "private";
    this.people.hidden = this.scope.value !== "people";
    const chosen = new Set(record.sharing?.people ?? []);
    this.people.querySelectorAll("input").forEach((input) => (input.checked = chosen.has(Number(input.value))));
    this.root.querySelector('[data-action="save-annotation"]').hidden = !mine;
    this.root.querySelector('[data-action="delete-annotation"]').hidden = !mine || !record.id;
    this.renderReplies();
    if (mine) this.body.focus();
  }

  close() {
    this.current = null;
    this.dirty = false;
    this.editor.hidden = true;
    this.dispatchClosed();
  }

  dispatchClosed() {
    this.root.dispatchEvent(new CustomEvent("editorclosed"));
  }

  renderReplies() {
    const record = this.current;
    const section = this.field("replies");
    const shared = record?.id && record.sharing?.scope && record.sharing.scope !== "private";
    section.hidden = !shared;
    if (!shared) return;
    const list = this.field("reply-list");
    list.replaceChildren(
      ...this.store.repliesTo(record.id).map((reply) => {
        const item = document.createElement("li");
        item.dataset.annotation = String(reply.id);
        const author = document.createElement("strong");
        author.textContent = reply.author?.name ?? "";
        item.append(author, ` : ${reply.body}`);
        return item;
      }),
    );
  }

  /** What the editor holds, as the fields of an annotation. */
  editorFields() {
    return { body: this.body.value, color: this.chosenColor(), sharing: this.sharing() };
  }

  async saveEditor() {
    const record = this.current;
    if (!record) return;
    const fields = this.editorFields();
    if (!record.id) {
      try {
        const created = await this.store.create({ ...record, ...fields });
        this.open(created);
        this.root.dispatchEvent(new CustomEvent("selected", { detail: { id: created.id } }));
        this.status(this.labels.saved);
      } catch (error) {
        this.showError(error.message);
      }
      return;
    }
    const saved = await this.save(record, fields);
    if (saved) {
      this.open(saved);
      this.status(this.labels.saved);
    }
  }

  /** Saves changes of an annotation; a conflict opens the dialog. The saved record, or null. */
  async save(record, fields, revision = record.revision) {
    try {
      return await this.store.update(record, fields, revision);
    } catch (error) {
      if (error instanceof ConflictError && error.current) return this.resolveConflict(record, fields, error.current);
      this.showError(error.message);
      this.store.changed([record.id]); // draw it where it was
      return null;
    }
  }

  resolveConflict(record, fields, current) {
    const dialog = this.field("conflict");
    this.field("conflict-mine").textContent = summary({ ...record, ...fields }, this.labels);
    this.field("conflict-theirs").textContent = summary(current, this.labels);
    return new Promise((resolve) => {
      const keep = dialog.querySelector('[data-action="keep-mine"]');
      const take = dialog.querySelector('[data-action="take-theirs"]');
      const finish = async (mine) => {
        keep.removeEventListener("click", keepMine);
        take.removeEventListener("click", takeTheirs);
        dialog.close();
        if (mine) {
          resolve(await this.save(current, fields, current.revision));
        } else {
          this.store.put(current);
          this.store.changed([current.id]);
          if (this.current?.id === current.id) this.open(current);
          resolve(current);
        }
      };
      const keepMine = () => finish(true);
      const takeTheirs = () => finish(false);
      keep.addEventListener("click", keepMine);
      take.addEventListener("click", takeTheirs);
      dialog.showModal();
    });
  }

  async deleteCurrent() {
    const record = this.current;
    if (!record?.id || !window.confirm(this.labels.confirmDelete)) return;
    try {
      await this.store.remove(record);
      this.close();
      this.status(this.labels.deleted);
    } catch (error) {
      if (error instanceof ConflictError && error.current) {
        this.resolveConflict(record, {}, error.current);
      } else {
        this.showError(error.message);
      }
    }
  }

  async sendReply() {
    const record = this.current;
    const field = this.field("reply-body");
    const body = field.value.trim();
    if (!record?.id || !body) return;
    try {
      await this.store.create({
        kind: "note",
        page: record.page,
        color: record.color,
        rects: [],
        ink: [],
        body,
        reply_to: record.id,
        sharing: { scope: record.sharing.scope, people: record.sharing.people ?? [] },
      });
      field.value = "";
    } catch (error) {
      this.showError(error.message);
    }
  }

  status(message) {
    this.field("sync").textContent = message;
  }

  /** After a sync: the lists, and the editor when its annotation changed and holds no unsaved edit. */
  refresh() {
    const records = this.store.topLevel();
    this.field("list-empty").hidden = records.length > 0;
    this.field("annotation-list").replaceChildren(...records.map((record) => this.listItem(record)));
    const orphans = [...this.store.orphaned.values()];
    this.field("orphans").hidden = orphans.length === 0;
    this.field("orphan-list").replaceChildren(
      ...orphans.map((record) => {
        const item = document.createElement("li");
        item.dataset.annotation = String(record.id);
        const from = record.orphaned_from ?? { page: record.page, version_number: "?" };
        const where = document.createElement("strong");
        where.textContent = this.labels.oldPage.replace("%(page)s", from.page).replace("%(version)s", from.version_number);
        item.append(where, ` ${describeRecord(record, this.labels)}`);
        return item;
      }),
    );
    const current = this.current;
    if (!current?.id) return;
    const fresh = this.store.records.get(current.id) ?? this.store.orphaned.get(current.id);
    if (!fresh) {
      this.close();
      this.status(this.labels.deletedElsewhere);
    } else if (fresh.revision !== current.revision && !this.dirty) {
      this.open(fresh);
    } else {
      this.renderReplies();
    }
  }

  listItem(record) {
    const item = document.createElement("li");
    item.id = `annotation-${record.id}`;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "viewer__list-item";
    button.dataset.annotation = String(record.id);
    button.textContent = `${this.labels.pageShort.replace("%(n)s", record.page)} · ${describeRecord(record, this.labels)}`;
    button.addEventListener("click", () =>
      this.root.dispatchEvent(new CustomEvent("selected", { detail: { id: record.id, scroll: true } })),
    );
    item.append(button);
    return item;
  }
}

function summary(record, labels) {
  const parts = [labels.kinds[record.kind]];
  if (record.body) parts.push(`« ${record.body} »`);
  parts.push(`${labels.colour} ${record.color}`);
  parts.push(labels.scopes[record.sharing?.scope ?? "private"]);
  return parts.join(" — ");
}
