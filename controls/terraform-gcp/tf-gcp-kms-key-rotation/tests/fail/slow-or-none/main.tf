resource "google_kms_crypto_key" "yearly" {
  name            = "storage-cmk"
  key_ring        = google_kms_key_ring.main.id
  rotation_period = "31536000s"
}

resource "google_kms_crypto_key" "never" {
  name     = "sql-cmk"
  key_ring = google_kms_key_ring.main.id
}

resource "google_kms_crypto_key" "from_variable" {
  name            = "bigquery-cmk"
  key_ring        = google_kms_key_ring.main.id
  rotation_period = var.rotation_period
}
