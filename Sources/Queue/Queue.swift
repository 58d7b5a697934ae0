// Queue module
