"""Protocol drivers: the only code that knows URLs, HTTP and JSON."""
