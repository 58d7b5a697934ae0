// Redis module
