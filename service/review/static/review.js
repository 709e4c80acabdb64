/* The review app's page (service/review/api.py serves it; the JSON API is described there).
 *
 * The article text is one text node inside #article-text. @recogito/text-annotator draws every
 * span of the annotation file over it (W3C Web Annotation: a TextQuoteSelector plus a
 * TextPositionSelector each, through its W3CTextFormat adapter) and turns a text selection into a
 * new annotation, from which this page takes the offsets. Offsets cross the API as Python counts
 * them (code points); the DOM counts UTF-16 code units, so they are converted both ways.
 *
 * Edits are kept as pending operations until Save sends them in one batch with the file version
 * the page loaded; the server refuses a save if the file changed since (409) or if it would add
 * validation errors (422), and the pending operations stay on the page in both cases.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("review-config").textContent);
  const $ = (selector, root) => (root || document).querySelector(selector);
  const SECTION_KINDS = { statements: "statement", entities: "entity", roles: "role", mentions: "mention" };
  const COLOURS = { mention: "#2878ff", entity: "#963cc8", role: "#00a08c", statement: "#f0a800", new: "#00b43c" };
  const KEY_LIST_FIELDS = ["by", "holder", "target", "about", "precedent", "applied_to", "measures", "proposed_by"];

  let state = null; // the server's view of the article (GET /api/articles/<id>)
  let vocabulary = null;
  let pending = []; // operations not yet saved
  let cards = []; // [{element, section, index}]
  let current = -1;
  let annotator = null;
  let utf16At = [0]; // code point offset -> UTF-16 offset
  let selection = null; // {start, end, quote} (code points) of the text selected for a new item
  let drafting = null; // the id of the annotation recogito is making of a selection in progress

  // -- helpers -------------------------------------------------------------------------------
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (value !== undefined && value !== null) node.setAttribute(name, value);
    }
    for (const child of children.flat()) {
      if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  function message(text, kind) {
    const box = $("#messages");
    box.replaceChildren(element("div", { class: kind || "ok" }, text));
  }

  async function api(path, options) {
    const response = await fetch(path, options);
    const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
    return { status: response.status, body };
  }

  function toUtf16(offset) {
    return utf16At[Math.min(offset, utf16At.length - 1)];
  }

  function toCodePoints(offset) {
    let lo = 0;
    let hi = utf16At.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (utf16At[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  function keysOf(value) {
    if (value === undefined || value === null) return "";
    return Array.isArray(value) ? value.join(", ") : String(value);
  }

  function slug(text) {
    return text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
  }

  // -- loading -------------------------------------------------------------------------------
  async function loadArticles() {
    const { body } = await api("api/articles");
    const select = $("#article-select");
    select.replaceChildren(element("option", { value: "" }, "— choose an article —"));
    for (const article of body) {
      select.append(element("option", { value: article.id }, `${article.id}${article.annotated ? "" : " (no annotation file)"} — ${article.title || ""}`));
    }
    select.addEventListener("change", () => select.value && openArticle(select.value));
  }

  async function openArticle(id) {
    if (pending.length && !window.confirm("Discard the unsaved changes?")) return;
    const { status, body } = await api(`api/articles/${encodeURIComponent(id)}`);
    if (status !== 200) {
      message(body.error, "error");
      return;
    }
    pending = [];
    $("#article-select").value = id;
    history.replaceState(null, "", `?article=${encodeURIComponent(id)}`);
    show(body);
  }

  function show(newState) {
    state = newState;
    utf16At = [0];
    let units = 0;
    for (const character of state.text) {
      units += character.length;
      utf16At.push(units);
    }
    $("#file-name").textContent = state.file + (state.readonly ? " (read-only: it cannot be parsed)" : "");
    renderText();
    renderCards();
    renderErrors();
  }

  // -- the text and its highlights (recogito) -----------------------------------------------
  function renderText() {
    const container = $("#article-text");
    if (annotator) {
      annotator.destroy();
      annotator = null;
    }
    container.textContent = state.text;
    if (!window.RecogitoJS) return; // not installed: the banner says so
    annotator = window.RecogitoJS.createTextAnnotator(container, {
      adapter: window.RecogitoJS.W3CTextFormat(`urn:peacekg:article:${state.id}`, container),
      annotatingEnabled: !state.readonly,
      style: (annotation) => {
        // a span whose item has a validation error is drawn red and underlined: the error at its span
        const [section, index] = String(annotation.id).split(":");
        if (state.errors.some((i) => i.section === section && i.index === Number(index))) {
          return { fill: "#e0301e", fillOpacity: 0.3, underlineColor: "#b00000", underlineThickness: 2 };
        }
        const tag = (annotation.bodies || []).find((b) => b.purpose === "tagging");
        return { fill: COLOURS[(tag && tag.value) || "new"], fillOpacity: 0.28 };
      },
    });
    annotator.setAnnotations(spanAnnotations(), true);
    // A selection of text becomes a (temporary) annotation. Recogito creates it while the mouse is
    // still dragging and updates its target as the selection grows, so it is only read once the
    // pointer (or Shift key) is released: see finishSelection.
    annotator.on("createAnnotation", (annotation) => {
      drafting = annotation.id;
    });
    annotator.on("clickAnnotation", (annotation) => focusSpan(annotation.id));
    annotator.on("selectionChanged", (selected) => {
      if (selected && selected.length === 1 && !String(selected[0].id).startsWith("new:")) focusSpan(selected[0].id);
    });
  }

  // The selection, once finished: its final offsets (recogito applies the last selection change
  // within 100 ms of pointerup), then the temporary annotation is removed and the menu opened.
  function finishSelection() {
    setTimeout(() => {
      if (!annotator || drafting === null) return;
      const annotation = annotator.getAnnotationById(drafting);
      drafting = null;
      if (!annotation) return;
      annotator.removeAnnotation(annotation.id);
      const position = positionSelector(annotation);
      if (position) openSelection(toCodePoints(position.start), toCodePoints(position.end));
    }, 250);
  }

  function positionSelector(annotation) {
    const targets = [].concat(annotation.target || []);
    for (const target of targets) {
      for (const selector of [].concat(target.selector || [])) {
        if (selector.type === "TextPositionSelector" || (selector.start !== undefined && selector.end !== undefined)) return selector;
      }
    }
    return null;
  }

  function w3c(id, kind, start, end) {
    return {
      "@context": "http://www.w3.org/ns/anno.jsonld",
      id,
      type: "Annotation",
      body: [{ type: "TextualBody", purpose: "tagging", value: kind }],
      target: {
        source: `urn:peacekg:article:${state.id}`,
        selector: [
          { type: "TextQuoteSelector", exact: state.text.slice(toUtf16(start), toUtf16(end)) },
          { type: "TextPositionSelector", start: toUtf16(start), end: toUtf16(end) },
        ],
      },
    };
  }

  function spanAnnotations() {
    const out = state.spans.map((span, n) => w3c(`${span.section}:${span.index}:${n}`, span.kind, span.start, span.end));
    pending.forEach((operation, n) => {
      if (operation.start !== undefined && operation.end !== undefined) out.push(w3c(`new:${n}`, "new", operation.start, operation.end));
    });
    return out;
  }

  function focusSpan(id) {
    const [section, index] = String(id).split(":");
    const position = cards.findIndex((card) => card.section === section && card.index === Number(index));
    if (position >= 0) setCurrent(position, true);
  }

  // -- pending operations ---------------------------------------------------------------------
  function pendingFor(section, index) {
    return pending.filter((op) => op.section === section && op.index === index);
  }

  function decide(section, index, op) {
    pending = pending.filter((p) => !(p.section === section && p.index === index && (p.op === "accept" || p.op === "reject")));
    if (op === "reject") pending = pending.filter((p) => !(p.section === section && p.index === index));
    pending.push({ op, section, index });
    afterChange();
  }

  function editItem(section, index, changes) {
    let edit = pending.find((p) => p.op === "edit" && p.section === section && p.index === index);
    if (!edit) {
      edit = { op: "edit", section, index, changes: {} };
      pending.push(edit);
    }
    Object.assign(edit.changes, changes);
    afterChange();
  }

  function afterChange() {
    $("#pending-count").textContent = pending.length ? `${pending.length} unsaved change(s)` : "";
    const keep = current;
    renderCards();
    if (annotator) annotator.setAnnotations(spanAnnotations(), true);
    if (keep >= 0) setCurrent(Math.min(keep, cards.length - 1), false);
  }

  let saving = false;

  async function save() {
    if (!state || state.readonly || saving) return;
    saving = true; // one save at a time: a second Ctrl+S while the first is checked would be stale
    $("#save").disabled = true;
    message("saving: checking the files, then the build's checks (a few seconds on a large corpus)…", "warn");
    let status, body;
    try {
      ({ status, body } = await api(`api/articles/${encodeURIComponent(state.id)}/save`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ version: state.version, operations: pending }),
      }));
    } finally {
      saving = false;
      $("#save").disabled = false;
    }
    if (status === 200) {
      pending = [];
      $("#pending-count").textContent = "";
      show(body);
      const errors = body.errors.length;
      message(errors ? `saved; the file still has ${errors} error(s), shown at their items` : "saved; the file validates", errors ? "warn" : "ok");
      return;
    }
    const box = element("div", { class: "error" }, body.error || `HTTP ${status}`);
    if (body.stale) {
      box.append(" ", element("button", { type: "button", onclick: () => { pending = []; openArticle(state.id); } }, "Reload from disk (discards the unsaved changes)"));
    }
    if (body.issues) {
      box.append(element("ul", {}, body.issues.map((i) => element("li", { class: "field-issue" }, `${i.file}:${i.line}: ${i.field}: ${i.message}`))));
    }
    $("#messages").replaceChildren(box);
  }

  // -- cards ----------------------------------------------------------------------------------
  function itemView(section, index) {
    const item = Object.assign({}, state.sections[section][index]);
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

  function renderCards() {
    const box = $("#cards");
    box.replaceChildren();
    cards = [];
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
    const additions = pending.filter((p) => p.op.startsWith("add_"));
    if (additions.length) {
      box.append(element("h3", {}, "new (unsaved)"));
      for (const op of additions) box.append(element("div", { class: "card new" }, element("span", { class: "state" }, "new "), newDescription(op)));
    }
  }

  function newDescription(op) {
    const quote = op.start !== undefined ? `“${state.text.slice(toUtf16(op.start), toUtf16(op.end))}”` : "";
    if (op.op === "add_mention") return `mention ${quote} → ${op.ref}`;
    if (op.op === "add_statement") return `statement ${op.fields.type} ${op.fields.stance || ""} → ${keysOf(op.fields.target)}: ${quote}`;
    return `individual ${op.key} (${op.type}) “${op.label}”, from ${quote}`;
  }

  function referenceCard(entry) {
    const decided = pending.find((p) => (p.op === "accept_reference" || p.op === "reject_reference") && p.key === entry.key);
    const card = element(
      "div",
      { class: `card reference ${decided ? (decided.op === "accept_reference" ? "accepted" : "rejected") : ""}`, "data-key": entry.key },
      element("div", { class: "head" }, element("span", { class: "title" }, `${entry.key} (${entry.type})`), element("span", { class: "state" }, decided ? decided.op.replace("_reference", "ed") : entry.review)),
      element("div", { class: "fields" }, `${entry.label} — ${entry.file}:${entry.line}`),
    );
    const decide = (op) => {
      pending = pending.filter((p) => p.key !== entry.key);
      pending.push({ op, key: entry.key });
      afterChange();
    };
    card.append(element("div", { class: "actions" }, element("button", { type: "button", onclick: () => decide("accept_reference") }, "Accept"), element("button", { type: "button", onclick: () => decide("reject_reference") }, "Reject")));
    cards.push({ element: card, section: "reference", key: entry.key, accept: () => decide("accept_reference"), reject: () => decide("reject_reference") });
    return card;
  }

  function itemCard(section, index) {
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
    if (!state.readonly) {
      card.append(
        element(
          "div",
          { class: "actions" },
          element("button", { type: "button", class: "accept", onclick: () => decide(section, index, "accept") }, "Accept (a)"),
          element("button", { type: "button", class: "edit", onclick: () => openEditor(card, section, index) }, "Edit (e)"),
          element("button", { type: "button", class: "reject", onclick: () => decide(section, index, "reject") }, "Reject (r)"),
        ),
      );
    }
    card.addEventListener("click", () => setCurrent(cards.findIndex((c) => c.element === card), false));
    cards.push({ element: card, section, index, accept: () => decide(section, index, "accept"), reject: () => decide(section, index, "reject"), edit: () => openEditor(card, section, index) });
    return card;
  }

  function setCurrent(position, scroll) {
    if (position < 0 || position >= cards.length) return;
    if (current >= 0 && cards[current]) cards[current].element.classList.remove("current");
    current = position;
    const card = cards[current];
    card.element.classList.add("current");
    if (scroll) card.element.scrollIntoView({ block: "nearest" });
    if (annotator && card.section !== "reference") {
      const span = state.spans.findIndex((s) => s.section === card.section && s.index === card.index);
      if (span >= 0) annotator.scrollIntoView(`${card.section}:${card.index}:${span}`);
    }
  }

  function renderErrors() {
    const box = $("#file-errors");
    box.replaceChildren();
    const unplaced = state.errors.filter((i) => i.section === undefined);
    if (unplaced.length) {
      box.append(element("div", { class: "banner error" }, state.readonly ? "This file cannot be parsed; it is shown read-only and will not be written. Fix it in an editor:" : "Errors of this file:", element("ul", {}, unplaced.map((i) => element("li", {}, `${i.file}:${i.line}: ${i.field}: ${i.message}`)))));
    }
    const placed = state.errors.length - unplaced.length;
    if (placed) box.append(element("div", { class: "banner error" }, `${placed} error(s) shown at their items below.`));
    if ((state.other_errors || []).length) box.append(element("div", { class: "banner warn" }, `${state.other_errors.length} error(s) in other files of the corpus (peacekg annotations validate lists them).`));
  }

  // -- forms: editing an item, and new items from a selection --------------------------------
  // [name, kind, more]: kind is a scheme's name (a select), "keys"/"key" (autocomplete), "bool",
  // "text", or "json" for structured values (dates, quantities, provisions); "more" fields are folded.
  function fieldsFor(section, item) {
    if (section === "statements") {
      const fields = (vocabulary.statement_fields[item.type] || []).map((f) => {
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
    if (kind === "keys" || kind === "key") return autocomplete(field, kind === "keys");
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

  function openEditor(card, section, index) {
    const existing = $("form.edit", card);
    if (existing) {
      existing.remove();
      return;
    }
    const item = itemView(section, index);
    const fields = fieldsFor(section, item);
    const form = element("form", { class: "edit" });
    const issues = state.errors.filter((i) => i.section === section && i.index === index);
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

  function autocomplete(field, multiple) {
    return window.peacekgAutocomplete(field, multiple, () => (state ? state.date : null));
  }

  function openSelection(start, end) {
    if (!state || state.readonly || end <= start) return;
    selection = { start, end, quote: state.text.slice(toUtf16(start), toUtf16(end)) };
    const menu = $("#selection-menu");
    $(".quote", menu).textContent = `“${selection.quote}” (characters ${start}–${end})`;
    $("#selection-form").replaceChildren();
    menu.hidden = false;
  }

  function selectionForm(choice, statementType) {
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
        pending.push(Object.assign({ op: "add_mention", ref: value("ref"), note: value("note") }, where));
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
        pending.push(Object.assign({ op: "add_statement", fields: statement }, where));
      } else {
        pending.push(
          Object.assign(
            {
              op: "add_reference",
              type: value("type"),
              label: value("label"),
              key: value("key"),
              aliases: value("aliases", "keys") || [],
              wikidata: value("wikidata"),
              dbpedia: value("dbpedia"),
            },
            where,
          ),
        );
      }
      $("#selection-menu").hidden = true;
      afterChange();
    };
    const first = form.querySelector("input, select");
    if (first) first.focus();
  }

  // -- keyboard ---------------------------------------------------------------------------------
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key === "s") {
      event.preventDefault();
      save();
      return;
    }
    if (event.target.closest && event.target.closest("input, textarea, select")) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const card = cards[current];
    if (event.key === "j" || event.key === "n") setCurrent(Math.min(current + 1, cards.length - 1), true);
    else if (event.key === "k" || event.key === "p") setCurrent(Math.max(current - 1, 0), true);
    else if (event.key === "a" && card) {
      card.accept();
      setCurrent(Math.min(current + 1, cards.length - 1), true);
    } else if (event.key === "r" && card) {
      card.reject();
      setCurrent(Math.min(current + 1, cards.length - 1), true);
    } else if (event.key === "e" && card && card.edit) {
      event.preventDefault();
      card.edit();
    } else if (event.key === "Escape") $("#selection-menu").hidden = true;
    else return;
    event.preventDefault();
  });

  document.addEventListener("pointerup", finishSelection);
  document.addEventListener("keyup", (event) => {
    if (event.key === "Shift") finishSelection(); // a selection made with Shift+arrows
  });
  $("#save").addEventListener("click", save);
  for (const button of document.querySelectorAll("#selection-menu [data-choice]")) {
    button.addEventListener("click", () => selectionForm(button.dataset.choice));
  }
  window.addEventListener("beforeunload", (event) => {
    if (pending.length) event.preventDefault();
  });

  // The test hooks a browser test reads (window.peacekgReview): the state and the pending operations.
  window.peacekgReview = { state: () => state, pending: () => pending, save, openSelection };

  (async function start() {
    vocabulary = (await api("api/vocabulary")).body;
    await loadArticles();
    const wanted = new URLSearchParams(location.search).get("article") || config.article;
    if (wanted) await openArticle(wanted);
  })();
})();
