"""The normalized inventory: one frozen dataclass per kind, filled from the plan or live AWS.

Controls read only these types. Field defaults are AWS's own defaults, so a planned resource that
omits an input means the same thing as a live resource that reports the default. Policies are
parsed JSON documents (dicts), never strings. `None` means "not set" (no key, no policy, never
expire), not "unknown": a kind that could not be read at all is recorded in `Inventory.errors`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from functools import cached_property
from typing import Any, ClassVar

PolicyDocument = Mapping[str, Any]
Tags = Mapping[str, str]


class Kind(StrEnum):
    KEY = "key"
    QUEUE = "queue"
    TOPIC = "topic"
    SUBSCRIPTION = "subscription"
    BUCKET = "bucket"
    TRAIL = "trail"
    LOG_GROUP = "log_group"
    CONFIG_RECORDER = "config_recorder"
    CONFIG_RULE = "config_rule"
    ALARM = "alarm"
    EVENT_RULE = "event_rule"
    VPC_ENDPOINT = "vpc_endpoint"
    SECURITY_GROUP = "security_group"
    ROLE = "role"
    VPC = "vpc"


class Resource:
    """What every model offers: its kind, the id findings name, the names it is known by."""

    kind: ClassVar[Kind]

    @property
    def resource_id(self) -> str:
        """The ARN where one exists (the default), else the AWS id or name (kinds override)."""
        arn = getattr(self, "arn", None)
        if not isinstance(arn, str):
            raise NotImplementedError(f"{type(self).__name__} has no ARN: override resource_id")
        return arn

    def aliases_for_lookup(self) -> tuple[str, ...]:
        """Every identifier `Inventory.lookup` should resolve to this resource."""
        return (self.resource_id,)


# --------------------------------------------------------------------------------------- KMS


@dataclass(frozen=True, kw_only=True)
class Key(Resource):
    kind: ClassVar[Kind] = Kind.KEY

    arn: str
    key_id: str
    key_manager: str = "CUSTOMER"  # CUSTOMER | AWS
    key_spec: str = "SYMMETRIC_DEFAULT"
    key_usage: str = "ENCRYPT_DECRYPT"
    origin: str = "AWS_KMS"
    state: str = "Enabled"  # KeyState: Enabled | Disabled | PendingDeletion | ...
    rotation_enabled: bool = False
    rotation_period_days: int | None = None
    deletion_window_days: int | None = None  # from the plan, or live while PendingDeletion
    multi_region: bool = False
    bypass_policy_lockout_safety_check: bool = False
    policy: PolicyDocument | None = None
    aliases: tuple[str, ...] = ()  # "alias/name"
    description: str = ""
    tags: Tags = field(default_factory=dict)

    @property
    def pending_deletion(self) -> bool:
        return self.state == "PendingDeletion"

    def aliases_for_lookup(self) -> tuple[str, ...]:
        prefix = self.arn.rsplit(":", 1)[0]  # arn:aws:kms:region:account
        alias_arns = tuple(f"{prefix}:{alias}" for alias in self.aliases)
        return (self.arn, self.key_id, *self.aliases, *alias_arns)


# --------------------------------------------------------------------------------------- SQS


@dataclass(frozen=True, kw_only=True)
class RedrivePolicy:
    dead_letter_target_arn: str
    max_receive_count: int


@dataclass(frozen=True, kw_only=True)
class RedriveAllowPolicy:
    permission: str  # allowAll | denyAll | byQueue
    source_queue_arns: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Queue(Resource):
    kind: ClassVar[Kind] = Kind.QUEUE

    arn: str
    name: str
    url: str = ""
    fifo: bool = False
    kms_master_key_id: str | None = None
    sqs_managed_sse: bool = False
    data_key_reuse_seconds: int = 300
    retention_seconds: int = 345_600
    visibility_timeout_seconds: int = 30
    redrive_policy: RedrivePolicy | None = None
    redrive_allow_policy: RedriveAllowPolicy | None = None
    policy: PolicyDocument | None = None
    is_dlq: bool = False  # another queue in the inventory names this one as dead-letter target
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return tuple(i for i in (self.arn, self.url, self.name) if i)


# --------------------------------------------------------------------------------------- SNS


@dataclass(frozen=True, kw_only=True)
class Topic(Resource):
    kind: ClassVar[Kind] = Kind.TOPIC

    arn: str
    name: str
    fifo: bool = False
    kms_master_key_id: str | None = None
    signature_version: int = 1
    policy: PolicyDocument | None = None
    # delivery-status logging, keyed by attribute name, e.g. "SQSFailureFeedbackRoleArn"
    delivery_feedback_role_arns: Mapping[str, str] = field(default_factory=dict)
    tags: Tags = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class Subscription(Resource):
    kind: ClassVar[Kind] = Kind.SUBSCRIPTION

    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    raw_message_delivery: bool = False
    redrive_policy_dlq_arn: str | None = None  # the subscription's own dead-letter queue
    pending_confirmation: bool = False
    filter_policy: PolicyDocument | None = None


# ---------------------------------------------------------------------------------------- S3


@dataclass(frozen=True, kw_only=True)
class PublicAccessBlock:
    block_public_acls: bool = False
    ignore_public_acls: bool = False
    block_public_policy: bool = False
    restrict_public_buckets: bool = False

    @property
    def all_blocked(self) -> bool:
        return all(getattr(self, f.name) for f in fields(self))


@dataclass(frozen=True, kw_only=True)
class LifecycleTransition:
    days: int | None
    storage_class: str


@dataclass(frozen=True, kw_only=True)
class LifecycleRule:
    id: str
    enabled: bool
    prefix: str = ""
    expiration_days: int | None = None
    noncurrent_expiration_days: int | None = None
    transitions: tuple[LifecycleTransition, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Bucket(Resource):
    kind: ClassVar[Kind] = Kind.BUCKET

    name: str
    arn: str
    region: str
    public_access_block: PublicAccessBlock | None = None
    ownership: str | None = None  # BucketOwnerEnforced | BucketOwnerPreferred | ObjectWriter
    versioning: str | None = None  # Enabled | Suspended | None (never enabled)
    mfa_delete: bool = False
    object_lock_enabled: bool = False
    object_lock_mode: str | None = None  # COMPLIANCE | GOVERNANCE
    object_lock_days: int | None = None  # default retention, years converted to 365-day years
    sse_algorithm: str | None = None  # AES256 | aws:kms | aws:kms:dsse
    sse_kms_key_id: str | None = None
    bucket_key_enabled: bool = False
    policy: PolicyDocument | None = None
    lifecycle_rules: tuple[LifecycleRule, ...] = ()
    logging_target_bucket: str | None = None
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# -------------------------------------------------------------------------------- CloudTrail


@dataclass(frozen=True, kw_only=True)
class FieldSelector:
    field: str  # eventCategory | resources.type | resources.ARN | eventName | readOnly | ...
    equals: tuple[str, ...] = ()
    starts_with: tuple[str, ...] = ()
    ends_with: tuple[str, ...] = ()
    not_equals: tuple[str, ...] = ()
    not_starts_with: tuple[str, ...] = ()
    not_ends_with: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AdvancedEventSelector:
    name: str = ""
    field_selectors: tuple[FieldSelector, ...] = ()

    def equals(self, field_name: str) -> tuple[str, ...]:
        """The `Equals` values of one field (empty when the field is not selected on)."""
        return tuple(v for s in self.field_selectors if s.field == field_name for v in s.equals)


@dataclass(frozen=True, kw_only=True)
class DataResource:
    type: str  # AWS::S3::Object | AWS::Lambda::Function | ...
    values: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class EventSelector:
    read_write_type: str = "All"  # ReadOnly | WriteOnly | All
    include_management_events: bool = True
    data_resources: tuple[DataResource, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Trail(Resource):
    kind: ClassVar[Kind] = Kind.TRAIL

    arn: str
    name: str
    home_region: str
    s3_bucket_name: str | None = None
    multi_region: bool = False
    global_events: bool = True
    organization_trail: bool = False
    log_file_validation: bool = False
    kms_key_id: str | None = None
    is_logging: bool = True  # a planned trail has enable_logging default true
    event_selectors: tuple[EventSelector, ...] = ()
    advanced_event_selectors: tuple[AdvancedEventSelector, ...] = ()
    cw_logs_group_arn: str | None = None
    cw_logs_role_arn: str | None = None
    latest_delivery_error: str | None = None
    latest_cw_logs_delivery_error: str | None = None
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# ------------------------------------------------------------------------- CloudWatch / Logs


@dataclass(frozen=True, kw_only=True)
class MetricFilter:
    name: str
    pattern: str
    metric_name: str
    metric_namespace: str


@dataclass(frozen=True, kw_only=True)
class LogGroup(Resource):
    kind: ClassVar[Kind] = Kind.LOG_GROUP

    name: str
    arn: str
    retention_days: int | None = None  # None = never expire
    kms_key_id: str | None = None
    metric_filters: tuple[MetricFilter, ...] = ()
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        # live describe_log_groups reports the ARN with a trailing ":*"; accept both spellings
        return (
            self.arn,
            self.arn.removesuffix(":*"),
            f"{self.arn.removesuffix(':*')}:*",
            self.name,
        )


@dataclass(frozen=True, kw_only=True)
class Alarm(Resource):
    kind: ClassVar[Kind] = Kind.ALARM

    name: str
    arn: str
    namespace: str | None = None
    metric_name: str | None = None
    dimensions: Mapping[str, str] = field(default_factory=dict)
    statistic: str | None = None
    comparison_operator: str | None = None
    threshold: float | None = None
    period_seconds: int | None = None
    evaluation_periods: int | None = None
    actions_enabled: bool = True
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    insufficient_data_actions: tuple[str, ...] = ()
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# -------------------------------------------------------------------------------- EventBridge


@dataclass(frozen=True, kw_only=True)
class EventTarget:
    id: str
    arn: str
    role_arn: str | None = None
    dead_letter_arn: str | None = None


@dataclass(frozen=True, kw_only=True)
class EventRule(Resource):
    kind: ClassVar[Kind] = Kind.EVENT_RULE

    name: str
    arn: str
    event_bus_name: str = "default"
    event_pattern: PolicyDocument | None = None
    schedule_expression: str | None = None
    state: str = "ENABLED"
    targets: tuple[EventTarget, ...] = ()
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# ------------------------------------------------------------------------------------ Config


@dataclass(frozen=True, kw_only=True)
class ConfigRecorder(Resource):
    kind: ClassVar[Kind] = Kind.CONFIG_RECORDER

    name: str
    region: str
    role_arn: str | None = None
    all_supported: bool = False
    include_global_resource_types: bool = False
    resource_types: tuple[str, ...] = ()
    recording: bool = False
    last_status: str | None = None  # SUCCESS | FAILURE | PENDING
    delivery_bucket: str | None = None
    delivery_kms_key_arn: str | None = None

    @property
    def resource_id(self) -> str:
        return f"config-recorder/{self.region}/{self.name}"

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.resource_id, self.name)


@dataclass(frozen=True, kw_only=True)
class ConfigRule(Resource):
    kind: ClassVar[Kind] = Kind.CONFIG_RULE

    name: str
    arn: str
    source_owner: str = "AWS"  # AWS | CUSTOM_LAMBDA | CUSTOM_POLICY
    source_identifier: str = ""
    input_parameters: Mapping[str, Any] = field(default_factory=dict)
    state: str = "ACTIVE"
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# ------------------------------------------------------------------------------------ Network


@dataclass(frozen=True, kw_only=True)
class SecurityGroupRule:
    protocol: str  # "-1" for all, "tcp", "udp", "icmp", ...
    from_port: int | None = None
    to_port: int | None = None
    cidr_ipv4: tuple[str, ...] = ()
    cidr_ipv6: tuple[str, ...] = ()
    source_security_group_ids: tuple[str, ...] = ()
    prefix_list_ids: tuple[str, ...] = ()
    description: str = ""

    @property
    def open_to_world(self) -> bool:
        return "0.0.0.0/0" in self.cidr_ipv4 or "::/0" in self.cidr_ipv6


@dataclass(frozen=True, kw_only=True)
class SecurityGroup(Resource):
    kind: ClassVar[Kind] = Kind.SECURITY_GROUP

    id: str
    arn: str
    name: str
    vpc_id: str | None = None
    description: str = ""
    is_default: bool = False
    ingress: tuple[SecurityGroupRule, ...] = ()
    egress: tuple[SecurityGroupRule, ...] = ()
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.id)


@dataclass(frozen=True, kw_only=True)
class VpcEndpoint(Resource):
    kind: ClassVar[Kind] = Kind.VPC_ENDPOINT

    id: str
    arn: str
    vpc_id: str
    service_name: str  # com.amazonaws.<region>.sqs
    endpoint_type: str = "Gateway"  # Interface | Gateway | GatewayLoadBalancer
    state: str = "available"
    private_dns_enabled: bool = False
    subnet_ids: tuple[str, ...] = ()
    availability_zones: tuple[str, ...] = ()
    security_group_ids: tuple[str, ...] = ()
    policy: PolicyDocument | None = None
    tags: Tags = field(default_factory=dict)

    @property
    def service(self) -> str:
        """The short service name: "sqs", "sns", "kms", "kms-fips"."""
        return self.service_name.rsplit(".", 1)[-1]

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.id)


@dataclass(frozen=True, kw_only=True)
class FlowLog:
    id: str
    status: str = "ACTIVE"
    traffic_type: str = "ALL"  # ACCEPT | REJECT | ALL
    destination_type: str = "cloud-watch-logs"
    destination: str | None = None  # log group name/ARN or bucket ARN


@dataclass(frozen=True, kw_only=True)
class Vpc(Resource):
    """A stack VPC with its flow logs (for VPC-FLOW-LOGS; not in the issue's kind list)."""

    kind: ClassVar[Kind] = Kind.VPC

    id: str
    arn: str
    cidr_block: str | None = None
    is_default: bool = False
    flow_logs: tuple[FlowLog, ...] = ()
    tags: Tags = field(default_factory=dict)

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.id)


# ---------------------------------------------------------------------------------------- IAM


@dataclass(frozen=True, kw_only=True)
class Role(Resource):
    kind: ClassVar[Kind] = Kind.ROLE

    arn: str
    name: str
    path: str = "/"
    trust_policy: PolicyDocument | None = None
    inline_policies: Mapping[str, PolicyDocument] = field(default_factory=dict)  # name -> doc
    attached_policies: Mapping[str, PolicyDocument] = field(default_factory=dict)  # ARN -> doc
    tags: Tags = field(default_factory=dict)

    def identity_policies(self) -> Iterator[tuple[str, PolicyDocument]]:
        """Every identity policy (inline by name, then managed by ARN) with its document."""
        yield from self.inline_policies.items()
        yield from self.attached_policies.items()

    def aliases_for_lookup(self) -> tuple[str, ...]:
        return (self.arn, self.name)


# ------------------------------------------------------------------------------------ Inventory

AnyResource = (
    Key
    | Queue
    | Topic
    | Subscription
    | Bucket
    | Trail
    | LogGroup
    | ConfigRecorder
    | ConfigRule
    | Alarm
    | EventRule
    | VpcEndpoint
    | SecurityGroup
    | Role
    | Vpc
)

# Inventory field holding each kind
KIND_FIELDS: Mapping[Kind, str] = {
    Kind.KEY: "keys",
    Kind.QUEUE: "queues",
    Kind.TOPIC: "topics",
    Kind.SUBSCRIPTION: "subscriptions",
    Kind.BUCKET: "buckets",
    Kind.TRAIL: "trails",
    Kind.LOG_GROUP: "log_groups",
    Kind.CONFIG_RECORDER: "config_recorders",
    Kind.CONFIG_RULE: "config_rules",
    Kind.ALARM: "alarms",
    Kind.EVENT_RULE: "event_rules",
    Kind.VPC_ENDPOINT: "vpc_endpoints",
    Kind.SECURITY_GROUP: "security_groups",
    Kind.ROLE: "roles",
    Kind.VPC: "vpcs",
}


@dataclass(frozen=True, kw_only=True)
class CollectionError:
    """A kind that could not be read: controls over it are `error`, never `pass`."""

    kind: Kind
    message: str


@dataclass(frozen=True, kw_only=True)
class Inventory:
    """Everything one stack (plus the account-level facts) consists of, from one source."""

    source: str  # "plan" | "live"
    account: str
    region: str
    stack: str = ""
    keys: tuple[Key, ...] = ()
    queues: tuple[Queue, ...] = ()
    topics: tuple[Topic, ...] = ()
    subscriptions: tuple[Subscription, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    trails: tuple[Trail, ...] = ()
    log_groups: tuple[LogGroup, ...] = ()
    config_recorders: tuple[ConfigRecorder, ...] = ()
    config_rules: tuple[ConfigRule, ...] = ()
    alarms: tuple[Alarm, ...] = ()
    event_rules: tuple[EventRule, ...] = ()
    vpc_endpoints: tuple[VpcEndpoint, ...] = ()
    security_groups: tuple[SecurityGroup, ...] = ()
    roles: tuple[Role, ...] = ()
    vpcs: tuple[Vpc, ...] = ()
    errors: Mapping[Kind, CollectionError] = field(default_factory=dict)

    def of_kind(self, kind: Kind | str) -> tuple[AnyResource, ...]:
        resources: tuple[AnyResource, ...] = getattr(self, KIND_FIELDS[Kind(kind)])
        return resources

    def all_resources(self) -> Iterator[AnyResource]:
        for kind in Kind:
            yield from self.of_kind(kind)

    def error_for(self, kind: Kind | str) -> CollectionError | None:
        """The collection error that makes `kind` not judgeable, if any."""
        return self.errors.get(Kind(kind))

    @cached_property
    def _index(self) -> Mapping[str, AnyResource]:
        index: dict[str, AnyResource] = {}
        for resource in self.all_resources():
            for name in resource.aliases_for_lookup():
                index.setdefault(name, resource)
        return index

    def lookup(self, arn_or_id: str) -> AnyResource | None:
        """The resource known by this ARN, id, URL, name or (for keys) alias name or alias ARN."""
        return self._index.get(arn_or_id)

    def key(self, arn_or_id_or_alias: str | None) -> Key | None:
        """The KMS key a `KmsMasterKeyId`/`kms_key_id` value refers to, when it is in the stack."""
        if not arn_or_id_or_alias:
            return None
        found = self.lookup(arn_or_id_or_alias)
        return found if isinstance(found, Key) else None
