resource "google_compute_project_metadata" "default" {
  metadata = {
    enable-oslogin = "TRUE"
  }
}

resource "google_compute_project_metadata_item" "oslogin" {
  project = "acme-staging"
  key     = "enable-oslogin"
  value   = "TRUE"
}

# Another key: not about OS Login.
resource "google_compute_project_metadata_item" "serial" {
  key   = "serial-port-enable"
  value = "FALSE"
}

# No enable-oslogin key: the instance inherits the project's setting.
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

  metadata = {
    startup-script = "echo ready"
  }
}

resource "google_compute_instance" "worker" {
  name         = "worker"
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

  metadata = {
    enable-oslogin = "true"
  }
}
