"""Create and smoke-test a spec's topology on a live endpoint (emulator, local broker or cloud)."""
