/* The review page's autocomplete over the reference data (GET api/reference/search, the look-up of
 * `peacekg reference search`): each match with its key, label, type, time span, rank and where it is
 * defined, and its warnings (ambiguous words, out of the article's era). `multiple`: a comma-separated
 * list of keys, completing the last. */
import { searchReference } from "./review-api.js";
import { element } from "./review-dom.js";

export function autocomplete(field, multiple, articleDate) {
  const wrapper = element("div", { class: "autocomplete" }, field);
  const list = element("div", { class: "suggestions", hidden: "" });
  wrapper.append(list);
  let timer = null;
  let active = -1;
  const token = () => (multiple ? field.value.split(",").pop().trim() : field.value.trim());
  const choose = (key) => {
    if (multiple) {
      const parts = field.value.split(",").map((s) => s.trim()).filter(Boolean);
      parts.pop();
      field.value = parts.concat([key]).join(", ");
    } else {
      field.value = key;
    }
    list.hidden = true;
    field.focus();
  };
  field.setAttribute("autocomplete", "off");
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const text = token();
      if (text.length < 2) {
        list.hidden = true;
        return;
      }
      const query = new URLSearchParams({ q: text });
      if (articleDate()) query.set("date", articleDate());
      const { status, body } = await searchReference(query);
      const matches = status === 200 && Array.isArray(body) ? body : [];
      list.replaceChildren();
      active = -1;
      for (const match of matches) {
        const span = match.time_span.start ? ` ${match.time_span.start}${match.time_span.end && match.time_span.end !== match.time_span.start ? "–" + match.time_span.end : ""}` : "";
        list.append(
          element(
            "div",
            { "data-key": match.key, onmousedown: (event) => { event.preventDefault(); choose(match.key); } },
            element("strong", {}, match.key),
            ` ${match.label} `,
            element("span", { class: "meta" }, `${match.type}${span} · ${match.rank} · ${match.defined_in}`),
            match.warnings.map((w) => element("span", { class: "warning" }, `⚠ ${w}`)),
          ),
        );
      }
      list.hidden = !matches.length;
    }, 150);
  });
  field.addEventListener("keydown", (event) => {
    const options = [...list.children];
    if (list.hidden || !options.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : options.length - 1)) % options.length;
      options.forEach((o, n) => o.classList.toggle("active", n === active));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(options[active].dataset.key);
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
  field.addEventListener("blur", () => setTimeout(() => (list.hidden = true), 200));
  return wrapper;
}
