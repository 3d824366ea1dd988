"""Process set-up that must happen before Nova or oslo are imported."""
import os


def prepare(state_dir):
    """Select Nova's native-thread mode and keep the fixtures' sqlite files in the state dir."""
    tmp = os.path.join(state_dir, "tmp")
    os.makedirs(tmp, exist_ok=True)
    os.environ["OS_NOVA_DISABLE_EVENTLET_PATCHING"] = "1"
    os.environ["TMPDIR"] = tmp
    # Its __init__ patches the threading backend and blocks a later eventlet import.
    import nova.tests.functional  # noqa: F401
    return tmp
