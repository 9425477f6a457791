"""The OpenAPI 3.0 description of the read-only API (served at /api/v1/openapi.json). Pure."""

MONTH = {"name": "month", "in": "query", "required": False,
         "description": "YYYY-MM; the newest month with figures when left out",
         "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"}}
NUMBER = {"type": "number", "nullable": True}
INTEGER = {"type": "integer", "nullable": True}
FIGURE = {
    "type": "object",
    "description": "One KPI for one month and scope, as `feedback kpis --format json` prints it.",
    "properties": {
        "plan": {"type": "string", "example": "app-2020"},
        "ref": {"type": "string", "example": "APP 1b"},
        "month": {"type": "string", "example": "2026-10"},
        "scope": {"type": "string",
                  "description": "all, or service:<slug>, provider:<slug>, district:<slug>"},
        "numerator": {**INTEGER, "description": "Positive answers (null when hidden or entered by hand). "
                      "For a reduction (CIP 5.2): this month's median wait in days."},
        "denominator": {**INTEGER, "description": "All answers counted (for a reduction: children seen)."},
        "value": {**NUMBER, "description": "Percent, to one decimal (null when hidden or no data)."},
        "ci_low": NUMBER, "ci_high": NUMBER,
        "target": {**NUMBER, "description": "The plan's target in force this month, or null."},
        "target_status": {"type": "string", "enum": ["target", "not_yet", "ended", "none"]},
        "baseline": {**NUMBER, "description": "The plan's starting figure; never a target."},
        "rag": {"type": "string", "enum": ["green", "amber", "red", "grey", "none"]},
        "suppressed": {"type": "boolean", "description": "Hidden: 1 to 4 answers, or to protect one."},
        "entered_by": {"type": "string", "nullable": True},
        "computed_at": {"type": "string", "format": "date-time", "nullable": True,
                        "description": "When the figure was worked out (UTC)."},
    },
}
COMMENT = {"type": "object", "properties": {
    "month": {"type": "string"}, "service": {"type": "string"}, "question": {"type": "string"},
    "text": {"type": "string"}, "sentiment": {"type": "string", "enum": ["Positive", "Neutral", "Negative"]},
    "flagged": {"type": "boolean"}, "created_at": {"type": "string", "format": "date-time"}}}
FFT_ROW = {"type": "object", "description": "Answers to the FFT question by answer and by mode; "
           "both add up to total_responses: very_good ... dont_know, mode_sms ... mode_other.",
           "additionalProperties": {"type": "integer"},
           "properties": {"month": {"type": "string"}, "service": {"type": "string"},
                          "total_responses": {"type": "integer"}, "total_eligible": {"type": "integer"}}}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}}


def _errors(*codes):
    words = {400: "A parameter is not right", 401: "No live token", 403: "Outside the token's scope",
             429: "Too many unknown tokens"}
    return {str(c): {"description": words[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def _list_of(schema, description):
    return {"200": {"description": description, "content": {"application/json": {
        "schema": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}}}}}


def document(server_url):
    """Return the OpenAPI document for the API served at ``server_url``."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "SEND feedback: figures for BI tools", "version": "1",
                 "description": "Read-only. Figures are worked out every 15 minutes for the month "
                                "in progress and each night for earlier months. Tokens come from "
                                "`feedback api-tokens add` and act with a staff role's scope."},
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/kpis": {"get": {
                "summary": "The KPI scorecard for a month, or a breakdown",
                "parameters": [MONTH,
                               {"name": "by", "in": "query", "schema": {
                                   "type": "string", "enum": ["service", "provider", "district", "letter"]}},
                               {"name": "plan", "in": "query", "schema": {"type": "string"},
                                "example": "cip-2023"}],
                "responses": {**_list_of("Figure", "One object per KPI and scope"),
                              **_errors(400, 401, 403, 429)}}},
            "/fft-return": {"get": {
                "summary": "The Friends and Family Test monthly return",
                "parameters": [MONTH],
                "responses": {**_list_of("FftRow", "One row per service that asked the FFT question"),
                              **_errors(400, 401, 429)}}},
            "/comments": {"get": {
                "summary": "Comments, newest first",
                "parameters": [MONTH, {"name": "service", "in": "query", "schema": {"type": "string"}},
                               {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}}],
                "responses": {**_list_of("Comment", "Comments within the token's scope"),
                              **_errors(400, 401, 403, 429)}}},
            "/openapi.json": {"get": {"summary": "This description", "security": [],
                                      "responses": {"200": {"description": "OpenAPI 3.0"}}}},
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer",
                                           "description": "Authorization: Bearer <token>"}},
            "schemas": {"Figure": FIGURE, "Comment": COMMENT, "FftRow": FFT_ROW, "Error": ERROR},
        },
    }
