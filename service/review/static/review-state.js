/* What the review page holds between events, shared by its modules (ES modules, no bundler). */
export const app = {
  config: JSON.parse(document.getElementById("review-config").textContent),
  state: null, // the server's view of the article (GET /api/articles/<id>)
  vocabulary: null, // schemes, classes and each statement type's fields (GET /api/vocabulary)
  pending: [], // operations not yet saved
  cards: [], // [{element, section, index, accept, reject, edit}]
  current: -1, // the position of the current card
  annotator: null, // recogito's text annotator over #article-text
  utf16At: [0], // code point offset -> UTF-16 offset
  selection: null, // {start, end, quote} (code points) of the text selected for a new item
  drafting: null, // the id of the annotation recogito is making of a selection in progress
  saving: false, // a save is on its way (one at a time)
};
