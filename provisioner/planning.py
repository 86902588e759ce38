"""Offline plan: run the Pulumi program in-process under mocks and record the resource graph.

No Pulumi CLI, no credentials and no network are involved. `PlanMocks` answers every resource
registration with realistic state (ARNs, URLs and ids built from the target region and account,
so identifiers cross-reference each other) and every invoke the components make.
`PlanMonitor` records what the engine would have received: type, name, parent, inputs,
provider, protect flags. Both are meant to be subclassed (the simulated deploy in
`tests/support/` overrides `PlanMocks.resource_state` to create each resource in moto).
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from provisioner.errors import OperationError, ProvisionerError

if TYPE_CHECKING:
    from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

    from provisioner.profiles import StackTarget

DEFAULT_ACCOUNT = "123456789012"  # moto's default account
PROJECT = "provisioner"
STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"
# The key marking a special value (a secret) in deserialized properties (pulumi rpc).
_SIG_KEY = "4dabf18193072939515e22adb298388d"


# Set while a plan runs: the SDK's per-resource source-position capture is skipped then.
_PLANNING: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "provisioner_planning", default=False
)
_fast_stack_trace_installed = False


def _install_fast_stack_trace() -> None:
    """Skip the SDK's per-resource `traceback.extract_stack()` while planning.

    The SDK records where each resource was declared, for the engine's diagnostics. Under mocks
    nothing reads it, and reading source lines for every frame is a third of a plan's run time.
    The switch is a context variable, so real engine runs in the same process are unaffected.
    """
    global _fast_stack_trace_installed
    if _fast_stack_trace_installed:
        return
    from pulumi.runtime import resource as runtime_resource
    from pulumi.runtime.proto import source_pb2

    original = runtime_resource._get_stack_trace

    def stack_trace() -> Any:
        return source_pb2.StackTrace() if _PLANNING.get() else original()

    runtime_resource._get_stack_trace = stack_trace
    _fast_stack_trace_installed = True


class DefaultProviderError(AssertionError):
    """A resource or invoke fell back to the ambient default provider (pulumi.md 3.7)."""


# --------------------------------------------------------------------------------------------
# Mock state
# --------------------------------------------------------------------------------------------


def _short_hash(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


class PlanMocks:
    """Realistic, deterministic state for every resource type and invoke the stack uses.

    It implements `pulumi.runtime.Mocks` (registered as a virtual subclass when a plan runs), so
    that importing this module, e.g. to read a cached plan, does not import the Pulumi SDK.
    """

    def __init__(self, region: str, account_id: str = DEFAULT_ACCOUNT) -> None:
        self.region = region
        self.account_id = account_id
        self.partition = partition_of(region)

    # -- resources ----------------------------------------------------------------------------

    def new_resource(self, args: MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        if args.custom and args.typ.startswith("aws:") and not args.provider:
            raise DefaultProviderError(
                f"{args.typ} '{args.name}' uses the default provider; pass the explicit one"
            )
        if not args.custom:
            return "", {}
        return self.resource_state(args)

    def resource_state(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """The (id, outputs) the engine would report for a created resource. Override me."""
        state: dict[str, Any] = dict(args.inputs)
        typ, logical = args.typ, args.name
        region, account, part = self.region, self.account_id, self.partition
        name = str(state.get("name") or f"{logical}-{_short_hash(typ, logical, length=7)}")

        def arn(service: str, resource: str, *, regional: bool = True) -> str:
            return f"arn:{part}:{service}:{region if regional else ''}:{account}:{resource}"

        if typ.startswith(PROVIDER_PREFIX):
            return f"{logical}-provider-id", state
        if typ == "aws:kms/key:Key":
            key_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{account}/{region}/{logical}"))
            state.update(keyId=key_id, arn=arn("kms", f"key/{key_id}"))
            return key_id, state
        if typ == "aws:kms/alias:Alias":
            state.update(
                arn=arn("kms", name), targetKeyArn=arn("kms", f"key/{state.get('targetKeyId')}")
            )
            return name, state
        if typ == "aws:sqs/queue:Queue":
            url = f"https://sqs.{region}.amazonaws.com/{account}/{name}"
            state.update(
                name=name,
                arn=arn("sqs", name),
                url=url,
                sqsManagedSseEnabled=not state.get("kmsMasterKeyId"),
            )
            return url, state
        if typ == "aws:sqs/queuePolicy:QueuePolicy":
            return str(state.get("queueUrl")), state
        if typ == "aws:sns/topic:Topic":
            topic_arn = arn("sns", name)
            state.update(name=name, arn=topic_arn, owner=account)
            return topic_arn, state
        if typ == "aws:sns/topicPolicy:TopicPolicy":
            return str(state.get("arn")), state
        if typ == "aws:sns/topicSubscription:TopicSubscription":
            sub_arn = f"{state.get('topic')}:{uuid.uuid5(uuid.NAMESPACE_URL, logical)}"
            state.update(arn=sub_arn, ownerId=account)
            return sub_arn, state
        if typ == "aws:s3/bucket:Bucket":
            bucket = str(state.get("bucket") or name)
            state.update(
                bucket=bucket,
                arn=f"arn:{part}:s3:::{bucket}",
                bucketDomainName=f"{bucket}.s3.amazonaws.com",
                region=region,
            )
            return bucket, state
        if typ.startswith("aws:s3/"):
            return str(state.get("bucket") or name), state
        if typ == "aws:cloudtrail/trail:Trail":
            trail_arn = arn("cloudtrail", f"trail/{name}")
            state.update(name=name, arn=trail_arn, homeRegion=region)
            return trail_arn, state
        if typ == "aws:cloudwatch/logGroup:LogGroup":
            state.update(name=name, arn=arn("logs", f"log-group:{name}"))
            return name, state
        if typ == "aws:cloudwatch/metricAlarm:MetricAlarm":
            state.update(name=name, arn=arn("cloudwatch", f"alarm:{name}"))
            return name, state
        if typ == "aws:cloudwatch/eventRule:EventRule":
            state.update(name=name, arn=arn("events", f"rule/{name}"))
            return name, state
        if typ == "aws:cloudwatch/eventTarget:EventTarget":
            target_id = str(state.get("targetId") or _short_hash(typ, logical, length=12))
            state.update(targetId=target_id)
            return f"{state.get('rule')}-{target_id}", state
        if typ == "aws:iam/role:Role":
            state.update(
                name=name,
                arn=f"arn:{part}:iam::{account}:role/{name}",
                uniqueId=f"AROA{_short_hash(typ, logical).upper()}",
            )
            return name, state
        if typ == "aws:iam/rolePolicy:RolePolicy":
            state.update(name=name)
            return f"{state.get('role')}:{name}", state
        if typ == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            return f"{state.get('role')}-{_short_hash(typ, logical, length=8)}", state
        if typ == "aws:cfg/rule:Rule":
            rule_id = f"config-rule-{_short_hash(typ, logical, length=6)}"
            state.update(name=name, ruleId=rule_id, arn=arn("config", f"config-rule/{rule_id}"))
            return name, state
        if typ.startswith("aws:cfg/"):
            return str(state.get("name") or name), state
        if typ.startswith("aws:ec2/"):
            return self._ec2_state(typ, logical, state, arn)
        if typ.startswith("aws:kms/"):
            return _short_hash(typ, logical), state
        state.setdefault("arn", arn(typ.split(":")[1].split("/")[0], name))
        return f"{logical}-id", state

    def _ec2_state(
        self,
        typ: str,
        logical: str,
        state: dict[str, Any],
        arn: Callable[..., str],
    ) -> tuple[str, dict[str, Any]]:
        kind = typ.split("/")[1].split(":")[0]
        prefixes = {
            "vpc": ("vpc", "vpc"),
            "subnet": ("subnet", "subnet"),
            "securityGroup": ("sg", "security-group"),
            "defaultSecurityGroup": ("sg", "security-group"),
            "vpcEndpoint": ("vpce", "vpc-endpoint"),
            "flowLog": ("fl", "vpc-flow-log"),
            "routeTable": ("rtb", "route-table"),
        }
        prefix, arn_kind = prefixes.get(kind, (kind.lower(), kind.lower()))
        resource_id = f"{prefix}-{_short_hash(typ, logical)}"
        state.update(arn=arn("ec2", f"{arn_kind}/{resource_id}"), ownerId=self.account_id)
        if kind == "vpc":
            state.update(defaultSecurityGroupId=f"sg-{_short_hash('default', logical)}")
        if kind == "vpcEndpoint":
            state.update(
                dnsEntries=[
                    {"dnsName": f"{resource_id}.{state.get('serviceName')}.vpce.amazonaws.com"}
                ],
                state="available",
            )
        return resource_id, state

    # -- invokes ------------------------------------------------------------------------------

    def register_transform(self, transform: Any) -> None:
        """Stack transforms are recorded by the monitor and never run under mocks."""

    def register_invoke_transform(self, transform: Any) -> None:
        """Invoke transforms are recorded by the monitor and never run under mocks."""

    def call(self, args: MockCallArgs) -> dict[str, Any]:
        token = args.token
        if token.startswith("aws:") and not args.provider:
            raise DefaultProviderError(f"invoke {token} uses the default provider")
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": self.account_id,
                "arn": f"arn:{self.partition}:iam::{self.account_id}:user/provisioner-plan",
                "userId": "AIDAPLANNEDUSER",
                "id": self.account_id,
            }
        if token == "aws:index/getPartition:getPartition":
            return {
                "partition": self.partition,
                "dnsSuffix": "amazonaws.com",
                "reverseDnsPrefix": "com.amazonaws",
                "id": self.partition,
            }
        if token == "aws:index/getRegion:getRegion":
            return {
                "region": self.region,
                "name": self.region,
                "id": self.region,
                "endpoint": f"ec2.{self.region}.amazonaws.com",
                "description": self.region,
            }
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            names = [f"{self.region}{suffix}" for suffix in "abc"]
            return {"names": names, "zoneIds": [f"z{n[-2:]}" for n in names], "id": self.region}
        if token == "aws:iam/getPolicyDocument:getPolicyDocument":
            document = render_policy_document(args.args)
            return {
                "json": json.dumps(document, indent=2),
                "minifiedJson": json.dumps(document, separators=(",", ":")),
                "id": _short_hash(json.dumps(document, sort_keys=True)),
            }
        raise NotImplementedError(f"no mock answer for invoke {token}")


def render_policy_document(invoke_args: Mapping[str, Any]) -> dict[str, Any]:
    """Turn `get_policy_document` invoke args (camelCase) into the IAM JSON it would return."""
    statements = []
    for raw in invoke_args.get("statements") or []:
        rendered: dict[str, Any] = {}
        if raw.get("sid"):
            rendered["Sid"] = raw["sid"]
        rendered["Effect"] = raw.get("effect") or "Allow"
        for key, out in (("actions", "Action"), ("notActions", "NotAction")):
            if raw.get(key):
                rendered[out] = _one_or_many(raw[key])
        for key, out in (("resources", "Resource"), ("notResources", "NotResource")):
            if raw.get(key):
                rendered[out] = _one_or_many(raw[key])
        for key, out in (("principals", "Principal"), ("notPrincipals", "NotPrincipal")):
            if raw.get(key):
                rendered[out] = _principals(raw[key])
        if raw.get("conditions"):
            conditions: dict[str, dict[str, Any]] = {}
            for cond in raw["conditions"]:
                conditions.setdefault(cond["test"], {})[cond["variable"]] = _one_or_many(
                    cond["values"]
                )
            rendered["Condition"] = conditions
        statements.append(rendered)
    return {"Version": invoke_args.get("version") or "2012-10-17", "Statement": statements}


def _one_or_many(values: Any) -> Any:
    items = list(values)
    return items[0] if len(items) == 1 else items


def _principals(entries: Any) -> Any:
    if len(entries) == 1 and entries[0]["type"] == "*" and list(entries[0]["identifiers"]) == ["*"]:
        return "*"
    principals: dict[str, Any] = {}
    for entry in entries:
        principals[entry["type"]] = _one_or_many(entry["identifiers"])
    return principals


# --------------------------------------------------------------------------------------------
# Recording the graph
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedResource:
    """One resource as the engine would receive it, with the state the mock answered."""

    type: str
    name: str
    parent: str | None  # the parent's logical name; None for top-level resources
    inputs: dict[str, Any]
    urn: str
    custom: bool
    id: str | None = None
    state: dict[str, Any] = field(default_factory=dict)
    parent_urn: str | None = None
    provider: str | None = None
    protect: bool = False
    retain_on_delete: bool = False
    depends_on: tuple[str, ...] = ()


class PlanMonitor:
    """A mock monitor that keeps every registration in order (pulumi.md 3.5).

    It wraps the SDK's `MockMonitor` (every other RPC goes to it unchanged) and records each
    `RegisterResource` request with the state the mocks answered.
    """

    def __init__(self, mocks: PlanMocks) -> None:
        from pulumi.runtime.mocks import MockMonitor

        self.mocks = mocks
        self.inner: MockMonitor = MockMonitor(mocks)  # type: ignore[arg-type]
        self.planned: list[PlannedResource] = []
        self._names: dict[str, str] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    @property
    def resources(self) -> dict[str, MockMonitor.ResourceRegistration]:
        return self.inner.resources

    def RegisterResource(self, request: Any) -> Any:
        from pulumi.runtime import rpc

        response = self.inner.RegisterResource(request)  # type: ignore[no-untyped-call]
        if request.type == STACK_TYPE:
            return response
        registration = self.inner.resources[response.urn]
        self._names[response.urn] = request.name
        self.planned.append(
            PlannedResource(
                type=request.type,
                name=request.name,
                parent=self._names.get(request.parent),
                inputs=_plain(rpc.deserialize_properties(request.object)),
                urn=response.urn,
                custom=bool(request.custom),
                id=registration.id or None,
                state=_plain(registration.state),
                parent_urn=request.parent or None,
                provider=request.provider or None,
                protect=bool(request.protect),
                retain_on_delete=bool(request.retainOnDelete),
                depends_on=tuple(request.dependencies),
            )
        )
        return response


def _plain(value: Any) -> Any:
    """Unwrap secret envelopes and copy containers so the recorded data is plain JSON-able."""
    if isinstance(value, dict):
        if _SIG_KEY in value and "value" in value:
            return _plain(value["value"])
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire protocol carries every number as a double
    return value


# --------------------------------------------------------------------------------------------
# Running a plan
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    stack: str
    profiles: tuple[str, ...]
    environment: str
    region: str
    resources: list[PlannedResource]
    outputs: dict[str, Any]


def activate_mocks(mocks: PlanMocks, monitor: PlanMonitor, *, stack: str) -> None:
    """Point the Pulumi runtime of the current context at `mocks`, recorded by `monitor`."""
    from pulumi.runtime import settings
    from pulumi.runtime.mocks import Mocks, set_mocks

    Mocks.register(type(mocks))
    settings.reset_options(project=PROJECT, stack=stack, preview=False)
    set_mocks(
        mocks,  # type: ignore[arg-type]  # a registered virtual subclass of Mocks
        project=PROJECT,
        stack=stack,
        preview=False,
        monitor=monitor,  # type: ignore[arg-type]  # wraps the SDK's MockMonitor
    )


def run_program(
    program: Callable[[], None],
    mocks: PlanMocks,
    *,
    stack: str,
    monitor_factory: Callable[[PlanMocks], PlanMonitor] = PlanMonitor,
) -> tuple[PlanMonitor, dict[str, Any]]:
    """Run `program` under `mocks` in a fresh runtime (own thread, context and event loop).

    Returns the monitor (with the recorded graph) and the resolved stack outputs. Safe to call
    several times in one process: nothing leaks between runs.
    """
    _install_fast_stack_trace()
    monitor = monitor_factory(mocks)
    result: dict[str, Any] = {}
    failure: list[BaseException] = []

    def run() -> None:
        import asyncio

        import pulumi
        from pulumi.runtime import settings
        from pulumi.runtime.stack import run_pulumi_func
        from pulumi.runtime.sync_await import _sync_await

        loop = asyncio.new_event_loop()
        # A failed run leaves tasks behind; the first error is re-raised below, the rest is noise.
        loop.set_exception_handler(lambda _loop, _context: None)
        asyncio.set_event_loop(loop)

        async def program_and_outputs() -> None:
            program()
            outputs = getattr(settings.get_root_resource(), "outputs", {})
            for key, value in outputs.items():
                result[key] = await pulumi.Output.from_input(value).future()

        try:
            _PLANNING.set(True)
            activate_mocks(mocks, monitor, stack=stack)
            _sync_await(run_pulumi_func(program_and_outputs))
        except BaseException as error:
            failure.append(error)
            _cancel_pending(loop)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    context = contextvars.copy_context()
    worker = threading.Thread(target=context.run, args=(run,), name="provisioner-plan")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return monitor, result


def _cancel_pending(loop: Any) -> None:
    import asyncio

    pending = [task for task in asyncio.all_tasks(loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


def run_plan(target: StackTarget, *, cache_dir: Path | None = None) -> Plan:
    """Plan the stack for `target` offline: the resources the program declares, and outputs.

    With `cache_dir`, a plan computed earlier for the same target, program code and SDK versions
    is read back instead of running the program again (a plan is a pure function of those).
    """
    if cache_dir is not None:
        cache_file = cache_dir / f"plan-{plan_cache_key(target)}.json"
        cached = _read_cached_plan(cache_file)
        if cached is not None:
            return cached
        plan = run_plan(target)
        _write_cached_plan(cache_file, plan)
        return plan

    from provisioner.program import make_program

    account = target.environment.overlay.account_id or DEFAULT_ACCOUNT
    mocks = PlanMocks(region=target.region, account_id=account)
    try:
        monitor, outputs = run_program(make_program(target), mocks, stack=target.stack_name)
    except (DefaultProviderError, ProvisionerError):
        raise
    except Exception as error:
        raise OperationError(
            f"planning {target.stack_name} failed: {type(error).__name__}: {error}",
            hint="rerun with --debug for the traceback, and report it",
        ) from error
    return Plan(
        stack=target.stack_name,
        profiles=target.profile_names,
        environment=target.environment.name,
        region=target.region,
        resources=tree_order(monitor.planned),
        outputs=_plain(outputs),
    )


def tree_order(resources: list[PlannedResource]) -> list[PlannedResource]:
    """Parents before children, siblings by name: stable output whatever the async order was."""
    children: dict[str | None, list[PlannedResource]] = {}
    for resource in resources:
        children.setdefault(resource.parent_urn, []).append(resource)
    known = {resource.urn for resource in resources}
    ordered: list[PlannedResource] = []

    def walk(parent: str | None) -> None:
        for resource in sorted(children.get(parent, []), key=lambda r: (r.custom, r.name)):
            ordered.append(resource)
            walk(resource.urn)

    for parent in children:
        if parent is None or parent not in known:
            walk(parent)
    return ordered


# --------------------------------------------------------------------------------------------
# Plan cache
# --------------------------------------------------------------------------------------------

CACHE_FORMAT = 1


def _program_sources() -> list[Path]:
    """Every file whose content decides what the program declares."""
    package = Path(__file__).resolve().parent
    components = package.parent / "components"
    return [
        package / "planning.py",
        package / "program.py",
        *sorted(components.glob("*.py")),
    ]


def _sdk_fingerprint() -> str:
    """Versions of the Pulumi SDK and pulumi-aws, read from their files (importing them is slow)."""
    from importlib.util import find_spec

    parts = []
    for package, marker in (("pulumi", "_version.py"), ("pulumi_aws", "pulumi-plugin.json")):
        spec = find_spec(package)
        locations = list(spec.submodule_search_locations or []) if spec else []
        for location in locations:
            path = Path(location) / marker
            if path.is_file():
                parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def plan_cache_key(target: StackTarget) -> str:
    """A digest of everything a plan depends on: the resolved target, the code, the SDKs."""
    digest = hashlib.sha256()
    described = {
        "format": CACHE_FORMAT,
        "profiles": list(target.profile_names),
        "environment": target.environment.name,
        "overlay": target.environment.overlay.model_dump(mode="json"),
        "region": target.region,
        "profile": target.profile.to_document(),
    }
    digest.update(json.dumps(described, sort_keys=True, default=str).encode())
    for source in _program_sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    digest.update(_sdk_fingerprint().encode())
    return digest.hexdigest()[:32]


def _read_cached_plan(path: Path) -> Plan | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return Plan(
            stack=document["stack"],
            profiles=tuple(document["profiles"]),
            environment=document["environment"],
            region=document["region"],
            resources=[
                PlannedResource(**{**r, "depends_on": tuple(r["depends_on"])})
                for r in document["resources"]
            ],
            outputs=document["outputs"],
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # no cache, or an unreadable one: plan again


def _write_cached_plan(path: Path, plan: Plan) -> None:
    document = {
        "stack": plan.stack,
        "profiles": list(plan.profiles),
        "environment": plan.environment,
        "region": plan.region,
        "resources": [asdict(resource) for resource in plan.resources],
        "outputs": plan.outputs,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(document), encoding="utf-8")
        partial.replace(path)  # atomic: concurrent plans never read half a file
    except OSError:
        pass  # a cache that cannot be written only costs time
