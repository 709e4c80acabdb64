"""Parameter values that would break out of a query if they were pasted into its text; bound as
RDF terms they are only ever values (tests of kg.sparql.binding, the CLI and the service)."""

RES = "https://w3id.org/peacekg/resource/"

HOSTILE_TEXT = [
    ">} ; DROP ALL",
    '") } DROP ALL ; SELECT * WHERE { ?s ?p "',
    "quote \" and ' apostrophe",
    "new\nline } \r\n INSERT DATA { <a> <b> <c> }",
    '\\u0022 \\" backslashes',
    "#comment",
    "?text",
    "$text",
]
HOSTILE_IRIS = [
    "http://x> } ; DROP ALL ; <http://y",
    f"{RES}vladimir putin",
    f"<{RES}vladimir-putin>",
    'http://x"y',
    "http://x{y}",
    "not an iri",
    "",
    "http://x\\y",
    "http://x\ny",
]
