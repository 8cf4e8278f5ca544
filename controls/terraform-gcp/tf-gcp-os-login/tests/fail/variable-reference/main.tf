variable "oslogin" {
  type = string
}

resource "google_compute_instance_template" "workers" {
  name_prefix  = "workers-"
  machine_type = "e2-standard-4"

  disk {
    source_image = "debian-cloud/debian-12"
  }

  network_interface {
    subnetwork = google_compute_subnetwork.private.id
  }

  metadata = {
    enable-oslogin = var.oslogin
  }
}
