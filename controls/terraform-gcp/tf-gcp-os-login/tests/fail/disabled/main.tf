resource "google_compute_project_metadata" "default" {
  metadata = {
    enable-oslogin = "FALSE"
  }
}

resource "google_compute_project_metadata_item" "oslogin" {
  project = "acme-staging"
  key     = "enable-oslogin"
  value   = "false"
}

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
    subnetwork = google_compute_subnetwork.private.id
  }

  metadata = {
    enable-oslogin = "FALSE"
    ssh-keys       = "admin:ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample admin"
  }
}

# No enable-oslogin key at the project level: OS Login is off.
resource "google_compute_project_metadata" "sandbox" {
  project = "acme-sandbox"
  metadata = {
    serial-port-enable = "FALSE"
  }
}
