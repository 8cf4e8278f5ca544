resource "google_storage_bucket" "ledger" {
  name     = "acme-ledger-archive"
  location = "EU"
  retention_policy {
    retention_period = 315360000
    is_locked        = true
  }
}

# No retention policy: not judged.
resource "google_storage_bucket" "assets" {
  name     = "acme-web-assets"
  location = "EU"
}
