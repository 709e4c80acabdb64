/* The review app's JSON API (service/review/api.py describes it): every call answers
 * {status, body}; a body that is not JSON becomes {error: "HTTP <status>"}. */
export async function api(path, options) {
  const response = await fetch(path, options);
  const body = await response.json().catch(() => ({ error: `HTTP ${response.status}` }));
  return { status: response.status, body };
}

export const loadVocabulary = () => api("api/vocabulary");
export const loadArticleList = () => api("api/articles");
export const loadArticle = (id) => api(`api/articles/${encodeURIComponent(id)}`);
export const searchReference = (query) => api(`api/reference/search?${query}`);

/* One batch of operations, conditional on the file version the page loaded (409 when stale,
 * 422 when it would add validation errors; nothing is written then). JSON only: a cross-site form
 * cannot send it. */
export function saveOperations(id, version, operations) {
  return api(`api/articles/${encodeURIComponent(id)}/save`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ version, operations }),
  });
}
