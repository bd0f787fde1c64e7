"""Long-running operations (after Google AIP-151): queue, worker threads, progress, cancel."""
