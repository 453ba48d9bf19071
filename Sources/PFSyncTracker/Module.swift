// PFSyncTracker: turns parsed packets into pf-like state changes (TCP window tracking, UDP/ICMP pseudo-states, expiry).
