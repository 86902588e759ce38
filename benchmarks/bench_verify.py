"""Benchmark the live inventory (and `provisioner verify`) against a floor script, in moto.

Starts a moto server on loopback (its own process), then for stacks of 1, 100 and 1,000 queues
(half sources, half their DLQs; one KMS key and one SNS topic, subscribed to a source queue, per
ten queues) measures, each in a fresh subprocess:

- collect: `collect_live()` for the stack: wall time, API calls (botocore `before-call`), peak RSS;
- floor:   a plain boto3 script that lists each kind once and reads each resource's
           attributes once, sequentially (the least any verifier must do);
- verify:  the whole `provisioner verify --endpoint-url` process, start-up included.

Then, unless --no-full-stack, the whole pci prod stack as `provisioner up` would deploy it
(the tests' simulated deploy creates every resource of the program in the same moto): the
`verify` process against it, which must exit 0 (compliant), and the collection's API calls.

Prints a table and one JSON line. The server is reset between sizes, so every stack is alone
in its account, and warmed up (one listing per service) before measuring: moto builds some
backends (EC2, IAM) on first use, which real AWS does not make anyone wait for. The server
carries the tests' moto fidelity patches (tests/support/simulated_deploy.py), without which the
deployed stack would not read back as deployed.

Usage: python benchmarks/bench_verify.py [--sizes 1,100,1000] [--no-verify] [--no-full-stack]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REGION = "us-east-1"
PROFILE, ENVIRONMENT = "pci", "prod"
STACK = f"{PROFILE}.{ENVIRONMENT}"
TAGS = {
    "managed-by": "provisioner",
    "provisioner:stack": STACK,
    "provisioner:environment": ENVIRONMENT,
    "provisioner:profiles": PROFILE,
}
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_EC2_METADATA_DISABLED": "true",
}
ROOT = Path(__file__).resolve().parent.parent

# targets from issue 3
TARGET_STACK_SECONDS = 1.5
TARGET_CALLS_PER_QUEUE = 3.0
TARGET_FLOOR_RATIO = 1.5
TARGET_LARGE_SECONDS = 30.0


# ------------------------------------------------------------------------------- moto server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


MOTO_WITH_FIDELITY_PATCHES = """
import sys
from tests.support.simulated_deploy import patch_moto_fidelity
patch_moto_fidelity()
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"""


@contextmanager
def moto_server() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", MOTO_WITH_FIDELITY_PATCHES, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        # the simulated deploy attaches AWS managed policies, which moto loads only when asked
        env={**os.environ, "PYTHONPATH": str(ROOT), "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"},
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("moto server did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def reset(url: str) -> None:
    request = urllib.request.Request(f"{url}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=30).close()


def _session() -> Any:
    import boto3

    return boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
    )


def populate(url: str, queues: int) -> dict[str, int]:
    """Create the stack: `queues` queues (sources + DLQs), keys and topics in proportion."""
    session = _session()
    sqs = session.client("sqs", endpoint_url=url)
    sns = session.client("sns", endpoint_url=url)
    kms = session.client("kms", endpoint_url=url)
    groups = max(1, queues // 10)
    sources = max(1, queues // 2)
    dlqs = queues - sources
    tag_list = [{"Key": k, "Value": v} for k, v in TAGS.items()]
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = list(
            pool.map(
                lambda _: kms.create_key(
                    Tags=[{"TagKey": k, "TagValue": v} for k, v in TAGS.items()]
                )["KeyMetadata"]["Arn"],
                range(groups),
            )
        )
        pool.map(lambda k: kms.enable_key_rotation(KeyId=k), keys)
        account = keys[0].split(":")[4]

        def make_queue(i: int) -> str:
            name = f"{STACK.replace('.', '-')}-q{i:04d}"
            key = keys[i % groups]
            attributes = {"KmsMasterKeyId": key, "MessageRetentionPeriod": "345600"}
            if i < dlqs:  # sources with a DLQ: the first `dlqs` sources
                dlq_arn = f"arn:aws:sqs:{REGION}:{account}:{name}-dlq"
                sqs.create_queue(
                    QueueName=f"{name}-dlq",
                    tags=TAGS,
                    Attributes={**attributes, "MessageRetentionPeriod": "1209600"},
                )
                attributes["RedrivePolicy"] = json.dumps(
                    {"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5}
                )
            url_ = sqs.create_queue(QueueName=name, tags=TAGS, Attributes=attributes)["QueueUrl"]
            return str(url_)

        list(pool.map(make_queue, range(sources)))

        def make_topic(i: int) -> None:
            arn = sns.create_topic(
                Name=f"{STACK.replace('.', '-')}-t{i:03d}",
                Tags=tag_list,
                Attributes={"KmsMasterKeyId": keys[i % groups]},
            )["TopicArn"]
            sns.subscribe(
                TopicArn=arn,
                Protocol="sqs",
                Endpoint=f"arn:aws:sqs:{REGION}:{account}:{STACK.replace('.', '-')}-q{i:04d}",
            )

        list(pool.map(make_topic, range(groups)))
    return {"queues": queues, "keys": groups, "topics": groups, "subscriptions": groups}


# ------------------------------------------------------------------------------ child runs


def _count_calls(session: Any) -> Counter[str]:
    calls: Counter[str] = Counter()

    def record(model: Any, **_: Any) -> None:
        calls[model.service_model.endpoint_prefix] += 1

    session.events.register("before-call", record)
    return calls


def child_collect(url: str) -> dict[str, Any]:
    started = time.perf_counter()
    import boto3  # noqa: F401  imports are not timed, as in the floor

    from provisioner.inventory.live import collect_live

    collect_started = time.perf_counter()
    session = _session()
    calls = _count_calls(session)
    inventory = collect_live(session, REGION, STACK, endpoint_url=url)
    finished = time.perf_counter()
    return {
        "seconds": finished - collect_started,
        "seconds_with_imports": finished - started,
        "calls": sum(calls.values()),
        "calls_by_service": dict(calls),
        "found": {
            "queues": len(inventory.queues),
            "keys": len(inventory.keys),
            "topics": len(inventory.topics),
            "subscriptions": len(inventory.subscriptions),
        },
        "errors": {str(k): v.message for k, v in inventory.errors.items()},
    }


def list_every_service_once(session: Any, url: str) -> None:
    """One listing per service the collectors read (also used to warm moto's backends up)."""
    clients = {
        name: session.client(name, endpoint_url=url)
        for name in (
            "sts",
            "s3",
            "cloudtrail",
            "config",
            "logs",
            "cloudwatch",
            "events",
            "ec2",
            "iam",
        )
    }
    clients["sts"].get_caller_identity()
    clients["s3"].list_buckets()
    clients["cloudtrail"].describe_trails()
    clients["config"].describe_configuration_recorders()
    clients["config"].describe_config_rules()
    clients["logs"].describe_log_groups()
    clients["cloudwatch"].describe_alarms()
    clients["events"].list_rules()
    clients["ec2"].describe_vpcs()
    clients["ec2"].describe_security_groups()
    clients["ec2"].describe_vpc_endpoints()
    clients["iam"].get_account_authorization_details(Filter=["Role", "LocalManagedPolicy"])


def child_floor(url: str) -> dict[str, Any]:
    """List each kind once and read each resource's attributes once; nothing else."""
    import boto3  # noqa: F401  timed from here on as collect is: imports done, clients not made

    started = time.perf_counter()
    session = _session()
    calls = _count_calls(session)
    list_every_service_once(session, url)
    sqs = session.client("sqs", endpoint_url=url)
    sns = session.client("sns", endpoint_url=url)
    kms = session.client("kms", endpoint_url=url)
    urls = sqs.list_queues(MaxResults=1000).get("QueueUrls", [])
    for queue_url in urls:
        sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])
    topics = [
        t["TopicArn"] for p in sns.get_paginator("list_topics").paginate() for t in p["Topics"]
    ]
    for arn in topics:
        sns.get_topic_attributes(TopicArn=arn)
    subscriptions = [
        s["SubscriptionArn"]
        for p in sns.get_paginator("list_subscriptions").paginate()
        for s in p["Subscriptions"]
    ]
    for arn in subscriptions:
        sns.get_subscription_attributes(SubscriptionArn=arn)
    keys = [k["KeyId"] for p in kms.get_paginator("list_keys").paginate() for k in p["Keys"]]
    for key in keys:
        kms.describe_key(KeyId=key)
    return {
        "seconds": time.perf_counter() - started,
        "calls": sum(calls.values()),
        "calls_by_service": dict(calls),
        "found": {"queues": len(urls), "keys": len(keys), "topics": len(topics)},
    }


def run_child(args: list[str]) -> tuple[float, float, int, int, str]:
    """Run a subprocess; its wall time, CPU seconds, peak RSS (KiB), exit code and stdout."""
    env = {**os.environ, **FAKE_AWS_ENV, "PYTHONPATH": str(ROOT)}
    started = time.perf_counter()
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    return time.perf_counter() - started, cpu, usage.ru_maxrss, process.returncode, output


VERIFY_ARGS = ["-m", "provisioner", "verify", "-p", PROFILE, "-e", ENVIRONMENT, "--region", REGION]


def median_run(args: list[str], repeat: int, *, must_succeed: bool) -> dict[str, Any]:
    """Run a child `repeat` times; the run with the median wall time (the machine is shared)."""
    runs = []
    for _ in range(repeat):
        wall, cpu, rss, code, output = run_child(args)
        if must_succeed and code != 0:
            raise RuntimeError(f"{args[1:3]} failed with exit {code}: {output[-500:]}")
        result = json.loads(output.strip().splitlines()[-1]) if must_succeed else {}
        runs.append(
            {
                **result,
                "process_seconds": wall,
                "process_cpu_seconds": cpu,
                "peak_rss_mib": rss / 1024,
                "exit_code": code,
            }
        )
    key = "seconds" if must_succeed else "process_seconds"
    return sorted(runs, key=lambda r: float(r[key]))[len(runs) // 2]


def measure(url: str, size: int, with_verify: bool, repeat: int) -> dict[str, Any]:
    row: dict[str, Any] = {"queues": size}
    for mode in ("collect", "floor"):
        child = [sys.executable, __file__, "--child", mode, url]
        row[mode] = median_run(child, repeat, must_succeed=True)
    if with_verify:
        verify = [sys.executable, *VERIFY_ARGS, "--endpoint-url", url, "--output", "json"]
        row["verify"] = median_run(verify, repeat, must_succeed=False)
    collect, floor = row["collect"], row["floor"]
    row["sqs_calls_per_queue"] = collect["calls_by_service"].get("sqs", 0) / size
    row["calls_per_resource"] = collect["calls"] / max(1, sum(collect["found"].values()))
    row["floor_ratio"] = collect["seconds"] / floor["seconds"]
    row["floor_call_ratio"] = collect["calls"] / floor["calls"]
    return row


def _importable_root() -> None:
    if str(ROOT) not in sys.path:  # run as a script, only benchmarks/ is on the path
        sys.path.insert(0, str(ROOT))


def deploy_full_stack(url: str) -> int:
    """The pci prod stack, every resource of the program created in moto; how many."""
    _importable_root()  # `tests` is not installed: the simulated deploy lives there
    from provisioner.profiles import resolve_target
    from tests.support.simulated_deploy import simulated_deploy

    target = resolve_target([PROFILE], ENVIRONMENT)
    assert target.stack_name == STACK and target.region == REGION
    return len(simulated_deploy(target, url).created)


def child_deploy(url: str) -> dict[str, Any]:
    return {"resources": deploy_full_stack(url)}


def measure_full_stack(url: str, repeat: int) -> dict[str, Any]:
    reset(url)
    started = time.perf_counter()
    # In a child: Pulumi's SDK would make this process big, and a child's peak RSS as the
    # kernel reports it includes the image of the parent it was forked from.
    _, _, _, code, output = run_child([sys.executable, __file__, "--child", "deploy", url])
    if code != 0:
        raise RuntimeError(f"the simulated deploy failed with exit {code}")
    resources = int(json.loads(output.strip().splitlines()[-1])["resources"])
    list_every_service_once(_session(), url)
    print(
        f"# full {STACK} stack: {resources} resources deployed in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    collect = median_run(
        [sys.executable, __file__, "--child", "collect", url], repeat, must_succeed=True
    )
    verify = median_run(
        [sys.executable, *VERIFY_ARGS, "--endpoint-url", url, "--output", "json"],
        repeat,
        must_succeed=False,
    )
    return {"resources_deployed": resources, "collect": collect, "verify": verify}


def print_full_stack(row: dict[str, Any]) -> None:
    collect, verify = row["collect"], row["verify"]
    print(
        f"\nfull {STACK} stack ({row['resources_deployed']} resources deployed): "
        f"verify {verify['process_seconds']:.2f} s, exit {verify['exit_code']}, "
        f"{verify['peak_rss_mib']:.0f} MiB; collection {collect['seconds']:.2f} s, "
        f"{collect['calls']} calls {collect['calls_by_service']}"
    )


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'queues':>6} {'collect s':>9} {'floor s':>8} {'ratio':>6} {'calls':>6} "
        f"{'floor':>6} {'sqs/q':>6} {'calls/res':>9} {'RSS MiB':>8} "
        f"{'verify s':>8} {'verify MiB':>10} {'exit':>4}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        verify = row.get("verify", {})
        print(
            f"{row['queues']:>6} {row['collect']['seconds']:>9.2f} {row['floor']['seconds']:>8.2f} "
            f"{row['floor_ratio']:>6.2f} {row['collect']['calls']:>6} {row['floor']['calls']:>6} "
            f"{row['sqs_calls_per_queue']:>6.2f} {row['calls_per_resource']:>9.2f} "
            f"{row['collect']['peak_rss_mib']:>8.1f} "
            f"{verify.get('process_seconds', float('nan')):>8.2f} "
            f"{verify.get('peak_rss_mib', float('nan')):>10.1f} {verify.get('exit_code', '-'):>4}"
        )


def targets(rows: list[dict[str, Any]], full_stack: dict[str, Any] | None) -> dict[str, bool]:
    smallest, largest = rows[0], rows[-1]
    checks = {
        "calls_per_queue_at_most_3": all(
            r["sqs_calls_per_queue"] <= TARGET_CALLS_PER_QUEUE for r in rows
        ),
        "within_1_5x_of_floor": all(r["floor_ratio"] <= TARGET_FLOOR_RATIO for r in rows),
        "largest_under_30s": largest["collect"]["seconds"] < TARGET_LARGE_SECONDS,
    }
    if "verify" in smallest:
        checks["single_stack_verify_under_1_5s"] = (
            smallest["verify"]["process_seconds"] < TARGET_STACK_SECONDS
        )
        checks["largest_verify_under_30s"] = (
            largest["verify"]["process_seconds"] < TARGET_LARGE_SECONDS
        )
    if full_stack is not None:
        verify = full_stack["verify"]
        checks["full_stack_compliant_verify_under_1_5s"] = (
            verify["exit_code"] == 0 and verify["process_seconds"] < TARGET_STACK_SECONDS
        )
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="1,100,1000")
    parser.add_argument("--no-verify", action="store_true", help="skip the verify process")
    parser.add_argument(
        "--no-full-stack", action="store_true", help="skip the deployed pci prod stack"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per measure; median kept")
    parser.add_argument("--child", nargs=2, metavar=("MODE", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, url = args.child
        children: dict[str, Callable[[str], dict[str, Any]]] = {
            "collect": child_collect,
            "floor": child_floor,
            "deploy": child_deploy,
        }
        print(json.dumps(children[mode](url)))
        return
    _importable_root()
    from benchmarks._bytecode import compile_project

    compile_project()
    rows = []
    with moto_server() as url:
        for size in (int(s) for s in args.sizes.split(",")):
            reset(url)
            populate_started = time.perf_counter()
            populate(url, size)
            list_every_service_once(_session(), url)  # moto builds some backends on first use
            print(
                f"# {size} queues populated in {time.perf_counter() - populate_started:.1f} s",
                file=sys.stderr,
            )
            rows.append(measure(url, size, not args.no_verify, args.repeat))
        full_stack = None if args.no_full_stack else measure_full_stack(url, args.repeat)
    print_table(rows)
    if full_stack is not None:
        print_full_stack(full_stack)
    document = {
        "benchmark": "bench_verify",
        "load_average_1m": os.getloadavg()[0],  # the 2 cores are shared: read figures with it
        "rows": rows,
        "full_stack": full_stack,
        "targets": targets(rows, full_stack),
    }
    print(json.dumps(document))


if __name__ == "__main__":
    main()
