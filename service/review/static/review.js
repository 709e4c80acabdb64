/* The review app's page (service/review/api.py serves it; the JSON API is described there). An ES
 * module; its parts, by concept:
 *
 *   review-state.js         what the page holds (the article's state, the pending operations, the cards)
 *   review-api.js           the JSON API calls
 *   review-spans.js         the text and its highlights (@recogito/text-annotator), selections, offsets
 *   review-cards.js         the cards and the pending accept / edit / reject operations
 *   review-forms.js         the edit form and the forms of a new mention, statement or individual
 *   review-autocomplete.js  key autocomplete over the reference data
 *   review-dom.js           DOM helpers
 *
 * This module loads the article, saves, and binds the keyboard. Edits are kept as pending operations
 * until Save sends them in one batch with the file version the page loaded; the server refuses a save
 * if the file changed since (409) or if it would add validation errors (422), and the pending
 * operations stay on the page in both cases. "Accept all valid" (Shift+A) is one operation,
 * accept_valid, that the server expands into an accept of every draft without an error, then saved.
 */
import { loadArticle, loadArticleList, loadVocabulary, saveOperations } from "./review-api.js";
import { afterChange, renderCards, renderErrors, setCurrent } from "./review-cards.js";
import { $, element, message } from "./review-dom.js";
import { openSelection, selectionForm } from "./review-forms.js";
import { finishSelection, indexText, renderText } from "./review-spans.js";
import { app } from "./review-state.js";

async function loadArticles() {
  const { body } = await loadArticleList();
  const select = $("#article-select");
  select.replaceChildren(element("option", { value: "" }, "— choose an article —"));
  for (const article of body) {
    select.append(element("option", { value: article.id }, `${article.id}${article.annotated ? "" : " (no annotation file)"} — ${article.title || ""}`));
  }
  select.addEventListener("change", () => select.value && openArticle(select.value));
}

async function openArticle(id) {
  if (app.pending.length && !window.confirm("Discard the unsaved changes?")) return;
  const { status, body } = await loadArticle(id);
  if (status !== 200) {
    message(body.error, "error");
    return;
  }
  app.pending = [];
  $("#article-select").value = id;
  history.replaceState(null, "", `?article=${encodeURIComponent(id)}`);
  show(body);
}

function show(newState) {
  app.state = newState;
  indexText(newState.text);
  $("#file-name").textContent = newState.file + (newState.readonly ? " (read-only: it cannot be parsed)" : "");
  $("#accept-valid").disabled = newState.readonly;
  renderText();
  renderCards();
  renderErrors();
}

async function save() {
  const state = app.state;
  if (!state || state.readonly || app.saving) return;
  app.saving = true; // one save at a time: a second Ctrl+S while the first is checked would be stale
  $("#save").disabled = true;
  message("saving: checking the files, then the build's checks (a few seconds on a large corpus)…", "warn");
  let status, body;
  try {
    ({ status, body } = await saveOperations(state.id, state.version, app.pending));
  } finally {
    app.saving = false;
    $("#save").disabled = false;
  }
  if (status === 200) {
    app.pending = [];
    $("#pending-count").textContent = "";
    show(body);
    const errors = body.errors.length;
    const accepted = body.accepted_valid === undefined ? "" : `accepted ${body.accepted_valid} item(s) without errors; `;
    message(`${accepted}${errors ? `saved; the file still has ${errors} error(s), shown at their items` : "saved; the file validates"}`, errors ? "warn" : "ok");
    return;
  }
  const box = element("div", { class: "error" }, body.error || `HTTP ${status}`);
  if (body.stale) {
    const reload = () => {
      app.pending = [];
      openArticle(state.id);
    };
    box.append(" ", element("button", { type: "button", onclick: reload }, "Reload from disk (discards the unsaved changes)"));
  }
  if (body.issues) {
    box.append(element("ul", {}, body.issues.map((i) => element("li", { class: "field-issue" }, `${i.file}:${i.line}: ${i.field}: ${i.message}`))));
  }
  $("#messages").replaceChildren(box);
}

/* Every draft card without a validation error accepted (the server decides which, on the files as
 * they are: accept_valid), with the other pending changes, in one save. */
function acceptAllValid() {
  if (!app.state || app.state.readonly || app.saving) return;
  if (!app.pending.some((p) => p.op === "accept_valid")) app.pending.push({ op: "accept_valid" });
  afterChange();
  return save();
}

// -- keyboard -------------------------------------------------------------------------------------
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key === "s") {
    event.preventDefault();
    save();
    return;
  }
  if (event.target.closest && event.target.closest("input, textarea, select")) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const { cards, current } = app;
  const card = cards[current];
  const next = () => setCurrent(Math.min(app.current + 1, app.cards.length - 1), true);
  if (event.key === "j" || event.key === "n") setCurrent(Math.min(current + 1, cards.length - 1), true);
  else if (event.key === "k" || event.key === "p") setCurrent(Math.max(current - 1, 0), true);
  else if (event.key === "A" && event.shiftKey) acceptAllValid();
  else if (event.key === "a" && card) {
    card.accept();
    next();
  } else if (event.key === "r" && card) {
    card.reject();
    next();
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
$("#accept-valid").addEventListener("click", acceptAllValid);
for (const button of document.querySelectorAll("#selection-menu [data-choice]")) {
  button.addEventListener("click", () => selectionForm(button.dataset.choice));
}
window.addEventListener("beforeunload", (event) => {
  if (app.pending.length) event.preventDefault();
});

// The test hooks a browser test reads (window.peacekgReview): the state and the pending operations.
window.peacekgReview = { state: () => app.state, pending: () => app.pending, save, openSelection, acceptAllValid };

app.vocabulary = (await loadVocabulary()).body;
await loadArticles();
const wanted = new URLSearchParams(location.search).get("article") || app.config.article;
if (wanted) await openArticle(wanted);
