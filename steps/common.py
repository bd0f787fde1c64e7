"""Step parameter types shared by every workflow."""

import parse
from behave import register_type


@parse.with_pattern(r'[^"]*')
def parse_quoted(text: str) -> str:
    """The text between double quotes, possibly empty."""
    return text


register_type(Quoted=parse_quoted)
