resource "google_storage_bucket" "ledger" {
  name     = "acme-ledger-archive"
  location = "EU"
  retention_policy {
    retention_period = 315360000
  }
}
