"""The OpenAPI 3.0 description of the read-only API (served at /api/v1/openapi.json). Pure."""

MONTH = {
    "name": "month",
    "in": "query",
    "required": False,
    "description": "YYYY-MM; the newest month with figures when left out",
    "schema": {"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-10"},
}
NUMBER = {"type": "number", "nullable": True}
INTEGER = {"type": "integer", "nullable": True}
FIGURE = {
    "type": "object",
    "description": "One KPI for one month and scope, as `feedback kpis --format json` prints it.",
    "properties": {
        "plan": {"type": "string", "example": "app-2020"},
        "ref": {"type": "string", "example": "APP 1b"},
        "month": {"type": "string", "example": "2026-10"},
        "scope": {
            "type": "string",
            "description": "all, or service:<slug>, provider:<slug>, district:<slug>",
        },
        "numerator": {
            **INTEGER,
            "description": "Positive answers (null when hidden or entered by hand). "
            "For a reduction (CIP 5.2): this month's median wait in days.",
        },
        "denominator": {**INTEGER, "description": "All answers counted (for a reduction: children seen)."},
        "value": {**NUMBER, "description": "Percent, to one decimal (null when hidden or no data)."},
        "ci_low": NUMBER,
        "ci_high": NUMBER,
        "target": {**NUMBER, "description": "The plan's target in force this month, or null."},
        "target_status": {"type": "string", "enum": ["target", "not_yet", "ended", "none"]},
        "baseline": {**NUMBER, "description": "The plan's starting figure; never a target."},
        "rag": {"type": "string", "enum": ["green", "amber", "red", "grey", "none"]},
        "suppressed": {"type": "boolean", "description": "Hidden: 1 to 4 answers, or to protect one."},
        "entered_by": {"type": "string", "nullable": True},
        "computed_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "When the figure was worked out (UTC).",
        },
    },
}
COMMENT = {
    "type": "object",
    "properties": {
        "month": {"type": "string"},
        "service": {"type": "string"},
        "question": {"type": "string"},
        "text": {"type": "string"},
        "sentiment": {"type": "string", "enum": ["Positive", "Neutral", "Negative"]},
        "flagged": {"type": "boolean"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}
FFT_ROW = {
    "type": "object",
    "description": "Answers to the FFT question by answer and by mode; "
    "both add up to total_responses: very_good ... dont_know, mode_sms ... mode_other.",
    "additionalProperties": {"type": "integer"},
    "properties": {
        "month": {"type": "string"},
        "service": {"type": "string"},
        "total_responses": {"type": "integer"},
        "total_eligible": {"type": "integer"},
    },
}
ERROR = {"type": "object", "properties": {"error": {"type": "string"}, "status": {"type": "integer"}}}
APPOINTMENT = {
    "type": "object",
    "required": ["appointment_id", "service", "appointment_at"],
    "description": "An appointment whose family is sent a survey link after it; a mobile "
    "or an email is needed (the mobile is used when both are given).",
    "properties": {
        "appointment_id": {"type": "string", "maxLength": 64, "example": "PAS-2026-11-23-0042"},
        "service": {"type": "string", "example": "camhs"},
        "district": {"type": "string", "example": "preston"},
        "appointment_at": {
            "type": "string",
            "example": "2026-11-23T09:30",
            "description": "ISO date and time, UK time unless it has an offset; "
            "past, and not more than 14 days ago",
        },
        "mobile": {"type": "string", "example": "07700 900123"},
        "email": {"type": "string", "format": "email"},
        "respondent": {"type": "string", "enum": ["parent_carer", "young_person"]},
        "language": {"type": "string", "example": "pl"},
        "opted_out": {"type": "boolean"},
    },
}
ADDED = {
    "type": "object",
    "properties": {
        "added": {"type": "integer"},
        "already_known": {"type": "integer"},
        "opted_out": {"type": "integer"},
        "not_contacted": {"type": "integer", "description": "On the do-not-contact list"},
        "rejected": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "position": {"type": "integer"},
                    "appointment_id": {"type": "string"},
                    "reason": {"type": "string"},
                },
            },
        },
    },
}


def _errors(*codes):
    words = {
        400: "A parameter is not right",
        401: "No live token",
        403: "Outside the token's scope",
        429: "Too many unknown tokens",
    }
    return {
        str(c): {
            "description": words[c],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for c in codes
    }


def _list_of(schema, description):
    return {
        "200": {
            "description": description,
            "content": {
                "application/json": {
                    "schema": {"type": "array", "items": {"$ref": f"#/components/schemas/{schema}"}}
                }
            },
        }
    }


def document(server_url):
    """Return the OpenAPI document for the API served at ``server_url``."""
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "SEND feedback: figures for BI tools",
            "version": "1",
            "description": "Read-only, but for POST /appointments, where an appointment system "
            "adds appointments whose families are asked for feedback. "
            "Figures are worked out every 15 minutes for the month "
            "in progress and each night for earlier months. Tokens come from "
            "`feedback api-tokens add` and act with a staff role's scope.",
        },
        "servers": [{"url": server_url}],
        "security": [{"bearer": []}],
        "paths": {
            "/kpis": {
                "get": {
                    "summary": "The KPI scorecard for a month, or a breakdown",
                    "parameters": [
                        MONTH,
                        {
                            "name": "by",
                            "in": "query",
                            "schema": {
                                "type": "string",
                                "enum": ["service", "provider", "district", "letter"],
                            },
                        },
                        {"name": "plan", "in": "query", "schema": {"type": "string"}, "example": "cip-2023"},
                    ],
                    "responses": {
                        **_list_of("Figure", "One object per KPI and scope"),
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
            "/fft-return": {
                "get": {
                    "summary": "The Friends and Family Test monthly return",
                    "parameters": [MONTH],
                    "responses": {
                        **_list_of("FftRow", "One row per service that asked the FFT question"),
                        **_errors(400, 401, 429),
                    },
                }
            },
            "/comments": {
                "get": {
                    "summary": "Comments, newest first",
                    "parameters": [
                        MONTH,
                        {"name": "service", "in": "query", "schema": {"type": "string"}},
                        {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 100}},
                    ],
                    "responses": {
                        **_list_of("Comment", "Comments within the token's scope"),
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
            "/appointments": {
                "post": {
                    "summary": "Add appointments whose families are sent a survey link (admin or service "
                    "staff tokens); the same appointment again changes nothing",
                    "parameters": [
                        {"name": "skip_invalid", "in": "query", "schema": {"type": "string", "enum": ["1"]}}
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        {"$ref": "#/components/schemas/Appointment"},
                                        {
                                            "type": "array",
                                            "maxItems": 500,
                                            "items": {"$ref": "#/components/schemas/Appointment"},
                                        },
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Some added",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Added"}}
                            },
                        },
                        "200": {
                            "description": "None new",
                            "content": {
                                "application/json": {"schema": {"$ref": "#/components/schemas/Added"}}
                            },
                        },
                        "422": {"description": "Nothing added: the reasons are in `rejected`"},
                        **_errors(400, 401, 403, 429),
                    },
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.0"}},
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <token>"}
            },
            "schemas": {
                "Figure": FIGURE,
                "Comment": COMMENT,
                "FftRow": FFT_ROW,
                "Error": ERROR,
                "Appointment": APPOINTMENT,
                "Added": ADDED,
            },
        },
    }
