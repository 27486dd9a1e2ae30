"""Stand-ins of other systems (Cisco Finesse, Amazon Connect), written from their vendors'
published APIs, each on an origin of its own (Finesse also in a process of its own)."""
