variable "public_ip" {
  type = bool
}

resource "google_compute_instance" "app" {
  name         = "app"
  machine_type = "e2-standard-2"
  zone         = "europe-west1-b"

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.private.id

    dynamic "access_config" {
      for_each = var.public_ip ? [1] : []
      content {}
    }
  }
}
