"""Stand-ins of other systems (Cisco Finesse, Amazon Connect), written from their vendors'
published APIs, each run as its own process on its own origin."""
