/* A card per item of the annotation file (and per reference entry drafted from the article):
 * accept, edit, reject, kept as pending operations until Save sends them in one batch. */
import { $, element, keysOf } from "./review-dom.js";
import { openEditor } from "./review-forms.js";
import { redrawSpans, scrollToSpan, toUtf16 } from "./review-spans.js";
import { app } from "./review-state.js";

const SECTION_KINDS = { statements: "statement", entities: "entity", roles: "role", mentions: "mention" };

// -- pending operations ---------------------------------------------------------------------------
export function pendingFor(section, index) {
  return app.pending.filter((op) => op.section === section && op.index === index);
}

export function decide(section, index, op) {
  const same = (p) => p.section === section && p.index === index;
  app.pending = app.pending.filter((p) => !(same(p) && (p.op === "accept" || p.op === "reject")));
  if (op === "reject") app.pending = app.pending.filter((p) => !same(p));
  app.pending.push({ op, section, index });
  afterChange();
}

function decideReference(key, op) {
  app.pending = app.pending.filter((p) => p.key !== key);
  app.pending.push({ op, key });
  afterChange();
}

export function editItem(section, index, changes) {
  let edit = app.pending.find((p) => p.op === "edit" && p.section === section && p.index === index);
  if (!edit) {
    edit = { op: "edit", section, index, changes: {} };
    app.pending.push(edit);
  }
  Object.assign(edit.changes, changes);
  afterChange();
}

export function afterChange() {
  const count = app.pending.length;
  $("#pending-count").textContent = count ? `${count} unsaved change(s)` : "";
  const keep = app.current;
  renderCards();
  redrawSpans();
  if (keep >= 0) setCurrent(Math.min(keep, app.cards.length - 1), false);
}

// -- cards ----------------------------------------------------------------------------------------
export function itemView(section, index) {
  const item = Object.assign({}, app.state.sections[section][index]);
  for (const op of pendingFor(section, index)) if (op.op === "edit") Object.assign(item, op.changes);
  return item;
}

function describe(section, item) {
  if (section === "statements") {
    const target = item.target ? ` → ${keysOf(item.target)}` : item.provisions ? " → provisions" : "";
    return [`${item.id} ${item.type} ${item.stance || ""}${target}`, item.summary];
  }
  if (section === "mentions") return [`“${item.quote}” → ${item.ref}`, item.note];
  if (section === "entities") return [`${item.key} (${item.type})`, item.label];
  if (section === "roles") return [`${item.holder}: ${item.label || item.role_type}`, keysOf(item.in)];
  return [JSON.stringify(item), ""];
}

export function renderCards() {
  const state = app.state;
  const box = $("#cards");
  box.replaceChildren();
  app.cards = [];
  if (state.drafted_reference.length) {
    box.append(element("h3", {}, "Reference individuals drafted from this article"));
    for (const entry of state.drafted_reference) box.append(referenceCard(entry));
  }
  for (const section of ["statements", "entities", "roles", "mentions"]) {
    const items = state.sections[section];
    if (!items.length) continue;
    box.append(element("h3", {}, `${section} (${items.length})`));
    items.forEach((_, index) => box.append(itemCard(section, index)));
  }
  const additions = app.pending.filter((p) => p.op.startsWith("add_"));
  if (additions.length) {
    box.append(element("h3", {}, "new (unsaved)"));
    for (const op of additions) box.append(element("div", { class: "card new" }, element("span", { class: "state" }, "new "), newDescription(op)));
  }
}

function newDescription(op) {
  const quote = op.start !== undefined ? `“${app.state.text.slice(toUtf16(op.start), toUtf16(op.end))}”` : "";
  if (op.op === "add_mention") return `mention ${quote} → ${op.ref}`;
  if (op.op === "add_statement") return `statement ${op.fields.type} ${op.fields.stance || ""} → ${keysOf(op.fields.target)}: ${quote}`;
  return `individual ${op.key} (${op.type}) “${op.label}”, from ${quote}`;
}

function referenceCard(entry) {
  const decided = app.pending.find((p) => (p.op === "accept_reference" || p.op === "reject_reference") && p.key === entry.key);
  const card = element(
    "div",
    { class: `card reference ${decided ? (decided.op === "accept_reference" ? "accepted" : "rejected") : ""}`, "data-key": entry.key },
    element("div", { class: "head" }, element("span", { class: "title" }, `${entry.key} (${entry.type})`), element("span", { class: "state" }, decided ? decided.op.replace("_reference", "ed") : entry.review)),
    element("div", { class: "fields" }, `${entry.label} — ${entry.file}:${entry.line}`),
  );
  const accept = () => decideReference(entry.key, "accept_reference");
  const reject = () => decideReference(entry.key, "reject_reference");
  card.append(element("div", { class: "actions" }, element("button", { type: "button", onclick: accept }, "Accept"), element("button", { type: "button", onclick: reject }, "Reject")));
  app.cards.push({ element: card, section: "reference", key: entry.key, accept, reject });
  return card;
}

function itemCard(section, index) {
  const state = app.state;
  const item = itemView(section, index);
  const ops = pendingFor(section, index).map((p) => p.op);
  const decided = ops.includes("reject") ? "rejected" : ops.includes("accept") ? "accepted" : "";
  const edited = ops.includes("edit") ? "edited" : "";
  const [title, detail] = describe(section, item);
  const label = [decided || item._review, edited].filter(Boolean).join(", ");
  const card = element(
    "div",
    { class: `card ${SECTION_KINDS[section]} ${decided} ${edited}`, "data-section": section, "data-index": index, tabindex: "-1" },
    element("div", { class: "head" }, element("span", { class: "title" }, title), element("span", { class: "state" }, label)),
    detail ? element("div", { class: "fields" }, detail) : null,
  );
  if (section === "statements") {
    const evidence = [].concat(item.evidence || []).map((e) => (typeof e === "string" ? e : e.quote));
    card.append(element("div", { class: "fields" }, element("code", {}, `by: ${keysOf(item.by) || "(the region's author)"}`), " ", element("code", {}, `modality: ${item.modality || "certain"}`), " evidence: ", evidence.map((e) => `“${e}”`).join(" · ")));
  }
  for (const issue of state.errors.filter((i) => i.section === section && i.index === index)) {
    card.append(element("div", { class: "issue", "data-field": issue.item_field || "" }, `line ${issue.line}: ${issue.item_field || issue.field}: ${issue.message}`));
  }
  for (const issue of state.warnings.filter((i) => i.section === section && i.index === index)) {
    card.append(element("div", { class: "warning" }, `line ${issue.line}: ${issue.message}`));
  }
  const accept = () => decide(section, index, "accept");
  const reject = () => decide(section, index, "reject");
  const edit = () => openEditor(card, section, index);
  if (!state.readonly) {
    card.append(
      element(
        "div",
        { class: "actions" },
        element("button", { type: "button", class: "accept", onclick: accept }, "Accept (a)"),
        element("button", { type: "button", class: "edit", onclick: edit }, "Edit (e)"),
        element("button", { type: "button", class: "reject", onclick: reject }, "Reject (r)"),
      ),
    );
  }
  card.addEventListener("click", () => setCurrent(app.cards.findIndex((c) => c.element === card), false));
  app.cards.push({ element: card, section, index, accept, reject, edit });
  return card;
}

export function setCurrent(position, scroll) {
  const cards = app.cards;
  if (position < 0 || position >= cards.length) return;
  if (app.current >= 0 && cards[app.current]) cards[app.current].element.classList.remove("current");
  app.current = position;
  const card = cards[position];
  card.element.classList.add("current");
  if (scroll) card.element.scrollIntoView({ block: "nearest" });
  scrollToSpan(card.section, card.index);
}

export function renderErrors() {
  const state = app.state;
  const box = $("#file-errors");
  box.replaceChildren();
  const unplaced = state.errors.filter((i) => i.section === undefined);
  if (unplaced.length) {
    const intro = state.readonly ? "This file cannot be parsed; it is shown read-only and will not be written. Fix it in an editor:" : "Errors of this file:";
    box.append(element("div", { class: "banner error" }, intro, element("ul", {}, unplaced.map((i) => element("li", {}, `${i.file}:${i.line}: ${i.field}: ${i.message}`)))));
  }
  const placed = state.errors.length - unplaced.length;
  if (placed) box.append(element("div", { class: "banner error" }, `${placed} error(s) shown at their items below.`));
  const others = (state.other_errors || []).length;
  if (others) box.append(element("div", { class: "banner warn" }, `${others} error(s) in other files of the corpus (peacekg annotations validate lists them).`));
}
