"""Step parameter types shared by every workflow.

Registered from environment.py, which behave loads before any step module: registering
them in a step module would make them depend on the alphabetical order of the files.
"""

import parse
from behave import register_type


@parse.with_pattern(r'[^"]*')
def parse_quoted(text: str) -> str:
    """The text between double quotes, possibly empty."""
    return text


def register_step_types() -> None:
    register_type(Quoted=parse_quoted)
