"""Client registration rules (pure)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from email_validator import EmailNotValidError, validate_email

MINIMUM_AGE_YEARS = 18
MAX_NAME_LENGTH = 200
MIN_HORIZON_YEARS, MAX_HORIZON_YEARS = 1, 50
MIN_PASSWORD_LENGTH, MAX_PASSWORD_LENGTH = 12, 128
# ISO 3166-1 alpha-2 codes of the countries the platform onboards clients from.
SUPPORTED_COUNTRIES = frozenset(
    {
        "AT",
        "AU",
        "BE",
        "CA",
        "CH",
        "DE",
        "DK",
        "ES",
        "FI",
        "FR",
        "GB",
        "IE",
        "IT",
        "JP",
        "LU",
        "NL",
        "NO",
        "NZ",
        "PT",
        "SE",
        "SG",
        "US",
    }
)
REGISTRATION_FIELDS = (
    "full_name",
    "email",
    "date_of_birth",
    "country",
    "risk_tolerance",
    "investment_horizon_years",
    "password",
)


class RiskTolerance(StrEnum):
    CONSERVATIVE = "conservative"
    MODERATE = "moderate"
    AGGRESSIVE = "aggressive"


@dataclass(frozen=True)
class FieldProblem:
    field: str
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Registration:
    full_name: str
    email: str
    date_of_birth: date
    risk_tolerance: RiskTolerance
    country: str
    investment_horizon_years: int
    password: str = field(repr=False)

    @property
    def email_key(self) -> str:
        """The identity of an email for uniqueness: case and surrounding spaces ignored."""
        return normalize_email(self.email)


def normalize_email(email: str) -> str:
    return email.strip().casefold()


def age_on(born: date, today: date) -> int:
    """Whole years between ``born`` and ``today``; a 29 February birthday counts from 1 March."""
    years = today.year - born.year
    if (today.month, today.day) < (born.month, born.day):
        years -= 1
    return years


def _text(data: Mapping[str, Any], name: str, problems: list[FieldProblem]) -> str | None:
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(FieldProblem(name, "required", f"{name} is required."))
        return None
    if not isinstance(value, str):
        problems.append(FieldProblem(name, "invalid_type", f"{name} must be a string."))
        return None
    return value.strip()


def validate_registration(
    data: Mapping[str, Any], *, today: date
) -> tuple[Registration | None, list[FieldProblem]]:
    """Check every registration rule and report all problems at once, field by field in
    the order of the form."""
    problems: list[FieldProblem] = [
        FieldProblem(name, "unknown_field", f"{name} is not a registration field.")
        for name in sorted(set(data) - set(REGISTRATION_FIELDS))
    ]
    full_name = _full_name(data, problems)
    email = _email(data, problems)
    born = _date_of_birth(data, problems, today)
    tolerance = _risk_tolerance(data, problems)
    country = _country(data, problems)
    horizon = _horizon(data, problems)
    password = _password(data, problems)
    if problems:
        return None, problems
    assert full_name and email and born and tolerance and country and horizon and password
    return Registration(full_name, email, born, tolerance, country.upper(), horizon, password), []


def _full_name(data: Mapping[str, Any], problems: list[FieldProblem]) -> str | None:
    full_name = _text(data, "full_name", problems)
    if full_name is not None and len(full_name) > MAX_NAME_LENGTH:
        problems.append(
            FieldProblem(
                "full_name", "too_long", f"full_name must be at most {MAX_NAME_LENGTH} characters."
            )
        )
        return None
    return full_name


def _email(data: Mapping[str, Any], problems: list[FieldProblem]) -> str | None:
    email = _text(data, "email", problems)
    if email is None:
        return None
    try:
        return validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        problems.append(FieldProblem("email", "invalid_email", f"email is not valid: {exc}"))
        return None


def _date_of_birth(
    data: Mapping[str, Any], problems: list[FieldProblem], today: date
) -> date | None:
    raw_born = _text(data, "date_of_birth", problems)
    if raw_born is None:
        return None
    try:
        born = date.fromisoformat(raw_born)
    except ValueError:
        problems.append(
            FieldProblem(
                "date_of_birth", "invalid_date", "date_of_birth must be a date as YYYY-MM-DD."
            )
        )
        return None
    if born > today:
        problems.append(
            FieldProblem("date_of_birth", "in_future", "date_of_birth cannot be in the future.")
        )
        return None
    if age_on(born, today) < MINIMUM_AGE_YEARS:
        problems.append(
            FieldProblem(
                "date_of_birth",
                "under_age",
                f"The client must be at least {MINIMUM_AGE_YEARS} years old.",
            )
        )
        return None
    return born


def _risk_tolerance(data: Mapping[str, Any], problems: list[FieldProblem]) -> RiskTolerance | None:
    raw_tolerance = _text(data, "risk_tolerance", problems)
    if raw_tolerance is None:
        return None
    try:
        return RiskTolerance(raw_tolerance.lower())
    except ValueError:
        allowed = ", ".join(t.value for t in RiskTolerance)
        problems.append(
            FieldProblem(
                "risk_tolerance", "invalid_choice", f"risk_tolerance must be one of: {allowed}."
            )
        )
        return None


def _country(data: Mapping[str, Any], problems: list[FieldProblem]) -> str | None:
    country = _text(data, "country", problems)
    if country is not None and country.upper() not in SUPPORTED_COUNTRIES:
        problems.append(
            FieldProblem(
                "country",
                "unsupported_country",
                "country must be the ISO code of a supported country.",
            )
        )
        return None
    return country


def _password(data: Mapping[str, Any], problems: list[FieldProblem]) -> str | None:
    password = data.get("password")
    if password is None or password == "":
        problems.append(FieldProblem("password", "required", "password is required."))
        return None
    if not isinstance(password, str):
        problems.append(FieldProblem("password", "invalid_type", "password must be a string."))
        return None
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        problems.append(
            FieldProblem(
                "password",
                "weak_password",
                f"password must be {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD_LENGTH} characters.",
            )
        )
        return None
    return password


def _horizon(data: Mapping[str, Any], problems: list[FieldProblem]) -> int | None:
    name = "investment_horizon_years"
    value = data.get(name)
    if value is None or value == "":
        problems.append(FieldProblem(name, "required", f"{name} is required."))
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(FieldProblem(name, "invalid_type", f"{name} must be whole years."))
        return None
    if not MIN_HORIZON_YEARS <= value <= MAX_HORIZON_YEARS:
        problems.append(
            FieldProblem(
                name,
                "out_of_range",
                f"{name} must be between {MIN_HORIZON_YEARS} and {MAX_HORIZON_YEARS} years.",
            )
        )
        return None
    return value
