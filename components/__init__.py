"""Pulumi ComponentResources of the secure messaging stack.

Each module holds one component with its typed `...Args` dataclass. Components import only
`pulumi` and `pulumi_aws`; they know nothing about profiles, files or the CLI
(`provisioner/program.py` translates a resolved profile into their Args).
"""
