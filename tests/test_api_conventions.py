"""Rules every API endpoint follows, checked over the whole OpenAPI schema."""

from drf_spectacular.generators import SchemaGenerator


def _schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_list_operation_is_paginated():
    unpaginated = [
        f"GET {path}"
        for path, operations in _schema()["paths"].items()
        if "get" in operations
        and operations["get"]["operationId"].endswith("_list")
        and not operations["get"]["responses"]["200"]["content"]["application/json"][
            "schema"
        ]["$ref"].startswith("#/components/schemas/Paginated")
    ]
    assert unpaginated == []


def test_every_operation_is_under_api_v1_and_documented():
    for path, operations in _schema()["paths"].items():
        assert path.startswith("/api/v1/")
        for operation in operations.values():
            assert operation.get("tags"), f"{path} has no tag"
