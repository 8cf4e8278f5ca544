resource "google_compute_firewall" "admin" {
  name    = "allow-admin"
  network = google_compute_network.main.name

  allow {
    protocol = "tcp"
    ports    = ["22", "3389"]
  }

  source_ranges = ["0.0.0.0/0", "::/0"]
}

# A range that includes SSH, next to an unrelated ICMP allow.
resource "google_compute_firewall" "range" {
  name    = "allow-low-ports"
  network = google_compute_network.main.name

  allow {
    protocol = "icmp"
  }

  allow {
    protocol = "tcp"
    ports    = ["20-25"]
  }

  source_ranges = ["0.0.0.0/0"]
}

# Every protocol, every port.
resource "google_compute_firewall" "debug" {
  name      = "allow-all-debug"
  network   = google_compute_network.main.name
  direction = "INGRESS"

  allow {
    protocol = "all"
  }

  source_ranges = ["0.0.0.0/0"]
}
