resource "google_storage_bucket" "ledger" {
  name     = "acme-ledger-archive"
  location = "EU"
  retention_policy {
    retention_period = 189216000
    is_locked        = true
  }
}
