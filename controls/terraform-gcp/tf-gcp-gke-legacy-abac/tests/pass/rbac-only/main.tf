resource "google_container_cluster" "prod" {
  name               = "prod"
  location           = "europe-west1"
  initial_node_count = 1
  enable_legacy_abac = false
}

# Off by default.
resource "google_container_cluster" "dev" {
  name               = "dev"
  location           = "europe-west1"
  initial_node_count = 1
}
