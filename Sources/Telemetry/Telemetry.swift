// Telemetry module
