resource "google_compute_instance" "bastion" {
  name         = "bastion"
  machine_type = "e2-small"
  zone         = "europe-west1-b"

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    subnetwork = google_compute_subnetwork.dmz.id

    access_config {
      nat_ip = google_compute_address.bastion.address
    }
  }
}

resource "google_compute_instance_template" "web" {
  name_prefix  = "web-"
  machine_type = "e2-standard-2"

  disk {
    source_image = "debian-cloud/debian-12"
  }

  network_interface {
    network = "default"

    # Ephemeral external address.
    access_config {}
  }
}
