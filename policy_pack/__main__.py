"""Entry point the Pulumi CLI runs for `--policy-pack policy_pack`.

`PolicyPack(...)` starts the analyzer server and never returns: it is constructed only here,
never in importable modules or tests. The policies themselves live in `provisioner.policy`.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from provisioner.policy import PACK_NAME
from provisioner.policy.policies import build_policies

PolicyPack(
    name=PACK_NAME,
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=build_policies(),
)
