"""A local OpenStack Nova twin: the real control plane with simulated hypervisors."""
