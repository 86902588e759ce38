"""The planned inventory: the resource graph `plan` records, normalized into the inventory models.

Each planned resource is a type token, its inputs (Pulumi camelCase wire names) and the mock
state (outputs such as `arn`, `id`, `url`). Parents are built first, then sub-resources are folded
into them: queue and topic policies, redrive policies, the separate S3 bucket configuration
resources, role policies and attachments, security group rules, KMS aliases, the Config recorder
status and delivery channel, EventBridge targets, log metric filters and VPC flow logs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from provisioner.inventory._normalize import (
    account_of,
    as_bool,
    as_int,
    as_str,
    mark_dead_letter_queues,
    parse_advanced_event_selectors,
    parse_event_selectors,
    parse_json,
    parse_policy,
    parse_redrive_allow_policy,
    parse_redrive_policy,
    region_of,
    str_tuple,
    tags_from_mapping,
)
from provisioner.inventory.models import (
    Alarm,
    Bucket,
    ConfigRecorder,
    ConfigRule,
    EventRule,
    EventTarget,
    FlowLog,
    Inventory,
    Key,
    LifecycleRule,
    LifecycleTransition,
    LogGroup,
    MetricFilter,
    PublicAccessBlock,
    Queue,
    Role,
    SecurityGroup,
    SecurityGroupRule,
    Subscription,
    Topic,
    Trail,
    Vpc,
    VpcEndpoint,
)


class PlannedResourceLike(Protocol):
    """What the normalizer reads of `provisioner.planning.PlannedResource`."""

    @property
    def type(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, Any]: ...
    @property
    def id(self) -> str | None: ...
    @property
    def state(self) -> Mapping[str, Any]: ...


class PlanLike(Protocol):
    @property
    def resources(self) -> Sequence[PlannedResourceLike]: ...


def _tokens(*names: str) -> frozenset[str]:
    return frozenset(names)


KEY = _tokens("aws:kms/key:Key")
ALIAS = _tokens("aws:kms/alias:Alias")
QUEUE = _tokens("aws:sqs/queue:Queue")
QUEUE_POLICY = _tokens("aws:sqs/queuePolicy:QueuePolicy")
QUEUE_REDRIVE = _tokens("aws:sqs/redrivePolicy:RedrivePolicy")
QUEUE_REDRIVE_ALLOW = _tokens("aws:sqs/redriveAllowPolicy:RedriveAllowPolicy")
TOPIC = _tokens("aws:sns/topic:Topic")
TOPIC_POLICY = _tokens("aws:sns/topicPolicy:TopicPolicy")
SUBSCRIPTION = _tokens("aws:sns/topicSubscription:TopicSubscription")
BUCKET = _tokens("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_POLICY = _tokens("aws:s3/bucketPolicy:BucketPolicy")
BUCKET_PUBLIC_ACCESS = _tokens("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
BUCKET_VERSIONING = _tokens(
    "aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"
)
BUCKET_SSE = _tokens(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
BUCKET_OBJECT_LOCK = _tokens(
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
    "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
)
BUCKET_LIFECYCLE = _tokens(
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
)
BUCKET_OWNERSHIP = _tokens("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
BUCKET_LOGGING = _tokens(
    "aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"
)
TRAIL = _tokens("aws:cloudtrail/trail:Trail")
LOG_GROUP = _tokens("aws:cloudwatch/logGroup:LogGroup")
METRIC_FILTER = _tokens("aws:cloudwatch/logMetricFilter:LogMetricFilter")
ALARM = _tokens("aws:cloudwatch/metricAlarm:MetricAlarm")
EVENT_RULE = _tokens("aws:cloudwatch/eventRule:EventRule")
EVENT_TARGET = _tokens("aws:cloudwatch/eventTarget:EventTarget")
RECORDER = _tokens("aws:cfg/recorder:Recorder")
RECORDER_STATUS = _tokens("aws:cfg/recorderStatus:RecorderStatus")
DELIVERY_CHANNEL = _tokens("aws:cfg/deliveryChannel:DeliveryChannel")
CONFIG_RULE = _tokens("aws:cfg/rule:Rule")
VPC = _tokens("aws:ec2/vpc:Vpc")
SUBNET = _tokens("aws:ec2/subnet:Subnet")
FLOW_LOG = _tokens("aws:ec2/flowLog:FlowLog")
VPC_ENDPOINT = _tokens("aws:ec2/vpcEndpoint:VpcEndpoint")
SECURITY_GROUP = _tokens("aws:ec2/securityGroup:SecurityGroup")
DEFAULT_SECURITY_GROUP = _tokens("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
SG_RULE = _tokens("aws:ec2/securityGroupRule:SecurityGroupRule")
SG_INGRESS_RULE = _tokens("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
SG_EGRESS_RULE = _tokens("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
ROLE = _tokens("aws:iam/role:Role")
ROLE_POLICY = _tokens("aws:iam/rolePolicy:RolePolicy")
MANAGED_POLICY = _tokens("aws:iam/policy:Policy")
ROLE_POLICY_ATTACHMENT = _tokens("aws:iam/rolePolicyAttachment:RolePolicyAttachment")

DEFAULT_ACCOUNT = "123456789012"
DEFAULT_REGION = "us-east-1"


def _props(resource: PlannedResourceLike) -> dict[str, Any]:
    """Mock state (outputs) overlaid with the inputs the program set."""
    props = dict(resource.state or {})
    props.update({k: v for k, v in (resource.inputs or {}).items() if v is not None})
    return props


def _days_from_retention(retention: Mapping[str, Any]) -> int | None:
    days, years = as_int(retention.get("days")), as_int(retention.get("years"))
    if days:
        return days
    return years * 365 if years else None


class _Drafts:
    """Parent resources as keyword dicts, findable by every name a sub-resource may use."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        self._index: dict[str, dict[str, Any]] = {}

    def add(self, draft: dict[str, Any], *names: Any) -> None:
        self.items.append(draft)
        for name in names:
            if name:
                self._index.setdefault(str(name), draft)

    def find(self, name: Any) -> dict[str, Any] | None:
        return self._index.get(str(name)) if name else None


class _PlanNormalizer:
    def __init__(self, resources: Sequence[PlannedResourceLike], account: str, region: str) -> None:
        self.account = account
        self.region = region
        self.by_type: dict[str, list[PlannedResourceLike]] = defaultdict(list)
        for resource in resources:
            self.by_type[resource.type].append(resource)

    def of(self, tokens: frozenset[str]) -> Iterable[tuple[PlannedResourceLike, dict[str, Any]]]:
        for token in sorted(tokens):
            for resource in self.by_type.get(token, ()):
                yield resource, _props(resource)

    def arn(self, props: Mapping[str, Any], synthesized: str) -> str:
        return as_str(props.get("arn")) or synthesized

    # ---------------------------------------------------------------- kms

    def keys(self) -> tuple[Key, ...]:
        drafts = _Drafts()
        for resource, p in self.of(KEY):
            key_id = as_str(p.get("keyId")) or resource.id or resource.name
            arn = self.arn(p, f"arn:aws:kms:{self.region}:{self.account}:key/{key_id}")
            draft: dict[str, Any] = {
                "arn": arn,
                "key_id": key_id,
                "key_manager": "CUSTOMER",
                "key_spec": str(p.get("customerMasterKeySpec") or "SYMMETRIC_DEFAULT"),
                "key_usage": str(p.get("keyUsage") or "ENCRYPT_DECRYPT"),
                "state": "Enabled" if as_bool(p.get("isEnabled"), True) else "Disabled",
                "rotation_enabled": as_bool(p.get("enableKeyRotation")),
                "rotation_period_days": as_int(p.get("rotationPeriodInDays")),
                "deletion_window_days": as_int(p.get("deletionWindowInDays"), 30),
                "multi_region": as_bool(p.get("multiRegion")),
                "bypass_policy_lockout_safety_check": as_bool(
                    p.get("bypassPolicyLockoutSafetyCheck")
                ),
                "policy": parse_policy(p.get("policy")),
                "description": str(p.get("description") or ""),
                "tags": tags_from_mapping(p.get("tags")),
                "aliases": (),
            }
            if draft["rotation_enabled"] and draft["rotation_period_days"] is None:
                draft["rotation_period_days"] = 365
            drafts.add(draft, arn, key_id, resource.id)
        for _, p in self.of(ALIAS):
            target = drafts.find(p.get("targetKeyArn")) or drafts.find(p.get("targetKeyId"))
            name = as_str(p.get("name"))
            if target is not None and name:
                target["aliases"] = (*target["aliases"], name)
        return tuple(Key(**d) for d in drafts.items)

    # ---------------------------------------------------------------- sqs

    def queues(self) -> tuple[Queue, ...]:
        drafts = _Drafts()
        for resource, p in self.of(QUEUE):
            name = as_str(p.get("name")) or resource.name
            arn = self.arn(p, f"arn:aws:sqs:{self.region}:{self.account}:{name}")
            url = (
                as_str(p.get("url"))
                or as_str(resource.id)
                or f"https://sqs.{self.region}.amazonaws.com/{self.account}/{name}"
            )
            draft: dict[str, Any] = {
                "arn": arn,
                "name": name,
                "url": url,
                "fifo": as_bool(p.get("fifoQueue")) or name.endswith(".fifo"),
                "kms_master_key_id": as_str(p.get("kmsMasterKeyId")),
                "sqs_managed_sse": as_bool(p.get("sqsManagedSseEnabled")),
                "data_key_reuse_seconds": as_int(p.get("kmsDataKeyReusePeriodSeconds"), 300),
                "retention_seconds": as_int(p.get("messageRetentionSeconds"), 345_600),
                "visibility_timeout_seconds": as_int(p.get("visibilityTimeoutSeconds"), 30),
                "redrive_policy": parse_redrive_policy(p.get("redrivePolicy")),
                "redrive_allow_policy": parse_redrive_allow_policy(p.get("redriveAllowPolicy")),
                "policy": parse_policy(p.get("policy")),
                "tags": tags_from_mapping(p.get("tags")),
            }
            drafts.add(draft, arn, url, name, resource.id)
        for _, p in self.of(QUEUE_POLICY):
            if (target := drafts.find(p.get("queueUrl"))) is not None:
                target["policy"] = parse_policy(p.get("policy"))
        for _, p in self.of(QUEUE_REDRIVE):
            if (target := drafts.find(p.get("queueUrl"))) is not None:
                target["redrive_policy"] = parse_redrive_policy(p.get("redrivePolicy"))
        for _, p in self.of(QUEUE_REDRIVE_ALLOW):
            if (target := drafts.find(p.get("queueUrl"))) is not None:
                target["redrive_allow_policy"] = parse_redrive_allow_policy(
                    p.get("redriveAllowPolicy")
                )
        return mark_dead_letter_queues(Queue(**d) for d in drafts.items)

    # ---------------------------------------------------------------- sns

    def topics(self) -> tuple[Topic, ...]:
        drafts = _Drafts()
        for resource, p in self.of(TOPIC):
            name = as_str(p.get("name")) or resource.name
            arn = self.arn(p, f"arn:aws:sns:{self.region}:{self.account}:{name}")
            feedback = {
                key[0].upper() + key[1:]: str(value)
                for key, value in p.items()
                if key.endswith("FeedbackRoleArn") and value
            }
            draft: dict[str, Any] = {
                "arn": arn,
                "name": name,
                "fifo": as_bool(p.get("fifoTopic")) or name.endswith(".fifo"),
                "kms_master_key_id": as_str(p.get("kmsMasterKeyId")),
                "signature_version": as_int(p.get("signatureVersion"), 1),
                "policy": parse_policy(p.get("policy")),
                "delivery_feedback_role_arns": feedback,
                "tags": tags_from_mapping(p.get("tags")),
            }
            drafts.add(draft, arn, name, resource.id)
        for _, p in self.of(TOPIC_POLICY):
            if (target := drafts.find(p.get("arn"))) is not None:
                target["policy"] = parse_policy(p.get("policy"))
        return tuple(Topic(**d) for d in drafts.items)

    def subscriptions(self) -> tuple[Subscription, ...]:
        subscriptions = []
        for resource, p in self.of(SUBSCRIPTION):
            topic_arn = str(p.get("topic") or p.get("topicArn") or "")
            redrive = parse_json(p.get("redrivePolicy"))
            dlq = (
                as_str(redrive.get("deadLetterTargetArn")) if isinstance(redrive, Mapping) else None
            )
            subscriptions.append(
                Subscription(
                    arn=as_str(p.get("arn")) or f"{topic_arn}:{resource.id or resource.name}",
                    topic_arn=topic_arn,
                    protocol=str(p.get("protocol") or ""),
                    endpoint=str(p.get("endpoint") or ""),
                    raw_message_delivery=as_bool(p.get("rawMessageDelivery")),
                    redrive_policy_dlq_arn=dlq,
                    pending_confirmation=as_bool(p.get("pendingConfirmation")),
                    filter_policy=parse_policy(p.get("filterPolicy")),
                )
            )
        return tuple(subscriptions)

    # ----------------------------------------------------------------- s3

    def buckets(self) -> tuple[Bucket, ...]:
        drafts = _Drafts()
        for resource, p in self.of(BUCKET):
            name = as_str(p.get("bucket")) or as_str(resource.id) or resource.name
            draft: dict[str, Any] = {
                "name": name,
                "arn": self.arn(p, f"arn:aws:s3:::{name}"),
                "region": str(p.get("region") or self.region),
                "object_lock_enabled": as_bool(p.get("objectLockEnabled")),
                "policy": parse_policy(p.get("policy")),
                "tags": tags_from_mapping(p.get("tags")),
            }
            self._inline_bucket_config(draft, p)
            drafts.add(draft, name, draft["arn"], resource.id)
        for _, p in self.of(BUCKET_POLICY):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["policy"] = parse_policy(p.get("policy"))
        for _, p in self.of(BUCKET_PUBLIC_ACCESS):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["public_access_block"] = PublicAccessBlock(
                    block_public_acls=as_bool(p.get("blockPublicAcls")),
                    ignore_public_acls=as_bool(p.get("ignorePublicAcls")),
                    block_public_policy=as_bool(p.get("blockPublicPolicy")),
                    restrict_public_buckets=as_bool(p.get("restrictPublicBuckets")),
                )
        for _, p in self.of(BUCKET_VERSIONING):
            if (target := drafts.find(p.get("bucket"))) is not None:
                config = p.get("versioningConfiguration") or {}
                target["versioning"] = as_str(config.get("status"))
                target["mfa_delete"] = as_str(config.get("mfaDelete")) == "Enabled"
        for _, p in self.of(BUCKET_SSE):
            if (target := drafts.find(p.get("bucket"))) is not None:
                rules = p.get("rules") or p.get("rule") or []
                self._apply_sse(target, rules if isinstance(rules, list) else [rules])
        for _, p in self.of(BUCKET_OBJECT_LOCK):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["object_lock_enabled"] = (
                    str(p.get("objectLockEnabled") or "Enabled") == "Enabled"
                )
                retention = (p.get("rule") or {}).get("defaultRetention") or {}
                target["object_lock_mode"] = as_str(retention.get("mode"))
                target["object_lock_days"] = _days_from_retention(retention)
        for _, p in self.of(BUCKET_LIFECYCLE):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["lifecycle_rules"] = tuple(_lifecycle_rule(r) for r in p.get("rules") or ())
        for _, p in self.of(BUCKET_OWNERSHIP):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["ownership"] = as_str((p.get("rule") or {}).get("objectOwnership"))
        for _, p in self.of(BUCKET_LOGGING):
            if (target := drafts.find(p.get("bucket"))) is not None:
                target["logging_target_bucket"] = as_str(p.get("targetBucket"))
        return tuple(Bucket(**d) for d in drafts.items)

    @staticmethod
    def _apply_sse(target: dict[str, Any], rules: Sequence[Any]) -> None:
        for rule in rules:
            if not isinstance(rule, Mapping):
                continue
            default = rule.get("applyServerSideEncryptionByDefault") or {}
            target["sse_algorithm"] = as_str(default.get("sseAlgorithm"))
            target["sse_kms_key_id"] = as_str(default.get("kmsMasterKeyId"))
            target["bucket_key_enabled"] = as_bool(rule.get("bucketKeyEnabled"))

    def _inline_bucket_config(self, draft: dict[str, Any], p: Mapping[str, Any]) -> None:
        """The deprecated inline arguments of aws.s3.Bucket, for programs that still use them."""
        sse = p.get("serverSideEncryptionConfiguration")
        if isinstance(sse, Mapping):
            rule = sse.get("rule")
            self._apply_sse(draft, rule if isinstance(rule, list) else [rule])
        versioning = p.get("versioning")
        if isinstance(versioning, Mapping) and as_bool(versioning.get("enabled")):
            draft["versioning"] = "Enabled"
            draft["mfa_delete"] = as_bool(versioning.get("mfaDelete"))
        lock = p.get("objectLockConfiguration")
        if isinstance(lock, Mapping):
            draft["object_lock_enabled"] = str(lock.get("objectLockEnabled")) == "Enabled"
            retention = (lock.get("rule") or {}).get("defaultRetention") or {}
            draft["object_lock_mode"] = as_str(retention.get("mode"))
            draft["object_lock_days"] = _days_from_retention(retention)

    # ---------------------------------------------------------- cloudtrail

    def trails(self) -> tuple[Trail, ...]:
        trails = []
        for resource, p in self.of(TRAIL):
            name = as_str(p.get("name")) or resource.name
            trails.append(
                Trail(
                    arn=self.arn(
                        p,
                        f"arn:aws:cloudtrail:{self.region}:{self.account}:trail/{name}",
                    ),
                    name=name,
                    home_region=str(p.get("homeRegion") or self.region),
                    s3_bucket_name=as_str(p.get("s3BucketName")),
                    multi_region=as_bool(p.get("isMultiRegionTrail")),
                    global_events=as_bool(p.get("includeGlobalServiceEvents"), True),
                    organization_trail=as_bool(p.get("isOrganizationTrail")),
                    log_file_validation=as_bool(p.get("enableLogFileValidation")),
                    kms_key_id=as_str(p.get("kmsKeyId")),
                    is_logging=as_bool(p.get("enableLogging"), True),
                    event_selectors=parse_event_selectors(p.get("eventSelectors")),
                    advanced_event_selectors=parse_advanced_event_selectors(
                        p.get("advancedEventSelectors")
                    ),
                    cw_logs_group_arn=as_str(p.get("cloudWatchLogsGroupArn")),
                    cw_logs_role_arn=as_str(p.get("cloudWatchLogsRoleArn")),
                    tags=tags_from_mapping(p.get("tags")),
                )
            )
        return tuple(trails)

    # ---------------------------------------------------- logs and alarms

    def log_groups(self) -> tuple[LogGroup, ...]:
        drafts = _Drafts()
        for resource, p in self.of(LOG_GROUP):
            name = as_str(p.get("name")) or resource.name
            arn = self.arn(p, f"arn:aws:logs:{self.region}:{self.account}:log-group:{name}")
            draft: dict[str, Any] = {
                "name": name,
                "arn": arn,
                "retention_days": as_int(p.get("retentionInDays")) or None,  # 0 = never expire
                "kms_key_id": as_str(p.get("kmsKeyId")),
                "tags": tags_from_mapping(p.get("tags")),
                "metric_filters": (),
            }
            drafts.add(draft, name, arn, resource.id)
        for resource, p in self.of(METRIC_FILTER):
            if (target := drafts.find(p.get("logGroupName"))) is not None:
                transformation = p.get("metricTransformation") or {}
                target["metric_filters"] = (
                    *target["metric_filters"],
                    MetricFilter(
                        name=as_str(p.get("name")) or resource.name,
                        pattern=str(p.get("pattern") or ""),
                        metric_name=str(transformation.get("name") or ""),
                        metric_namespace=str(transformation.get("namespace") or ""),
                    ),
                )
        return tuple(LogGroup(**d) for d in drafts.items)

    def alarms(self) -> tuple[Alarm, ...]:
        alarms = []
        for resource, p in self.of(ALARM):
            name = as_str(p.get("name")) or resource.name
            threshold = p.get("threshold")
            alarms.append(
                Alarm(
                    name=name,
                    arn=self.arn(
                        p,
                        f"arn:aws:cloudwatch:{self.region}:{self.account}:alarm:{name}",
                    ),
                    namespace=as_str(p.get("namespace")),
                    metric_name=as_str(p.get("metricName")),
                    dimensions=tags_from_mapping(p.get("dimensions")),
                    statistic=as_str(p.get("statistic")),
                    comparison_operator=as_str(p.get("comparisonOperator")),
                    threshold=float(threshold) if threshold is not None else None,
                    period_seconds=as_int(p.get("period")),
                    evaluation_periods=as_int(p.get("evaluationPeriods")),
                    actions_enabled=as_bool(p.get("actionsEnabled"), True),
                    alarm_actions=str_tuple(p.get("alarmActions")),
                    ok_actions=str_tuple(p.get("okActions")),
                    insufficient_data_actions=str_tuple(p.get("insufficientDataActions")),
                    tags=tags_from_mapping(p.get("tags")),
                )
            )
        return tuple(alarms)

    def event_rules(self) -> tuple[EventRule, ...]:
        drafts = _Drafts()
        for resource, p in self.of(EVENT_RULE):
            name = as_str(p.get("name")) or resource.name
            bus = str(p.get("eventBusName") or "default")
            path = name if bus == "default" else f"{bus}/{name}"
            arn = self.arn(p, f"arn:aws:events:{self.region}:{self.account}:rule/{path}")
            enabled = as_bool(p.get("isEnabled"), True)
            draft: dict[str, Any] = {
                "name": name,
                "arn": arn,
                "event_bus_name": bus,
                "event_pattern": parse_policy(p.get("eventPattern")),
                "schedule_expression": as_str(p.get("scheduleExpression")),
                "state": str(p.get("state") or ("ENABLED" if enabled else "DISABLED")),
                "tags": tags_from_mapping(p.get("tags")),
                "targets": (),
            }
            drafts.add(draft, name, arn, resource.id)
        for resource, p in self.of(EVENT_TARGET):
            if (target := drafts.find(p.get("rule"))) is not None:
                dead_letter = p.get("deadLetterConfig") or {}
                target["targets"] = (
                    *target["targets"],
                    EventTarget(
                        id=as_str(p.get("targetId")) or resource.name,
                        arn=str(p.get("arn") or ""),
                        role_arn=as_str(p.get("roleArn")),
                        dead_letter_arn=as_str(dead_letter.get("arn")),
                    ),
                )
        return tuple(EventRule(**d) for d in drafts.items)

    # -------------------------------------------------------------- config

    def config_recorders(self) -> tuple[ConfigRecorder, ...]:
        drafts = _Drafts()
        for resource, p in self.of(RECORDER):
            name = as_str(p.get("name")) or "default"
            group = p.get("recordingGroup") or {}
            draft: dict[str, Any] = {
                "name": name,
                "region": self.region,
                "role_arn": as_str(p.get("roleArn")),
                "all_supported": as_bool(group.get("allSupported"), True),
                "include_global_resource_types": as_bool(group.get("includeGlobalResourceTypes")),
                "resource_types": str_tuple(group.get("resourceTypes")),
                # a recorder does not record until a RecorderStatus turns it on
                "recording": False,
                "last_status": None,
            }
            drafts.add(draft, name, resource.id)
        for _, p in self.of(RECORDER_STATUS):
            if (target := drafts.find(p.get("name"))) is not None:
                target["recording"] = as_bool(p.get("isEnabled"))
        for _, p in self.of(DELIVERY_CHANNEL):
            for target in drafts.items:  # one recorder and one channel per region
                target["delivery_bucket"] = as_str(p.get("s3BucketName"))
                target["delivery_kms_key_arn"] = as_str(p.get("s3KmsKeyArn"))
        return tuple(ConfigRecorder(**d) for d in drafts.items)

    def config_rules(self) -> tuple[ConfigRule, ...]:
        rules = []
        for resource, p in self.of(CONFIG_RULE):
            name = as_str(p.get("name")) or resource.name
            source = p.get("source") or {}
            parameters = parse_json(p.get("inputParameters"))
            rules.append(
                ConfigRule(
                    name=name,
                    arn=self.arn(
                        p,
                        (f"arn:aws:config:{self.region}:{self.account}:config-rule/{name}"),
                    ),
                    source_owner=str(source.get("owner") or "AWS"),
                    source_identifier=str(source.get("sourceIdentifier") or ""),
                    input_parameters=dict(parameters) if isinstance(parameters, Mapping) else {},
                    tags=tags_from_mapping(p.get("tags")),
                )
            )
        return tuple(rules)

    # ------------------------------------------------------------- network

    def ec2_arn(self, kind: str, ident: str) -> str:
        return f"arn:aws:ec2:{self.region}:{self.account}:{kind}/{ident}"

    def vpcs(self) -> tuple[Vpc, ...]:
        drafts = _Drafts()
        for resource, p in self.of(VPC):
            vpc_id = as_str(p.get("id")) or resource.id or resource.name
            draft: dict[str, Any] = {
                "id": vpc_id,
                "arn": self.arn(p, self.ec2_arn("vpc", vpc_id)),
                "cidr_block": as_str(p.get("cidrBlock")),
                "tags": tags_from_mapping(p.get("tags")),
                "flow_logs": (),
            }
            drafts.add(draft, vpc_id, resource.id)
        for resource, p in self.of(FLOW_LOG):
            if (target := drafts.find(p.get("vpcId"))) is not None:
                target["flow_logs"] = (
                    *target["flow_logs"],
                    FlowLog(
                        id=as_str(p.get("id")) or resource.id or resource.name,
                        status="ACTIVE",
                        traffic_type=str(p.get("trafficType") or "ALL"),
                        destination_type=str(p.get("logDestinationType") or "cloud-watch-logs"),
                        destination=as_str(p.get("logDestination")),
                    ),
                )
        return tuple(Vpc(**d) for d in drafts.items)

    def vpc_endpoints(self) -> tuple[VpcEndpoint, ...]:
        subnet_zones = {
            str(resource.id or p.get("id")): str(p.get("availabilityZone") or "")
            for resource, p in self.of(SUBNET)
        }
        endpoints = []
        for resource, p in self.of(VPC_ENDPOINT):
            endpoint_id = as_str(p.get("id")) or resource.id or resource.name
            subnets = str_tuple(p.get("subnetIds"))
            zones = sorted({subnet_zones[s] for s in subnets if subnet_zones.get(s)})
            endpoints.append(
                VpcEndpoint(
                    id=endpoint_id,
                    arn=self.arn(p, self.ec2_arn("vpc-endpoint", endpoint_id)),
                    vpc_id=str(p.get("vpcId") or ""),
                    service_name=str(p.get("serviceName") or ""),
                    endpoint_type=str(p.get("vpcEndpointType") or "Gateway"),
                    state=str(p.get("state") or "available"),
                    private_dns_enabled=as_bool(p.get("privateDnsEnabled")),
                    subnet_ids=subnets,
                    availability_zones=tuple(zones),
                    security_group_ids=str_tuple(p.get("securityGroupIds")),
                    policy=parse_policy(p.get("policy")),
                    tags=tags_from_mapping(p.get("tags")),
                )
            )
        return tuple(endpoints)

    def security_groups(self) -> tuple[SecurityGroup, ...]:
        drafts = _Drafts()
        for tokens, is_default in ((SECURITY_GROUP, False), (DEFAULT_SECURITY_GROUP, True)):
            for resource, p in self.of(tokens):
                group_id = as_str(p.get("id")) or resource.id or resource.name
                draft: dict[str, Any] = {
                    "id": group_id,
                    "arn": self.arn(p, self.ec2_arn("security-group", group_id)),
                    "name": as_str(p.get("name")) or ("default" if is_default else resource.name),
                    "vpc_id": as_str(p.get("vpcId")),
                    "description": str(p.get("description") or ""),
                    "is_default": is_default,
                    "ingress": tuple(_inline_sg_rule(r, group_id) for r in p.get("ingress") or ()),
                    "egress": tuple(_inline_sg_rule(r, group_id) for r in p.get("egress") or ()),
                    "tags": tags_from_mapping(p.get("tags")),
                }
                drafts.add(draft, group_id, draft["arn"], resource.id)
        for _, p in self.of(SG_RULE):
            if (target := drafts.find(p.get("securityGroupId"))) is not None:
                direction = "egress" if p.get("type") == "egress" else "ingress"
                rule = _inline_sg_rule(
                    {**p, "securityGroups": str_tuple(p.get("sourceSecurityGroupId"))},
                    target["id"],
                )
                target[direction] = (*target[direction], rule)
        for tokens, direction in ((SG_INGRESS_RULE, "ingress"), (SG_EGRESS_RULE, "egress")):
            for _, p in self.of(tokens):
                if (target := drafts.find(p.get("securityGroupId"))) is not None:
                    target[direction] = (*target[direction], _vpc_sg_rule(p))
        return tuple(SecurityGroup(**d) for d in drafts.items)

    # ----------------------------------------------------------------- iam

    def roles(self) -> tuple[Role, ...]:
        managed = {}
        for resource, p in self.of(MANAGED_POLICY):
            document = parse_policy(p.get("policy")) or {}
            for name in (p.get("arn"), resource.id, p.get("name"), resource.name):
                if name:
                    managed[str(name)] = document
        drafts = _Drafts()
        for resource, p in self.of(ROLE):
            name = as_str(p.get("name")) or resource.name
            path = str(p.get("path") or "/")
            inline = {
                str(i.get("name")): parse_policy(i.get("policy")) or {}
                for i in p.get("inlinePolicies") or ()
                if isinstance(i, Mapping) and i.get("name")
            }
            draft: dict[str, Any] = {
                "arn": self.arn(p, f"arn:aws:iam::{self.account}:role{path}{name}"),
                "name": name,
                "path": path,
                "trust_policy": parse_policy(p.get("assumeRolePolicy")),
                "inline_policies": inline,
                "attached_policies": {
                    arn: managed.get(arn, {}) for arn in str_tuple(p.get("managedPolicyArns"))
                },
                "tags": tags_from_mapping(p.get("tags")),
            }
            drafts.add(draft, name, draft["arn"], resource.id)
        for resource, p in self.of(ROLE_POLICY):
            if (target := drafts.find(p.get("role"))) is not None:
                policy_name = as_str(p.get("name")) or resource.name
                target["inline_policies"] = {
                    **target["inline_policies"],
                    policy_name: parse_policy(p.get("policy")) or {},
                }
        for _, p in self.of(ROLE_POLICY_ATTACHMENT):
            policy_arn = as_str(p.get("policyArn"))
            if policy_arn and (target := drafts.find(p.get("role"))) is not None:
                # an AWS managed policy is not in the plan: recorded by ARN with no statements
                target["attached_policies"] = {
                    **target["attached_policies"],
                    policy_arn: managed.get(policy_arn, {}),
                }
        return tuple(Role(**d) for d in drafts.items)


def _lifecycle_rule(raw: Mapping[str, Any]) -> LifecycleRule:
    expiration = raw.get("expiration") or {}
    noncurrent = raw.get("noncurrentVersionExpiration") or {}
    prefix = raw.get("prefix") or (raw.get("filter") or {}).get("prefix") or ""
    return LifecycleRule(
        id=str(raw.get("id") or ""),
        enabled=str(raw.get("status") or "Enabled") == "Enabled",
        prefix=str(prefix),
        expiration_days=as_int(expiration.get("days")),
        noncurrent_expiration_days=as_int(noncurrent.get("noncurrentDays")),
        transitions=tuple(
            LifecycleTransition(
                days=as_int(t.get("days")), storage_class=str(t.get("storageClass"))
            )
            for t in raw.get("transitions") or ()
        ),
    )


def _inline_sg_rule(raw: Mapping[str, Any], group_id: str) -> SecurityGroupRule:
    sources = str_tuple(raw.get("securityGroups"))
    if as_bool(raw.get("self")):
        sources = (*sources, group_id)
    return SecurityGroupRule(
        protocol=str(raw.get("protocol") or "-1"),
        from_port=as_int(raw.get("fromPort")),
        to_port=as_int(raw.get("toPort")),
        cidr_ipv4=str_tuple(raw.get("cidrBlocks")),
        cidr_ipv6=str_tuple(raw.get("ipv6CidrBlocks")),
        source_security_group_ids=sources,
        prefix_list_ids=str_tuple(raw.get("prefixListIds")),
        description=str(raw.get("description") or ""),
    )


def _vpc_sg_rule(raw: Mapping[str, Any]) -> SecurityGroupRule:
    return SecurityGroupRule(
        protocol=str(raw.get("ipProtocol") or "-1"),
        from_port=as_int(raw.get("fromPort")),
        to_port=as_int(raw.get("toPort")),
        cidr_ipv4=str_tuple(raw.get("cidrIpv4")),
        cidr_ipv6=str_tuple(raw.get("cidrIpv6")),
        source_security_group_ids=str_tuple(raw.get("referencedSecurityGroupId")),
        prefix_list_ids=str_tuple(raw.get("prefixListId")),
        description=str(raw.get("description") or ""),
    )


def _account_and_region(resources: Sequence[PlannedResourceLike]) -> tuple[str, str]:
    for resource in resources:
        arn = str((resource.state or {}).get("arn") or "")
        if arn.startswith("arn:") and account_of(arn) and region_of(arn):
            return account_of(arn), region_of(arn)
    return DEFAULT_ACCOUNT, DEFAULT_REGION


def inventory_from_plan(
    plan: PlanLike,
    *,
    account: str | None = None,
    region: str | None = None,
    stack: str = "",
) -> Inventory:
    """The planned stack as an inventory (`source="plan"`), sub-resources folded into parents.

    Account and region default to those in the mock ARNs; they name synthesized ARNs for
    resources whose mock state carries none.
    """
    resources = list(plan.resources)
    found_account, found_region = _account_and_region(resources)
    normalizer = _PlanNormalizer(resources, account or found_account, region or found_region)
    return Inventory(
        source="plan",
        account=normalizer.account,
        region=normalizer.region,
        stack=stack,
        keys=normalizer.keys(),
        queues=normalizer.queues(),
        topics=normalizer.topics(),
        subscriptions=normalizer.subscriptions(),
        buckets=normalizer.buckets(),
        trails=normalizer.trails(),
        log_groups=normalizer.log_groups(),
        config_recorders=normalizer.config_recorders(),
        config_rules=normalizer.config_rules(),
        alarms=normalizer.alarms(),
        event_rules=normalizer.event_rules(),
        vpc_endpoints=normalizer.vpc_endpoints(),
        security_groups=normalizer.security_groups(),
        roles=normalizer.roles(),
        vpcs=normalizer.vpcs(),
    )
