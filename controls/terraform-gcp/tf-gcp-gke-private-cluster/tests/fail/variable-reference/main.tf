variable "private_nodes" {
  type = bool
}

resource "google_container_cluster" "apps" {
  name               = "apps"
  location           = "europe-west1"
  initial_node_count = 1

  private_cluster_config {
    enable_private_nodes    = var.private_nodes
    enable_private_endpoint = true
  }
}
