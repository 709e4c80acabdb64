/* The forms of the review page: editing an item (its fields from the format's field table, sent by
 * GET api/vocabulary), and a new mention, statement or reference individual from a text selection. */
import { autocomplete } from "./review-autocomplete.js";
import { afterChange, editItem, itemView } from "./review-cards.js";
import { $, element, keysOf, message, slug } from "./review-dom.js";
import { toUtf16 } from "./review-spans.js";
import { app } from "./review-state.js";

// [name, kind, more]: kind is a scheme's name (a select), "keys"/"key" (autocomplete), "bool",
// "text", or "json" for structured values (dates, quantities, provisions); "more" fields are folded.
function fieldsFor(section, item) {
  if (section === "statements") {
    const fields = (app.vocabulary.statement_fields[item.type] || []).map((f) => {
      const kind = f.kind === "concept" ? f.scheme : f.kind === "statements" ? "keys" : ["keys", "key", "bool", "text"].includes(f.kind) ? f.kind : "json";
      return [f.name, kind, f.more];
    });
    return fields.length ? fields : [["summary", "text", false]];
  }
  if (section === "mentions") return [["ref", "key"], ["note", "text"]];
  if (section === "entities") return [["label", "text"], ["type", "class"], ["description", "text"]];
  return [["holder", "key"], ["label", "text"]];
}

function input(name, kind, value) {
  const vocabulary = app.vocabulary;
  if (vocabulary && vocabulary.schemes[kind]) {
    const select = element("select", { name }, element("option", { value: "" }, "—"));
    for (const concept of vocabulary.schemes[kind]) select.append(element("option", { value: concept }, concept));
    select.value = value || "";
    return select;
  }
  if (kind === "class") {
    const select = element("select", { name });
    for (const klass of vocabulary ? vocabulary.classes : []) select.append(element("option", { value: klass }, klass));
    select.value = value || "Person";
    return select;
  }
  if (kind === "json") {
    const shown = value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value, null, 1);
    return element("textarea", { name, rows: "3" }, shown);
  }
  if (kind === "bool") {
    const select = element("select", { name }, element("option", { value: "" }, "—"), element("option", { value: "true" }, "true"), element("option", { value: "false" }, "false"));
    select.value = value === undefined || value === null ? "" : String(value);
    return select;
  }
  const field = element("input", { name, type: "text", value: kind === "keys" ? keysOf(value) : value || "" });
  if (kind === "keys" || kind === "key") return autocomplete(field, kind === "keys", () => (app.state ? app.state.date : null));
  return field;
}

function readValue(form, name, kind) {
  const field = form.elements[name];
  const raw = field ? field.value.trim() : "";
  if (!raw) return null;
  if (kind === "keys") return raw.split(",").map((s) => s.trim()).filter(Boolean);
  if (kind === "json") {
    // a structured value is JSON; a plain one (a date such as 2025-03) may be typed as it is
    if (/^[[{"]/.test(raw)) return JSON.parse(raw);
    return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  if (kind === "bool") return raw === "true";
  return raw;
}

export function openEditor(card, section, index) {
  const existing = $("form.edit", card);
  if (existing) {
    existing.remove();
    return;
  }
  const item = itemView(section, index);
  const fields = fieldsFor(section, item);
  const form = element("form", { class: "edit" });
  const issues = app.state.errors.filter((i) => i.section === section && i.index === index);
  const folded = element("div", { class: "grid" });
  const more = element("details", { class: "more" }, element("summary", {}, "more fields"), folded);
  for (const [name, kind, isFolded] of fields) {
    // a folded field that has a value or an error is shown unfolded
    const errors = issues.filter((i) => (i.item_field || "").split(/[.[]/)[0] === name);
    const box = isFolded && item[name] === undefined && !errors.length ? folded : form;
    box.append(element("label", {}, name), input(name, kind, item[name]));
    // an error of this field (statements[3].target[0] → target) is shown under it
    for (const issue of errors) box.append(element("span", {}), element("div", { class: "field-issue", "data-field": name }, issue.message));
  }
  if (folded.children.length) form.append(more);
  form.append(element("div", { class: "buttons" }, element("button", { type: "submit" }, "Apply"), element("button", { type: "button", onclick: () => form.remove() }, "Cancel")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const changes = {};
    try {
      for (const [name, kind] of fields) {
        const value = readValue(form, name, kind);
        const before = item[name] === undefined ? null : item[name];
        if (JSON.stringify(value) !== JSON.stringify(before)) changes[name] = value;
      }
    } catch (error) {
      message(`provisions: not valid JSON (${error.message})`, "error");
      return;
    }
    if (Object.keys(changes).length) editItem(section, index, changes);
    else form.remove();
  });
  card.append(form);
  const first = form.querySelector("input, select, textarea");
  if (first) first.focus();
}

export function openSelection(start, end) {
  const state = app.state;
  if (!state || state.readonly || end <= start) return;
  app.selection = { start, end, quote: state.text.slice(toUtf16(start), toUtf16(end)) };
  const menu = $("#selection-menu");
  $(".quote", menu).textContent = `“${app.selection.quote}” (characters ${start}–${end})`;
  $("#selection-form").replaceChildren();
  menu.hidden = false;
}

export function selectionForm(choice, statementType) {
  const vocabulary = app.vocabulary;
  const selection = app.selection;
  const form = $("#selection-form");
  form.replaceChildren();
  if (choice === "cancel") {
    $("#selection-menu").hidden = true;
    return;
  }
  let fields;
  if (choice === "mention") fields = [["ref", "key"], ["note", "text"]];
  else if (choice === "statement") {
    // the type's own fields and speaker, modality, summary (fieldsFor); the type rebuilds the form
    const type = statementType || vocabulary.statement_types[0];
    const typeSelect = element("select", { name: "type" });
    for (const t of vocabulary.statement_types) typeSelect.append(element("option", { value: t }, t));
    typeSelect.value = type;
    typeSelect.addEventListener("change", () => selectionForm("statement", typeSelect.value));
    form.append(element("label", {}, "type"), typeSelect);
    fields = fieldsFor("statements", { type }).filter((f) => !f[2]);
  } else fields = [["type", "class"], ["label", "text"], ["key", "text"], ["aliases", "keys-plain"], ["wikidata", "text"], ["dbpedia", "text"]];
  for (const [name, kind] of fields) {
    const field =
      kind === "keys-plain"
        ? element("input", { name, type: "text", placeholder: "comma-separated" })
        : input(name, kind, name === "label" ? selection.quote : name === "key" ? slug(selection.quote) : undefined);
    form.append(element("label", {}, name), field);
  }
  if (choice === "individual") {
    form.append(element("span", {}), element("small", {}, "Identifiers are written status: unverified until someone checks them (corpus/README.md). The selection also becomes a mention."));
    const label = form.elements.label;
    label.addEventListener("input", () => (form.elements.key.value = slug(label.value)));
  }
  form.append(element("div", { class: "buttons" }, element("button", { type: "submit" }, "Add"), element("button", { type: "button", onclick: () => ($("#selection-menu").hidden = true) }, "Cancel")));
  form.onsubmit = (event) => {
    event.preventDefault();
    const value = (name, kind) => readValue(form, name, kind || "text");
    const where = { start: selection.start, end: selection.end };
    if (choice === "mention") {
      if (!value("ref")) return message("a mention needs the key it names (ref)", "error");
      app.pending.push(Object.assign({ op: "add_mention", ref: value("ref"), note: value("note") }, where));
    } else if (choice === "statement") {
      const statement = { type: value("type") };
      try {
        for (const [name, kind] of fields) {
          const v = value(name, kind);
          if (v !== null) statement[name] = v;
        }
      } catch (error) {
        return message(`not valid JSON (${error.message})`, "error");
      }
      app.pending.push(Object.assign({ op: "add_statement", fields: statement }, where));
    } else {
      const individual = { op: "add_reference", type: value("type"), label: value("label"), key: value("key") };
      Object.assign(individual, { aliases: value("aliases", "keys") || [], wikidata: value("wikidata"), dbpedia: value("dbpedia") });
      app.pending.push(Object.assign(individual, where));
    }
    $("#selection-menu").hidden = true;
    afterChange();
  };
  const first = form.querySelector("input, select");
  if (first) first.focus();
}
