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
  }
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
}
