"""Compliance profiles and environment overlays: loading, `extends`, merging and overlays.

A profile file sets parameters, each with its value, where it comes from and whether it is a
regulatory duty or an engineering choice. Resolution happens in three steps:

1. `extends`: a profile's parameters override its parent's, field by field (baseline is the
   shared set of defaults every shipped profile extends).
2. Several profiles at once: for each parameter the strictest value wins (`Merge` says what
   "strict" means for it); allowed regions intersect; an empty intersection, or a minimum above
   a maximum, is an error naming the two profiles.
3. The environment overlay may tighten a parameter, never weaken it.

Everything the user gives us goes through pydantic; every error names the file and the field.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from provisioner.errors import BadInputError
from provisioner.yamlfile import load_yaml

PROFILE_NAME = re.compile(r"^[a-z][a-z0-9]*$")
ENVIRONMENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
REGION_NAME = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
ANY_REGION = "*"

# CloudWatch Logs accepts only these retention values (PutRetentionPolicy).
LOG_RETENTION_DAYS = frozenset(
    {
        1,
        3,
        5,
        7,
        14,
        30,
        60,
        90,
        120,
        150,
        180,
        365,
        400,
        545,
        731,
        1096,
        1827,
        2192,
        2557,
        2922,
        3288,
        3653,
    }
)

# AWS Config managed-rule source identifiers we know to exist (controls.md section 1 and 3e).
# A profile naming anything else is rejected: a made-up identifier deploys nothing.
KNOWN_CONFIG_RULES = frozenset(
    {
        "CMK_BACKING_KEY_ROTATION_ENABLED",
        "KMS_CMK_NOT_SCHEDULED_FOR_DELETION",
        "KMS_KEY_POLICY_NO_PUBLIC_ACCESS",
        "SQS_QUEUE_DLQ_CHECK",
        "SQS_QUEUE_NO_PUBLIC_ACCESS",
        "SQS_QUEUE_POLICY_FULL_ACCESS_CHECK",
        "SNS_ENCRYPTED_KMS",
        "SNS_TOPIC_NO_PUBLIC_ACCESS",
        "SNS_TOPIC_MESSAGE_DELIVERY_NOTIFICATION_ENABLED",
        "CLOUD_TRAIL_ENABLED",
        "MULTI_REGION_CLOUD_TRAIL_ENABLED",
        "CLOUDTRAIL_SECURITY_TRAIL_ENABLED",
        "CLOUD_TRAIL_LOG_FILE_VALIDATION_ENABLED",
        "CLOUD_TRAIL_ENCRYPTION_ENABLED",
        "CLOUD_TRAIL_CLOUD_WATCH_LOGS_ENABLED",
        "CLOUDTRAIL_S3_DATAEVENTS_ENABLED",
        "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED",
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS",
        "S3_ACCOUNT_LEVEL_PUBLIC_ACCESS_BLOCKS_PERIODIC",
        "S3_BUCKET_VERSIONING_ENABLED",
        "S3_BUCKET_DEFAULT_LOCK_ENABLED",
        "S3_BUCKET_MFA_DELETE_ENABLED",
        "S3_BUCKET_SSL_REQUESTS_ONLY",
        "S3_DEFAULT_ENCRYPTION_KMS",
        "S3_BUCKET_LOGGING_ENABLED",
        "S3_LIFECYCLE_POLICY_CHECK",
        "CW_LOGGROUP_RETENTION_PERIOD_CHECK",
        "CLOUDWATCH_LOG_GROUP_ENCRYPTED",
        "CLOUDWATCH_ALARM_ACTION_CHECK",
        "CLOUDWATCH_ALARM_ACTION_ENABLED_CHECK",
        "SERVICE_VPC_ENDPOINT_ENABLED",
        "RESTRICTED_INCOMING_TRAFFIC",
        "VPC_SG_OPEN_ONLY_TO_AUTHORIZED_PORTS",
        "VPC_DEFAULT_SECURITY_GROUP_CLOSED",
        "VPC_FLOW_LOGS_ENABLED",
        "INCOMING_SSH_DISABLED",
        "IAM_POLICY_NO_STATEMENTS_WITH_ADMIN_ACCESS",
        "IAM_POLICY_NO_STATEMENTS_WITH_FULL_ACCESS",
        "IAM_CUSTOMER_POLICY_BLOCKED_KMS_ACTIONS",
        "IAM_INLINE_POLICY_BLOCKED_KMS_ACTIONS",
    }
)

# Interface endpoint service short names a profile may require (com.amazonaws.<region>.<name>).
KNOWN_ENDPOINT_SERVICES = frozenset(
    {
        "sqs",
        "sns",
        "kms",
        "logs",
        "monitoring",
        "events",
        "sts",
        "cloudtrail",
        "config",
        "kms-fips",
        "sqs-fips",
        "sns-fips",
    }
)

# --------------------------------------------------------------------------------------------
# Parameters: each one a value with provenance, and a rule saying which of two values is stricter
# --------------------------------------------------------------------------------------------


class Basis(StrEnum):
    """Whether a parameter value is a regulatory duty or our engineering choice."""

    regulatory = "regulatory"
    engineering = "engineering"


class Merge(Enum):
    """What 'strictest' means for a parameter when profiles combine or an overlay applies."""

    LOWER = "lower is stricter"  # maxima: retention limits, rotation period
    HIGHER = "higher is stricter"  # minima: audit retention, deletion window
    REQUIRE = "true is stricter"  # switches that turn a protection on
    UNION = "more is stricter"  # required endpoints, config rules
    INTERSECT = "fewer is stricter"  # allowed regions
    RANK = "later in the ranking is stricter"  # object lock mode


OBJECT_LOCK_RANK = ("GOVERNANCE", "COMPLIANCE")

T = TypeVar("T")


class Param(BaseModel, Generic[T]):
    """A parameter value, where it comes from, and whether the law or we chose it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: T
    source: str = Field(min_length=1, description="Citation or reason, e.g. 'PCI DSS v4.0 10.5.1'")
    basis: Basis
    origin: str | None = Field(
        default=None, description="Filled by the loader: the profile or overlay that set it."
    )


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Regions = Annotated[list[str], Field(min_length=1)]
Seconds14d = Annotated[int, Field(ge=60, le=1_209_600)]


class RegionParams(_Group):
    allowed: Annotated[Param[Regions] | None, Merge.INTERSECT] = None

    @field_validator("allowed")
    @classmethod
    def _region_names(cls, param: Param[list[str]] | None) -> Param[list[str]] | None:
        if param is not None:
            for region in param.value:
                if region != ANY_REGION and not REGION_NAME.match(region):
                    raise ValueError(f"'{region}' is not an AWS region name")
        return param


class KmsParams(_Group):
    rotation_required: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    rotation_period_days: Annotated[
        Param[Annotated[int, Field(ge=90, le=2560)]] | None, Merge.LOWER
    ] = None
    deletion_window_days: Annotated[
        Param[Annotated[int, Field(ge=7, le=30)]] | None, Merge.HIGHER
    ] = None


class QueueParams(_Group):
    max_message_retention_seconds: Annotated[Param[Seconds14d] | None, Merge.LOWER] = None
    # A longer visibility timeout is the conservative side: fewer duplicate deliveries.
    visibility_timeout_seconds: Annotated[
        Param[Annotated[int, Field(ge=0, le=43_200)]] | None, Merge.HIGHER
    ] = None
    max_receive_count: Annotated[
        Param[Annotated[int, Field(ge=1, le=1000)]] | None, Merge.LOWER
    ] = None
    dlq_required: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    dlq_retention_seconds: Annotated[Param[Seconds14d] | None, Merge.LOWER] = None
    data_key_reuse_seconds: Annotated[
        Param[Annotated[int, Field(ge=60, le=86_400)]] | None, Merge.LOWER
    ] = None


class TransportParams(_Group):
    tls_only: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    fips_endpoints: Annotated[Param[bool] | None, Merge.REQUIRE] = None


class NetworkParams(_Group):
    required_endpoints: Annotated[Param[list[str]] | None, Merge.UNION] = None
    flow_logs_required: Annotated[Param[bool] | None, Merge.REQUIRE] = None

    @field_validator("required_endpoints")
    @classmethod
    def _known_services(cls, param: Param[list[str]] | None) -> Param[list[str]] | None:
        if param is not None:
            for service in param.value:
                if service not in KNOWN_ENDPOINT_SERVICES:
                    known = ", ".join(sorted(KNOWN_ENDPOINT_SERVICES))
                    raise ValueError(f"unknown endpoint service '{service}' (known: {known})")
        return param


class AuditParams(_Group):
    multi_region: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    log_file_validation: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    data_events_sqs: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    data_events_sns: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    s3_retention_days: Annotated[
        Param[Annotated[int, Field(ge=1, le=36_500)]] | None, Merge.HIGHER
    ] = None
    s3_max_retention_days: Annotated[
        Param[Annotated[int, Field(ge=1, le=36_500)]] | None, Merge.LOWER
    ] = None
    cloudwatch_retention_days: Annotated[
        Param[Annotated[int, Field(ge=1, le=3653)]] | None, Merge.HIGHER
    ] = None
    cloudwatch_max_retention_days: Annotated[
        Param[Annotated[int, Field(ge=1, le=3653)]] | None, Merge.LOWER
    ] = None
    object_lock_mode: Annotated[Param[Literal["GOVERNANCE", "COMPLIANCE"]] | None, Merge.RANK] = (
        None
    )
    object_lock_days: Annotated[
        Param[Annotated[int, Field(ge=1, le=36_500)]] | None, Merge.HIGHER
    ] = None

    @field_validator("cloudwatch_retention_days", "cloudwatch_max_retention_days")
    @classmethod
    def _log_retention_value(cls, param: Param[int] | None) -> Param[int] | None:
        if param is not None and param.value not in LOG_RETENTION_DAYS:
            allowed = ", ".join(str(v) for v in sorted(LOG_RETENTION_DAYS))
            raise ValueError(f"{param.value} is not a CloudWatch Logs retention value ({allowed})")
        return param


class ConfigParams(_Group):
    recorder_required: Annotated[Param[bool] | None, Merge.REQUIRE] = None
    rules: Annotated[Param[list[str]] | None, Merge.UNION] = None

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, param: Param[list[str]] | None) -> Param[list[str]] | None:
        if param is not None:
            for rule in param.value:
                if rule not in KNOWN_CONFIG_RULES:
                    raise ValueError(
                        f"'{rule}' is not an AWS Config managed rule identifier"
                        + (
                            " (there is no managed rule for SQS encryption at rest)"
                            if rule == "SQS_ENCRYPTED_AT_REST"
                            else ""
                        )
                    )
        return param


class AlarmParams(_Group):
    message_volume_threshold: Annotated[
        Param[Annotated[int, Field(ge=1, le=10_000_000)]] | None, Merge.LOWER
    ] = None
    dlq_depth_threshold: Annotated[
        Param[Annotated[int, Field(ge=0, le=1_000_000)]] | None, Merge.LOWER
    ] = None
    oldest_message_age_seconds: Annotated[
        Param[Annotated[int, Field(ge=60, le=1_209_600)]] | None, Merge.LOWER
    ] = None


class Parameters(_Group):
    regions: RegionParams = RegionParams()
    kms: KmsParams = KmsParams()
    queue: QueueParams = QueueParams()
    transport: TransportParams = TransportParams()
    network: NetworkParams = NetworkParams()
    audit: AuditParams = AuditParams()
    config: ConfigParams = ConfigParams()
    alarms: AlarmParams = AlarmParams()


# Parameters that may stay unset after resolution ("no upper bound").
OPTIONAL_PARAMETERS = frozenset(
    {"audit.s3_max_retention_days", "audit.cloudwatch_max_retention_days"}
)


class ProfileDocument(BaseModel):
    """One `profiles/<name>.yaml` file as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    title: str = Field(min_length=1)
    description: str = ""
    extends: str | None = None
    frameworks: list[str] = []
    controls: list[str] = []
    parameters: Parameters = Parameters()

    @field_validator("name", "extends")
    @classmethod
    def _profile_name(cls, value: str | None) -> str | None:
        if value is not None and not PROFILE_NAME.match(value):
            raise ValueError(f"'{value}' is not a profile name ([a-z][a-z0-9]*)")
        return value


# --------------------------------------------------------------------------------------------
# Walking parameters generically: (group, field) pairs with their merge rule
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParamSpec:
    group: str
    name: str
    merge: Merge

    @property
    def path(self) -> str:
        return f"{self.group}.{self.name}"


def _param_specs() -> tuple[ParamSpec, ...]:
    specs: list[ParamSpec] = []
    for group_name, group_field in Parameters.model_fields.items():
        group_model = group_field.annotation
        assert isinstance(group_model, type) and issubclass(group_model, _Group)
        for name, info in group_model.model_fields.items():
            merge = next(m for m in info.metadata if isinstance(m, Merge))
            specs.append(ParamSpec(group_name, name, merge))
    return tuple(specs)


PARAM_SPECS = _param_specs()


def get_param(parameters: Parameters, spec: ParamSpec) -> Param[Any] | None:
    value: Param[Any] | None = getattr(getattr(parameters, spec.group), spec.name)
    return value


def _with_params(
    parameters: Parameters, updates: Mapping[ParamSpec, Param[Any] | None]
) -> Parameters:
    by_group: dict[str, dict[str, Any]] = {}
    for spec, param in updates.items():
        by_group.setdefault(spec.group, {})[spec.name] = param
    return parameters.model_copy(
        update={
            group: getattr(parameters, group).model_copy(update=fields)
            for group, fields in by_group.items()
        }
    )


def _is_stricter_or_equal(merge: Merge, candidate: Any, reference: Any) -> bool:
    """True when `candidate` is at least as strict as `reference` under `merge`."""
    if merge is Merge.LOWER:
        return bool(candidate <= reference)
    if merge is Merge.HIGHER:
        return bool(candidate >= reference)
    if merge is Merge.REQUIRE:
        return bool(candidate) or not reference
    if merge is Merge.UNION:
        return set(reference) <= set(candidate)
    if merge is Merge.INTERSECT:
        if ANY_REGION in candidate:
            return ANY_REGION in reference
        return ANY_REGION in reference or set(candidate) <= set(reference)
    if merge is Merge.RANK:
        return OBJECT_LOCK_RANK.index(candidate) >= OBJECT_LOCK_RANK.index(reference)
    raise AssertionError(merge)


def _combine(merge: Merge, a: Param[Any], b: Param[Any]) -> Param[Any]:
    """The stricter of two parameter values (for UNION/INTERSECT, their combination)."""
    if merge is Merge.UNION:
        values = list(dict.fromkeys([*a.value, *b.value]))
        return a.model_copy(
            update={
                "value": values,
                "source": _join(a.source, b.source),
                "origin": _join(a.origin, b.origin),
            }
        )
    if merge is Merge.INTERSECT:
        if ANY_REGION in a.value:
            return b
        if ANY_REGION in b.value:
            return a
        values = [region for region in a.value if region in b.value]
        return a.model_copy(
            update={
                "value": values,
                "source": _join(a.source, b.source),
                "origin": _join(a.origin, b.origin),
            }
        )
    return a if _is_stricter_or_equal(merge, a.value, b.value) else b


def _join(a: str | None, b: str | None) -> str:
    parts = [p for p in (a, b) if p]
    return "; ".join(dict.fromkeys(parts))


# --------------------------------------------------------------------------------------------
# Loading profile files
# --------------------------------------------------------------------------------------------


def builtin_profiles_dir() -> Path:
    """`profiles/` of the checkout, or the copy installed under `<prefix>/share/provisioner`."""
    checkout = Path(__file__).resolve().parent.parent / "profiles"
    if checkout.is_dir():
        return checkout
    return Path(sys.prefix) / "share" / "provisioner" / "profiles"


def describe_validation_error(path: Path | str, error: ValidationError) -> str:
    """One line naming the file and the first failing field."""
    first = error.errors()[0]
    location = (
        ".".join(str(part) for part in first["loc"] if part not in ("value",)) or "(document)"
    )
    message = first["msg"]
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
    given = first.get("input")
    suffix = ""
    if first["type"] not in ("missing", "extra_forbidden") and not isinstance(given, dict | list):
        suffix = f" (got {given!r})"
    return f"{path}: {location}: {message}{suffix}"


def read_yaml_mapping(path: Path) -> dict[str, Any]:
    """Parse a YAML file that must hold one mapping; errors name the file and the line."""
    document = load_yaml(path)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise BadInputError(
            f"{path}: expected a mapping at the top level, found {type(document).__name__}"
        )
    return document


@dataclass(frozen=True)
class ProfileCatalog:
    """Where profiles are found: a user directory first (optional), then the built-in ones."""

    builtin_dir: Path = field(default_factory=builtin_profiles_dir)
    user_dir: Path | None = None

    def files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        if self.builtin_dir.is_dir():
            for path in sorted(self.builtin_dir.glob("*.yaml")):
                found[path.stem] = path
        if self.user_dir is not None:
            if not self.user_dir.is_dir():
                raise BadInputError(f"--profiles-dir {self.user_dir}: not a directory")
            for path in sorted(self.user_dir.glob("*.yaml")):
                if path.stem in found:
                    raise BadInputError(
                        f"{path}: profile '{path.stem}' would shadow the built-in profile "
                        f"{found[path.stem]}",
                        hint="give your profile another name and use `extends:` to build on it",
                    )
                found[path.stem] = path
        return found

    def names(self) -> list[str]:
        return sorted(self.files())

    def load_document(self, name: str) -> tuple[ProfileDocument, Path]:
        if not PROFILE_NAME.match(name):
            raise BadInputError(f"--profile {name!r}: not a profile name ([a-z][a-z0-9]*)")
        files = self.files()
        if name not in files:
            raise BadInputError(
                f"unknown profile '{name}'",
                hint=f"known profiles: {', '.join(sorted(files)) or '(none)'}",
            )
        path = files[name]
        raw = read_yaml_mapping(path)
        try:
            document = ProfileDocument.model_validate(raw)
        except ValidationError as error:
            raise BadInputError(describe_validation_error(path, error)) from None
        if document.name != name:
            raise BadInputError(
                f"{path}: name: '{document.name}' does not match the file name '{name}'"
            )
        return document, path

    def load(self, name: str) -> Profile:
        """A profile with its `extends` chain applied, every parameter set and attributed."""
        chain: list[tuple[ProfileDocument, Path]] = []
        seen: list[str] = []
        current: str | None = name
        while current is not None:
            if current in seen:
                cycle = " -> ".join([*seen, current])
                raise BadInputError(f"{chain[-1][1]}: extends: cycle {cycle}")
            seen.append(current)
            try:
                document, path = self.load_document(current)
            except BadInputError as error:
                if current != name and error.message.startswith("unknown profile"):
                    raise BadInputError(
                        f"{chain[-1][1]}: extends: unknown profile '{current}'", error.hint
                    ) from None
                raise
            chain.append((document, path))
            current = document.extends

        parameters = Parameters()
        controls: list[str] = []
        frameworks: list[str] = []
        for document, _path in reversed(chain):
            updates: dict[ParamSpec, Param[Any] | None] = {}
            for spec in PARAM_SPECS:
                param = get_param(document.parameters, spec)
                if param is not None:
                    updates[spec] = param.model_copy(update={"origin": document.name})
            parameters = _with_params(parameters, updates)
            controls.extend(c for c in document.controls if c not in controls)
            frameworks.extend(f for f in document.frameworks if f not in frameworks)

        top, top_path = chain[0]
        for spec in PARAM_SPECS:
            if get_param(parameters, spec) is None and spec.path not in OPTIONAL_PARAMETERS:
                raise BadInputError(
                    f"{top_path}: parameters.{spec.path}: missing "
                    f"(set it here or in a profile it extends)"
                )
        profile = Profile(
            name=name,
            title=top.title,
            description=top.description,
            extends=top.extends,
            path=top_path,
            frameworks=tuple(frameworks),
            controls=tuple(controls),
            parameters=parameters,
        )
        _check_consistency(profile.parameters, str(top_path))
        return profile


@dataclass(frozen=True)
class Profile:
    """A profile (or a merge of several) with every parameter resolved and attributed."""

    name: str
    title: str
    description: str
    extends: str | None
    path: Path | None
    frameworks: tuple[str, ...]
    controls: tuple[str, ...]
    parameters: Parameters

    def to_document(self) -> dict[str, Any]:
        """Resolved values with their sources, for `profiles show --output json`."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "extends": self.extends,
            "frameworks": list(self.frameworks),
            "controls": list(self.controls),
            "parameters": {
                spec.path: _param_document(get_param(self.parameters, spec), spec)
                for spec in PARAM_SPECS
            },
        }


def _param_document(param: Param[Any] | None, spec: ParamSpec) -> dict[str, Any]:
    if param is None:
        return {
            "value": None,
            "source": None,
            "basis": None,
            "profile": None,
            "merge": spec.merge.value,
        }
    return {
        "value": param.value,
        "source": param.source,
        "basis": param.basis.value,
        "profile": param.origin,
        "merge": spec.merge.value,
    }


def _check_consistency(parameters: Parameters, where: str) -> None:
    """Minimums above maximums and other combinations no deployment could satisfy."""
    audit, queue = parameters.audit, parameters.queue
    pairs = [
        (
            "audit.s3_retention_days",
            audit.s3_retention_days,
            "audit.s3_max_retention_days",
            audit.s3_max_retention_days,
        ),
        (
            "audit.object_lock_days",
            audit.object_lock_days,
            "audit.s3_max_retention_days",
            audit.s3_max_retention_days,
        ),
        (
            "audit.cloudwatch_retention_days",
            audit.cloudwatch_retention_days,
            "audit.cloudwatch_max_retention_days",
            audit.cloudwatch_max_retention_days,
        ),
        (
            "queue.max_message_retention_seconds",
            queue.max_message_retention_seconds,
            "queue.dlq_retention_seconds",
            queue.dlq_retention_seconds,
        ),
    ]
    for low_name, low, high_name, high in pairs:
        if low is not None and high is not None and low.value > high.value:
            raise BadInputError(
                f"{where}: {low_name} = {low.value} (from {low.origin}) exceeds "
                f"{high_name} = {high.value} (from {high.origin})",
                hint="these profiles cannot be satisfied together; deploy them as separate stacks",
            )


def merge_profiles(profiles: Sequence[Profile]) -> Profile:
    """Combine several profiles: union of controls, strictest value per parameter."""
    if not profiles:
        raise BadInputError("no --profile given", hint="pass --profile NAME (repeatable)")
    ordered = sorted(profiles, key=lambda p: p.name)
    names = [p.name for p in ordered]
    if len(set(names)) != len(names):
        ordered = list({p.name: p for p in ordered}.values())
    if len(ordered) == 1:
        return ordered[0]
    updates: dict[ParamSpec, Param[Any] | None] = {}
    for spec in PARAM_SPECS:
        merged: Param[Any] | None = None
        for profile in ordered:
            param = get_param(profile.parameters, spec)
            if param is None:
                continue
            if merged is None:
                merged = param
                continue
            combined = _combine(spec.merge, merged, param)
            if spec.merge is Merge.INTERSECT and not combined.value:
                raise BadInputError(
                    f"profiles {merged.origin} and {param.origin} have no allowed region in common "
                    f"(parameters.{spec.path}: {merged.value} vs {param.value})",
                    hint="deploy these profiles as separate stacks",
                )
            merged = combined
        updates[spec] = merged
    parameters = _with_params(Parameters(), updates)
    joined = "-".join(p.name for p in ordered)
    _check_consistency(parameters, f"profiles {' + '.join(p.name for p in ordered)}")
    return Profile(
        name=joined,
        title=" + ".join(p.title for p in ordered),
        description="",
        extends=None,
        path=None,
        frameworks=tuple(dict.fromkeys(f for p in ordered for f in p.frameworks)),
        controls=tuple(dict.fromkeys(c for p in ordered for c in p.controls)),
        parameters=parameters,
    )


# --------------------------------------------------------------------------------------------
# Environments
# --------------------------------------------------------------------------------------------


AccountId = Annotated[str, Field(pattern=r"^\d{12}$")]
ResourceName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,39}$")]


class QueueSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ResourceName
    fifo: bool = False


class TopicSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: ResourceName
    fifo: bool = False
    subscribers: list[ResourceName] = []


class MessagingSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    queues: Annotated[list[QueueSpec], Field(min_length=1)] = [QueueSpec(name="orders")]
    topics: list[TopicSpec] = [TopicSpec(name="events", subscribers=["orders"])]


class OverlayDocument(BaseModel):
    """One `environments/<env>.yaml` file: where and how an environment deploys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    region: str | None = None
    account_id: AccountId | None = None
    name_prefix: Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{0,19}$")] | None = None
    alarm_email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    trusted_accounts: list[AccountId] = []
    protect: bool = False
    vpc_cidr: Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/(1[6-9]|2[0-4])$")] = (
        "10.42.0.0/16"
    )
    messaging: MessagingSpec = MessagingSpec()
    parameters: dict[str, dict[str, Any]] = {}

    @field_validator("region")
    @classmethod
    def _region(cls, value: str | None) -> str | None:
        if value is not None and not REGION_NAME.match(value):
            raise ValueError(f"'{value}' is not an AWS region name")
        return value


@dataclass(frozen=True)
class Environment:
    """An environment's settings after its overlay file (if any) was read."""

    name: str
    path: Path | None
    overlay: OverlayDocument

    @property
    def protect(self) -> bool:
        return self.overlay.protect


def load_environment(name: str, environments_dir: Path | None = None) -> Environment:
    if not ENVIRONMENT_NAME.match(name):
        raise BadInputError(
            f"--env {name!r}: not an environment name ([a-z][a-z0-9-]{{0,31}}, e.g. dev, prod)"
        )
    directory = environments_dir if environments_dir is not None else Path("environments")
    if environments_dir is not None and not directory.is_dir():
        raise BadInputError(f"--environments-dir {directory}: not a directory")
    path = directory / f"{name}.yaml"
    if not path.is_file():
        return Environment(name=name, path=None, overlay=OverlayDocument())
    raw = read_yaml_mapping(path)
    try:
        overlay = OverlayDocument.model_validate(raw)
    except ValidationError as error:
        raise BadInputError(describe_validation_error(path, error)) from None
    queue_names = [q.name for q in overlay.messaging.queues]
    if len(set(queue_names)) != len(queue_names):
        raise BadInputError(f"{path}: messaging.queues: queue names must be unique")
    for topic in overlay.messaging.topics:
        for subscriber in topic.subscribers:
            if subscriber not in queue_names:
                raise BadInputError(
                    f"{path}: messaging.topics.{topic.name}.subscribers: "
                    f"'{subscriber}' is not one of the queues ({', '.join(queue_names)})"
                )
    return Environment(name=name, path=path, overlay=overlay)


def apply_overlay(profile: Profile, environment: Environment) -> Profile:
    """Tighten the merged profile with the environment's parameters; refuse any weakening."""
    overrides = environment.overlay.parameters
    if not overrides:
        return profile
    where = str(environment.path or f"environment {environment.name}")
    specs = {spec.path: spec for spec in PARAM_SPECS}
    updates: dict[ParamSpec, Param[Any] | None] = {}
    for group, fields in overrides.items():
        if group not in Parameters.model_fields:
            raise BadInputError(
                f"{where}: parameters.{group}: unknown parameter group "
                f"(known: {', '.join(Parameters.model_fields)})"
            )
        if not isinstance(fields, dict):
            raise BadInputError(f"{where}: parameters.{group}: expected a mapping")
        for name, value in fields.items():
            path = f"{group}.{name}"
            spec = specs.get(path)
            if spec is None:
                raise BadInputError(f"{where}: parameters.{path}: unknown parameter")
            current = get_param(profile.parameters, spec)
            candidate = _validated_overlay_param(where, spec, value, environment.name)
            if current is not None and not _is_stricter_or_equal(
                spec.merge, candidate.value, current.value
            ):
                raise BadInputError(
                    f"{where}: parameters.{path}: {value!r} would weaken the profile value "
                    f"{current.value!r} (from {current.origin}: {current.source})",
                    hint="an environment may tighten a profile, never weaken it",
                )
            if spec.merge is Merge.UNION and current is not None:
                candidate = _combine(spec.merge, current, candidate)
            updates[spec] = candidate
    parameters = _with_params(profile.parameters, updates)
    _check_consistency(parameters, where)
    return Profile(
        name=profile.name,
        title=profile.title,
        description=profile.description,
        extends=profile.extends,
        path=profile.path,
        frameworks=profile.frameworks,
        controls=profile.controls,
        parameters=parameters,
    )


def _validated_overlay_param(where: str, spec: ParamSpec, value: Any, env: str) -> Param[Any]:
    group_model = Parameters.model_fields[spec.group].annotation
    assert isinstance(group_model, type) and issubclass(group_model, _Group)
    document = {
        spec.name: {
            "value": value,
            "source": f"environment overlay '{env}'",
            "basis": Basis.engineering.value,
        }
    }
    try:
        group = group_model.model_validate(document)
    except ValidationError as error:
        wrapped = describe_validation_error(where, error)
        raise BadInputError(
            wrapped.replace(f"{where}: ", f"{where}: parameters.{spec.group}.", 1)
        ) from None
    param: Param[Any] | None = getattr(group, spec.name)
    assert param is not None
    return param.model_copy(update={"origin": f"env:{env}"})


# --------------------------------------------------------------------------------------------
# The resolved target: profiles + environment + region, ready for plan, deploy and verify
# --------------------------------------------------------------------------------------------


MANAGED_BY_TAG = "managed-by"
STACK_TAG = "provisioner:stack"
ENVIRONMENT_TAG = "provisioner:environment"
PROFILES_TAG = "provisioner:profiles"


@dataclass(frozen=True)
class StackTarget:
    """Everything needed to plan, deploy or verify one stack."""

    profile_names: tuple[str, ...]
    profile: Profile
    environment: Environment
    region: str

    @property
    def stack_name(self) -> str:
        return stack_name(self.profile_names, self.environment.name)

    @property
    def parameters(self) -> Parameters:
        return self.profile.parameters

    @property
    def tags(self) -> dict[str, str]:
        return {
            MANAGED_BY_TAG: "provisioner",
            STACK_TAG: self.stack_name,
            ENVIRONMENT_TAG: self.environment.name,
            PROFILES_TAG: "+".join(self.profile_names),
        }

    @property
    def allowed_regions(self) -> list[str]:
        allowed = self.parameters.regions.allowed
        return list(allowed.value) if allowed is not None else [ANY_REGION]


def stack_name(profile_names: Iterable[str], environment: str) -> str:
    return f"{'-'.join(sorted(set(profile_names)))}.{environment}"


def resolve_target(
    profile_names: Sequence[str],
    environment_name: str,
    region: str | None = None,
    *,
    profiles_dir: Path | None = None,
    environments_dir: Path | None = None,
) -> StackTarget:
    """Load, merge and overlay; pick and check the region. Raises `BadInputError` (exit 2)."""
    if not profile_names:
        raise BadInputError("no --profile given", hint="pass --profile NAME (repeatable)")
    catalog = ProfileCatalog(user_dir=profiles_dir)
    names = tuple(sorted(set(profile_names)))
    merged = merge_profiles([catalog.load(name) for name in names])
    environment = load_environment(environment_name, environments_dir)
    profile = apply_overlay(merged, environment)

    allowed = profile.parameters.regions.allowed
    allowed_regions = list(allowed.value) if allowed is not None else [ANY_REGION]
    if region is not None and not REGION_NAME.match(region):
        raise BadInputError(f"--region {region!r}: not an AWS region name")
    chosen = region or environment.overlay.region
    if chosen is None:
        chosen = allowed_regions[0] if ANY_REGION not in allowed_regions else "us-east-1"
    if ANY_REGION not in allowed_regions and chosen not in allowed_regions:
        flag = "--region" if region else f"{environment.path}: region"
        raise BadInputError(
            f"{flag} {chosen!r} is outside the regions allowed by {'+'.join(names)}: "
            f"{', '.join(allowed_regions)}",
            hint=f"allowed by: {allowed.source if allowed else 'n/a'}",
        )
    return StackTarget(profile_names=names, profile=profile, environment=environment, region=chosen)
