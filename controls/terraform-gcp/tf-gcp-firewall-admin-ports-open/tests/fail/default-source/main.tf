# No source at all: Google Cloud applies 0.0.0.0/0.
resource "google_compute_firewall" "ssh" {
  name    = "allow-ssh"
  network = google_compute_network.main.name

  allow {
    protocol = "tcp"
    ports    = [22]
  }

  target_tags = ["bastion"]
}
