"""The query page: ``GET /`` is YASGUI (editor, result table, chart, downloads) pointed at this service's
``/sparql``, with the PeaceKG prefixes pre-filled and ready-to-run example queries (the stored
queries of ``queries/*.rq``, then the built-in ones of service.views.query_examples).

YASGUI (npm package @zazuko/yasgui) is installed by ``make install`` into service/web/node_modules
and served from ``GET /static/yasgui/<file>``; it is never copied into the repository. The page's
own script (PAGE_SCRIPT) is served as ``/static/query-page.js``, so that the page runs no inline
script and its CSP can keep ``script-src 'self'``; its data come in a JSON block of the page."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, request, send_from_directory, url_for

from kg.queries.stored import StoredQueryFileError, StoredQueryInputError, bind, find
from service.errors import ApiError, error_response, html_security_headers
from service.execution.remote_pool import bind_with_values
from service.views.query_examples import PREFIXES, PROLOGUE, examples

blueprint = Blueprint("query_page", __name__)

ROOT = Path(__file__).resolve().parents[2]
YASGUI_BUILD = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "@zazuko" / "yasgui" / "build"
NOT_INSTALLED = "the query page's assets are not installed: run make install"
ASSET_MAX_AGE = 3600  # seconds; the file names carry no version, so browsers revalidate hourly
DEFAULT_QUERY = (
    PROLOGUE
    + """
SELECT ?claim ?summary WHERE {
  ?claim a pk:Claim ; pk:summary ?summary .
}
LIMIT 25
"""
)
PAGE_SCRIPT = r"""/* The PeaceKG query page: YASGUI on this service's endpoint, with the example list. */
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("peacekg-query-config").textContent);
  // YASGUI needs an absolute URL; the endpoint stays relative to wherever the page is served.
  var endpoint = new URL(config.endpoint, window.location.href).href;
  // Labels in results (queries/README.md, the ?xLabel convention): an IRI in column x is shown by
  // the label in column xLabel of the same row, its IRI kept as the link and as the tooltip.
  var Table = Yasgui.Yasr.plugins.table;
  if (Table && Table.prototype.getRows && Table.prototype.getUriLinkFromBinding) {
    var getRows = Table.prototype.getRows;
    Table.prototype.getRows = function () {
      var rows = getRows.call(this);
      var names = this.yasr.results ? this.yasr.results.getVariables() : [];
      return rows.map(function (row) {
        return row.map(function (cell, index) {
          var name = names[index - 1], label = row[names.indexOf(name + "Label") + 1];
          if (cell && cell.type === "uri" && name && names.indexOf(name + "Label") >= 0 && label && label.value) {
            return Object.assign({}, cell, { peacekgLabel: label.value });
          }
          return cell;
        });
      });
    };
    var link = Table.prototype.getUriLinkFromBinding;
    Table.prototype.getUriLinkFromBinding = function (binding, prefixes) {
      var html = link.call(this, binding, prefixes);
      if (!binding.peacekgLabel) return html;
      var text = document.createElement("span"), iri = document.createElement("span");
      text.textContent = binding.peacekgLabel;  // escaped: labels and IRIs are data
      iri.textContent = binding.value;
      return html.replace(/<a /, "<a title='" + iri.innerHTML.replace(/'/g, "&#39;") + "' ")
        .replace(/>[^<]*<\/a>/, ">" + text.innerHTML + "</a>");
    };
  }
  var yasqeDefaults = Yasgui.defaults.yasqe;
  // Class and property completion ask lov.linkeddata.es: off (the CSP allows no other host).
  yasqeDefaults.autocompleters = yasqeDefaults.autocompleters.filter(function (name) {
    return name !== "class" && name !== "property";
  });
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    copyEndpointOnNewTab: true,
    persistenceId: "peacekg-query-page",
    tabName: "Query",
    // YASGUI focuses the editor whenever a tab is shown, and the browser scrolls to it: the page
    // would open below its heading and examples. It opens at the top; an example focuses the editor.
    autofocus: false,
    yasqe: { value: config.defaultQuery, prefixCcApi: null },
    yasr: { prefixes: config.prefixes }
  });
  window.peacekgYasgui = yasgui;
  // A dossier's "open as query": the stored query, its parameters bound, in a tab of its own.
  if (config.open) {
    var opened = yasgui.addTab(true, {}, { avoidDuplicateTabs: false });
    opened.setEndpoint(endpoint);
    opened.setName(config.open.title);
    opened.setQuery(config.open.query);
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.example[data-query]"), function (button) {
    button.addEventListener("click", function () {
      var tab = yasgui.getTab();
      tab.setEndpoint(endpoint);
      tab.setName(button.getAttribute("data-title"));
      tab.setQuery(button.getAttribute("data-query"));
      tab.getYasqe().focus();
      // Smoothly, unless the visitor asked for less motion (WCAG 2.3.3; the browser tests ask too:
      // a click during the animation lands its mouseup on a moved target, and no click fires).
      var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
      document.getElementById("yasgui").scrollIntoView({ behavior: still ? "auto" : "smooth", block: "start" });
    });
  });
})();
"""

# The query page's Content-Security-Policy. Everything comes from this service ('self'): YASGUI's
# script and stylesheet, the page script, and the SPARQL requests (connect-src 'self', so a shared
# link naming another endpoint cannot make the page send queries elsewhere). The one relaxation
# is style-src 'unsafe-inline': YASGUI, CodeMirror and the result table write style="…" attributes
# and <style> elements at run time (editor height, column widths, the drag handles), and the
# shared base template has an inline <style>. Scripts stay 'self' only: no inline script, no eval.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def yasgui_dir() -> Path:
    return Path(current_app.config.get("PEACEKG_YASGUI_DIR") or YASGUI_BUILD)


def queries_dir() -> Path:
    return Path(current_app.config.get("PEACEKG_QUERIES_DIR") or ROOT / "queries")


def stored_to_open() -> dict[str, str] | None:
    """``?stored=NAME&PARAM=VALUE…`` (a dossier's "open as query"): the stored query with its
    parameters bound for the editor. Each value is checked as its declared type (kg.queries.stored.bind)
    and written as that RDF term in a VALUES block opening the WHERE group, so the query runs as
    is and its parameters stay visible and editable; a bad name or value is a 404 / 400."""
    params = request.args.to_dict()
    name = params.pop("stored", None)
    if name is None:
        return None
    try:
        query = find(name, queries_dir())
        terms = bind(query, params)
    except StoredQueryInputError as exc:
        raise ApiError(404 if exc.not_found else 400, str(exc)) from None
    except StoredQueryFileError as exc:
        raise ApiError(500, f"the stored query {name} is broken: {exc}") from None
    return {"name": query.name, "title": query.title, "query": bind_with_values(query.text, terms)}


@blueprint.get("/")
def query_page() -> Response:
    page_config = {"endpoint": url_for("sparql.sparql"), "prefixes": PREFIXES, "defaultQuery": DEFAULT_QUERY}
    try:
        opened = stored_to_open()
    except ApiError as exc:
        return error_response(exc.status, exc.message)
    if opened is not None:
        page_config["open"] = opened
    html = render_template(
        "query.html",
        examples=examples(queries_dir()),
        page_config=page_config,
        installed=(yasgui_dir() / "yasgui.min.js").is_file(),
        root=request.script_root,
    )
    return Response(html, status=200, content_type="text/html; charset=utf-8")


@blueprint.get("/static/query-page.js")
def page_script() -> Response:
    response = Response(PAGE_SCRIPT, status=200, content_type="text/javascript; charset=utf-8")
    response.cache_control.max_age = ASSET_MAX_AGE
    return response


@blueprint.get("/static/yasr-chart.js")
def chart_script() -> Response:
    """The chart view of results (a YASR plugin of ours, service/static/yasr-chart.js)."""
    response = send_from_directory(
        Path(__file__).resolve().parents[1] / "static",
        "yasr-chart.js",
        mimetype="text/javascript",
        max_age=ASSET_MAX_AGE,
    )
    return response


@blueprint.get("/static/yasgui/<path:filename>")
def yasgui_asset(filename: str) -> Response:
    folder = yasgui_dir()
    if not folder.is_dir():
        return error_response(404, NOT_INSTALLED)
    # send_from_directory joins safely: "..", absolute paths and the like are a 404.
    return send_from_directory(folder, filename, max_age=ASSET_MAX_AGE)


blueprint.after_request(html_security_headers(SECURITY_HEADERS))
