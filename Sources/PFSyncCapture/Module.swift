// PFSyncCapture: libpcap packet sources and link/IP/transport parsing.
