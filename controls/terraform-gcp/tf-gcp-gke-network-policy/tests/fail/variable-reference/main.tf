variable "network_policy" {
  type = bool
}

resource "google_container_cluster" "apps" {
  name               = "apps"
  location           = "europe-west1"
  initial_node_count = 1

  network_policy {
    enabled  = var.network_policy
    provider = "CALICO"
  }
}
