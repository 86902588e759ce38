"""The Automation API engine: workspaces, stack operations, engine events and error mapping.

Everything here drives the real Pulumi CLI (`pulumi.automation`); nothing is simulated. Modules:
`settings` (backend, secrets provider, work dir), `workspace` (CLI, workspace, stack, config,
plugin), `operations` (preview/up/refresh/destroy/outputs), `events` (engine events collected),
`progress` (rendering them), `errors` (SDK errors to one-line `ProvisionerError`s).
"""
