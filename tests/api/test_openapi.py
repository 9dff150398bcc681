"""The published OpenAPI document: every operation says what it answers, and a schema's name
means one shape only."""

from __future__ import annotations

import types
import typing
from typing import Any

import pytest
from ninja.constants import NOT_SET
from pydantic import BaseModel

from jintiao.api import api

SCHEMA = api.get_openapi_schema()
COMPONENTS = SCHEMA["components"]["schemas"]
OPERATIONS = [(method.upper(), path, op) for path, ops in SCHEMA["paths"].items()
              for method, op in ops.items()]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return COMPONENTS[ref.rsplit("/", 1)[1]] if ref else schema


def concrete(schema: dict[str, Any]) -> bool:
    """A named object schema with declared fields, or a list of them: never ``{}`` nor an
    object that may hold anything."""
    if schema.get("type") == "array":
        return concrete(schema.get("items", {}))
    if "$ref" not in schema:
        return False
    return bool(resolve(schema).get("properties"))


@pytest.mark.parametrize(("method", "path", "op"), OPERATIONS,
                         ids=[f"{m} {p}" for m, p, _ in OPERATIONS])
def test_every_success_answer_has_a_declared_shape(method, path, op):
    answers = {code: r for code, r in op["responses"].items() if str(code).startswith("2")}
    assert answers, f"{method} {path} declares no success answer"
    for code, answer in answers.items():
        content = answer.get("content")
        assert content, f"{method} {path} {code}: no content declared"
        for media, body in content.items():
            if media == "application/json":
                assert concrete(body["schema"]), f"{method} {path} {code}: {body['schema']}"
            else:  # a file: declared as binary of its own type
                assert body["schema"] == {"type": "string", "format": "binary"}, media


def _models(annotation: Any) -> typing.Iterator[type[BaseModel]]:
    """The pydantic models an annotation names, however nested in lists, unions and
    ``Annotated``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    if isinstance(annotation, types.GenericAlias | types.UnionType) or typing.get_origin(
            annotation) is not None:
        for arg in typing.get_args(annotation):
            yield from _models(arg)


def schemas_in_use() -> dict[str, set[type[BaseModel]]]:
    """Every schema class an operation reads or answers, by the name it is published under."""
    by_name: dict[str, set[type[BaseModel]]] = {}
    todo: list[type[BaseModel]] = []
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for operation in view.operations:
                for params in operation.models:  # ninja's wrappers: their fields are ours
                    for field in params.model_fields.values():
                        todo.extend(_models(field.annotation))
                for model in operation.response_models.values():
                    if model not in (NOT_SET, None):
                        todo.extend(_models(model.model_fields["response"].annotation))
    while todo:
        model = todo.pop()
        if model in by_name.setdefault(model.__name__, set()):
            continue
        by_name[model.__name__].add(model)
        for field in model.model_fields.values():
            todo.extend(_models(field.annotation))
    return by_name


def test_no_two_schemas_share_a_published_name():
    """The OpenAPI document keys schemas by class name: a second class of the same name
    silently replaces the first, and clients are told the wrong body."""
    shared = {name: sorted(f"{c.__module__}.{c.__qualname__}" for c in classes)
              for name, classes in schemas_in_use().items() if len(classes) > 1}
    assert shared == {}


def test_every_schema_in_use_is_published():
    names = set(schemas_in_use())
    assert names <= set(COMPONENTS), sorted(names - set(COMPONENTS))


def test_a_caucus_note_is_published_with_its_side_and_text():
    body = SCHEMA["paths"]["/api/v1/sessions/{session_id}/caucus-notes"]["post"]["requestBody"]
    published = resolve(body["content"]["application/json"]["schema"])
    assert set(published["properties"]) == {"side", "text"}
    assert set(published["required"]) == {"side", "text"}


def test_the_credit_repair_confirmation_is_published_with_its_note():
    path = "/api/v1/disputes/{dispute_id}/credit-repair/confirm"
    body = SCHEMA["paths"][path]["post"]["requestBody"]
    published = resolve(body["content"]["application/json"]["schema"])
    assert set(published["properties"]) == {"note"}
