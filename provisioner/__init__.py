"""provisioner: secure, compliant AWS messaging stacks with Pulumi, proven against a catalog."""

__version__ = "0.1.0"
