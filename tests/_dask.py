"""What the tests' own dask.distributed clusters share.

``LocalCluster(dashboard_address=None)`` still starts the scheduler's HTTP server (metrics, health checks) on
port 8787 and warns ("Port 8787 is already in use") when another cluster holds it, which the warnings-as-errors
test configuration turns into a failure whenever two xdist workers start clusters at the same moment. Pass
``scheduler_kwargs=LOOPBACK_HTTP``: that server then takes a free port on the loopback interface.
"""

LOOPBACK_HTTP = {"dashboard_address": "127.0.0.1:0"}
