"""Pulumi ComponentResources for the secure messaging stack (pulumi and pulumi_aws only)."""
