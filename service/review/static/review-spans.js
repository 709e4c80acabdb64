/* The article text and its highlights. The text is one text node inside #article-text;
 * @recogito/text-annotator draws every span of the annotation file over it (W3C Web Annotation: a
 * TextQuoteSelector plus a TextPositionSelector each, through its W3CTextFormat adapter) and turns a
 * text selection into a new annotation, from which the page takes the offsets. Offsets cross the
 * API as Python counts them (code points); the DOM counts UTF-16 code units, so they are converted
 * both ways. */
import { setCurrent } from "./review-cards.js";
import { $ } from "./review-dom.js";
import { openSelection } from "./review-forms.js";
import { app } from "./review-state.js";

const COLOURS = { mention: "#2878ff", entity: "#963cc8", role: "#00a08c", statement: "#f0a800", new: "#00b43c" };

/* The code point -> UTF-16 table of the article's text. */
export function indexText(text) {
  app.utf16At = [0];
  let units = 0;
  for (const character of text) {
    units += character.length;
    app.utf16At.push(units);
  }
}

export function toUtf16(offset) {
  return app.utf16At[Math.min(offset, app.utf16At.length - 1)];
}

export function toCodePoints(offset) {
  const table = app.utf16At;
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (table[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

export function renderText() {
  const state = app.state;
  const container = $("#article-text");
  if (app.annotator) {
    app.annotator.destroy();
    app.annotator = null;
  }
  container.textContent = state.text;
  if (!window.RecogitoJS) return; // not installed: the banner says so
  const annotator = window.RecogitoJS.createTextAnnotator(container, {
    adapter: window.RecogitoJS.W3CTextFormat(`urn:peacekg:article:${state.id}`, container),
    annotatingEnabled: !state.readonly,
    style: (annotation) => {
      // a span whose item has a validation error is drawn red and underlined: the error at its span
      const [section, index] = String(annotation.id).split(":");
      if (app.state.errors.some((i) => i.section === section && i.index === Number(index))) {
        return { fill: "#e0301e", fillOpacity: 0.3, underlineColor: "#b00000", underlineThickness: 2 };
      }
      const tag = (annotation.bodies || []).find((b) => b.purpose === "tagging");
      return { fill: COLOURS[(tag && tag.value) || "new"], fillOpacity: 0.28 };
    },
  });
  app.annotator = annotator;
  annotator.setAnnotations(spanAnnotations(), true);
  // A selection of text becomes a (temporary) annotation. Recogito creates it while the mouse is
  // still dragging and updates its target as the selection grows, so it is only read once the
  // pointer (or Shift key) is released: see finishSelection.
  annotator.on("createAnnotation", (annotation) => {
    app.drafting = annotation.id;
  });
  annotator.on("clickAnnotation", (annotation) => focusSpan(annotation.id));
  annotator.on("selectionChanged", (selected) => {
    if (selected && selected.length === 1 && !String(selected[0].id).startsWith("new:")) focusSpan(selected[0].id);
  });
}

/* The spans drawn again (after a change to the pending operations). */
export function redrawSpans() {
  if (app.annotator) app.annotator.setAnnotations(spanAnnotations(), true);
}

// The selection, once finished: its final offsets (recogito applies the last selection change
// within 100 ms of pointerup), then the temporary annotation is removed and the menu opened.
export function finishSelection() {
  setTimeout(() => {
    const annotator = app.annotator;
    if (!annotator || app.drafting === null) return;
    const annotation = annotator.getAnnotationById(app.drafting);
    app.drafting = null;
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
  const state = app.state;
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
  const out = app.state.spans.map((span, n) => w3c(`${span.section}:${span.index}:${n}`, span.kind, span.start, span.end));
  app.pending.forEach((operation, n) => {
    if (operation.start !== undefined && operation.end !== undefined) out.push(w3c(`new:${n}`, "new", operation.start, operation.end));
  });
  return out;
}

function focusSpan(id) {
  const [section, index] = String(id).split(":");
  const position = app.cards.findIndex((card) => card.section === section && card.index === Number(index));
  if (position >= 0) setCurrent(position, true);
}

/* The text scrolled to the first span of a card's item. */
export function scrollToSpan(section, index) {
  if (!app.annotator || section === "reference") return;
  const span = app.state.spans.findIndex((s) => s.section === section && s.index === index);
  if (span >= 0) app.annotator.scrollIntoView(`${section}:${index}:${span}`);
}
