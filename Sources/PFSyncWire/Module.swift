// PFSyncWire: the pfsync codec (FreeBSD v5, OpenBSD v6) and the pfsyncd sync frame. No I/O.
