"""tender.fence: at most one live attempt per job, by a lease per attempt (stdlib only).

1. `lease.LeaseSettings` names the shared lease directory and the timings (lease, renewal, kill grace).
2. The backends run every command under `python -m tender.fence.wrapper` (`lease.wrap_argv`): it renews the
   attempt's lease and kills the command's whole tree when the lease is revoked or lapses.
3. The runtime revokes a lease (`lease.revoke`) before it places the job again, and waits for the
   wrapper's record (`lease.read_record`: the tree is dead) or for the lease to lapse (`lease.fence_deadline`).
See README.md and docs/run.md (the fencing guarantee).
"""
