"""The OpenAPI 3.1 document of `ner-cli serve` (GET /openapi.json): plain data, the one
description of the service's requests and responses (``tests/test_serve_schema.py`` fuzzes
the service against it)."""

from __future__ import annotations

from ner_cli import __version__

JSON = "application/json"
NDJSON = "application/x-ndjson"


def _error_response(description: str) -> dict:
    return {"description": description,
            "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}}}


_NULLABLE_STRING = {"type": ["string", "null"]}
_SCHEMAS = {
    "ExtractRequest": {
        "type": "object", "required": ["text"],
        "properties": {
            "text": {"type": "string", "description": "The document's text."},
            "id": {"type": ["string", "null"],
                   "description": 'The record\'s id (default "1"; in NDJSON, the line number).'},
        },
    },
    "Mention": {
        "type": "object", "required": ["text", "label", "start", "end", "name", "title", "entity"],
        "properties": {
            "text": {"type": "string"}, "label": {"type": "string"},
            "start": {"type": "integer", "minimum": 0}, "end": {"type": "integer", "minimum": 0},
            "name": {"type": "string"},
            "title": {"oneOf": [{"type": "null"}, {
                "type": "object", "required": ["text", "start", "end"],
                "properties": {"text": {"type": "string"}, "start": {"type": "integer"},
                               "end": {"type": "integer"}}}]},
            "entity": _NULLABLE_STRING,
        },
    },
    "Entity": {
        "type": "object",
        "required": ["id", "name", "label", "count", "variants", "first_start"],
        "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "label": {"type": "string"},
            "count": {"type": "integer", "minimum": 1},
            "variants": {"type": "array", "items": {"type": "string"}},
            "first_start": {"type": "integer", "minimum": 0},
        },
    },
    "Record": {
        "description": 'The output contract (README, "Output contract"): entities, or an '
                       "error for a document that could not be processed.",
        "type": "object", "required": ["id", "source"],
        "properties": {
            "id": {"type": "string"}, "source": {"type": "string"},
            "error": {"type": "string"},
            "entities": {"type": "array", "items": {"$ref": "#/components/schemas/Mention"}},
            "entities_grouped": {"type": "array",
                                 "items": {"$ref": "#/components/schemas/Entity"}},
        },
        "oneOf": [{"required": ["entities", "entities_grouped"]}, {"required": ["error"]}],
    },
    "Info": {
        "type": "object",
        "required": ["ner_cli", "model", "weights", "patterns", "labels", "jobs", "max_body",
                     "queue", "timeout"],
        "properties": {
            "ner_cli": {"type": "string", "description": "ner-cli's version."},
            "model": {"type": "string", "description": "spaCy pipeline and its version."},
            "weights": {"type": "string", "description": "ner weights and a hash of them."},
            "patterns": _NULLABLE_STRING, "labels": {"type": "array", "items": {"type": "string"}},
            "jobs": {"type": "integer"}, "max_body": {"type": "integer"},
            "queue": {"type": "integer"}, "timeout": {"type": "number"},
        },
    },
    "Error": {"type": "object", "required": ["detail"],
              "properties": {"detail": {"type": "string"}}},
}


def openapi_document(labels: list[str] | None = None, with_token: bool = False) -> dict:
    """The OpenAPI 3.1 document of the service (GET /openapi.json); ``labels``: those the
    pipeline predicts, the values ``?labels=`` takes."""
    label = {"type": "string", **({"enum": labels} if labels else {})}
    busy = _error_response("Busy: the queue of documents is full, or a worker process "
                           "stopped and new ones are starting; try again after Retry-After "
                           "seconds.")
    busy["headers"] = {"Retry-After": {"schema": {"type": "integer"}}}
    extract = {
        "summary": "Entities of one document (JSON) or of many (NDJSON, streamed back)",
        "operationId": "extract",
        "parameters": [{"name": "labels", "in": "query", "required": False,
                        "style": "form", "explode": False,
                        "description": "Keep only these labels, comma-separated: PER,ORG.",
                        "schema": {"type": "array", "items": label, "minItems": 1}}],
        "requestBody": {"required": True, "content": {
            JSON: {"schema": {"$ref": "#/components/schemas/ExtractRequest"}},
            # any bytes: a line that is not an ExtractRequest gets an error record, and the
            # response is a 200 all the same (as extract reads a JSONL corpus)
            NDJSON: {"schema": {"description": "One ExtractRequest per line; a line that is "
                                "not one gives an error record in its place, not a failed "
                                "response."}},
        }},
        "responses": {
            "200": {"description": "The record (JSON), or one record per line in input "
                                   "order (NDJSON).",
                    "content": {JSON: {"schema": {"$ref": "#/components/schemas/Record"}},
                                NDJSON: {"schema": {
                                    "type": "array", "description": "One Record per line.",
                                    "items": {"$ref": "#/components/schemas/Record"}}}}},
            "413": _error_response("The body is over --max-body."),
            "415": _error_response("Neither application/json nor application/x-ndjson."),
            "422": _error_response("Not a JSON object with a string text, or an unknown "
                                   "label."),
            "503": busy,
            "504": _error_response("The documents took over --timeout seconds."),
        },
    }
    document = {
        "openapi": "3.1.0",
        "info": {"title": "ner-cli", "version": __version__,
                 "description": "Named entities of French news texts (README, \"Service\")."},
        "paths": {
            "/healthz": {"get": {"summary": "Liveness (no token needed)", "operationId": "healthz",
                                 "security": [],
                                 "responses": {"200": {"description": "The service is up.",
                                                       "content": {JSON: {"schema": {
                                                           "type": "object",
                                                           "required": ["status"]}}}}}}},
            "/v1/info": {"get": {"summary": "Versions, pipeline, labels and limits",
                                 "operationId": "info", "responses": {"200": {
                                     "description": "What the service runs.",
                                     "content": {JSON: {"schema": {
                                         "$ref": "#/components/schemas/Info"}}}}}}},
            "/v1/extract": {"post": extract},
        },
        "components": {"schemas": _SCHEMAS},
    }
    if with_token:
        document["components"]["securitySchemes"] = {"token": {"type": "http",
                                                               "scheme": "bearer"}}
        document["security"] = [{"token": []}]
        unauthorized = _error_response("Missing or wrong bearer token.")
        for path in ("/v1/info", "/v1/extract"):
            for operation in document["paths"][path].values():
                operation["responses"]["401"] = unauthorized
    return document
