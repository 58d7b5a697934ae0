print("docker-sync")
