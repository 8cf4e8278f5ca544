resource "google_container_cluster" "staging" {
  name               = "staging"
  location           = "europe-west1"
  initial_node_count = 1
}

resource "google_container_cluster" "prod" {
  name               = "prod"
  location           = "europe-west1"
  initial_node_count = 1

  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }

  master_authorized_networks_config {
    cidr_blocks {
      cidr_block   = "0.0.0.0/0"
      display_name = "everyone"
    }
  }
}
