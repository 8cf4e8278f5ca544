resource "google_container_cluster" "staging" {
  name               = "staging"
  location           = "europe-west1"
  initial_node_count = 1
}

resource "google_container_cluster" "prod" {
  name               = "prod"
  location           = "europe-west1"
  initial_node_count = 1

  network_policy {
    enabled = false
  }
}
