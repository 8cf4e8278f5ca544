resource "google_container_cluster" "prod" {
  name               = "prod"
  location           = "europe-west1"
  initial_node_count = 1

  network_policy {
    enabled  = true
    provider = "CALICO"
  }

  addons_config {
    network_policy_config {
      disabled = false
    }
  }
}

# Dataplane V2 enforces network policies: not judged.
resource "google_container_cluster" "dataplane_v2" {
  name               = "dpv2"
  location           = "europe-west1"
  initial_node_count = 1
  datapath_provider  = "ADVANCED_DATAPATH"
}

# Autopilot clusters always run Dataplane V2: not judged.
resource "google_container_cluster" "autopilot" {
  name             = "autopilot"
  location         = "europe-west1"
  enable_autopilot = true
}
