"""samsyn.kernels.CullPolicy.cull_reason: a kernel still starting is not taken for a dead one."""

from __future__ import annotations

import asyncio

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from samsyn.kernels import CullPolicy


class _Manager(CullPolicy):
    """The cull decision alone, over real kernel managers that were never started."""

    def __init__(self, kernels):
        super().__init__()
        self._kernels = kernels
        self._kernel_connections = {}
        self._pools = {}


def test_a_kernel_still_starting_is_not_culled():
    loop = asyncio.new_event_loop()
    try:
        km = ServerKernelManager()
        km._ready = loop.create_future()  # start_kernel under way; Jupyter Server sets last_activity after it
        assert _Manager({"k": km}).cull_reason("k") is None
        km._ready.set_result(None)  # started, the process not there (any more): its restart failed
        assert _Manager({"k": km}).cull_reason("k") == "dead (its restart failed)"
    finally:
        loop.close()
