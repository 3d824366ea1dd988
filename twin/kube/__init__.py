"""A small Kubernetes + KubeVirt API server for tests and rehearsals (see DESIGN.md, "The local twin").

Run it with ``python -m twin.kube up --state-dir DIR``; the official ``kubernetes`` client and
``kubectl`` talk to it through ``DIR/kubeconfig``.
"""
