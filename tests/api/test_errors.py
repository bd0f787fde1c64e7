"""One error class per problem code (quantdesk.errors), answered in the one error shape
(quantdesk.api.errors)."""

from __future__ import annotations

import asyncio
import json

from fastapi import FastAPI

from quantdesk import errors
from quantdesk.api.errors import install_error_handlers


def platform_errors() -> list[type[errors.PlatformError]]:
    return [
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, errors.PlatformError)
    ]


def test_each_code_has_exactly_one_class_and_every_class_a_status():
    classes = [cls for cls in platform_errors() if cls is not errors.PlatformError]
    codes = [cls.code for cls in classes]
    assert len(codes) == len(set(codes)), sorted(codes)
    assert all(400 <= cls.status_code < 600 for cls in classes)
    assert all(cls.__bases__ == (errors.PlatformError,) for cls in classes)


def test_a_platform_error_is_answered_as_code_message_details():
    app = FastAPI()
    install_error_handlers(app)
    handler = app.exception_handlers[errors.PlatformError]
    refused = errors.BrokerageNotLinked("Not linked yet.", status_code=404)
    answer = asyncio.run(handler(None, refused))
    assert answer.status_code == 404
    assert json.loads(answer.body) == {
        "code": "brokerage_not_linked",
        "message": "Not linked yet.",
        "details": {},
    }
    assert errors.BrokerageNotLinked("Not linked.").status_code == 409
