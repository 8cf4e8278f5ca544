resource "google_kms_crypto_key" "storage" {
  name            = "storage-cmk"
  key_ring        = google_kms_key_ring.main.id
  rotation_period = "7776000s"
}

resource "google_kms_crypto_key" "sql" {
  name            = "sql-cmk"
  key_ring        = google_kms_key_ring.main.id
  purpose         = "ENCRYPT_DECRYPT"
  rotation_period = "2592000s"
}

# Asymmetric keys cannot be rotated automatically.
resource "google_kms_crypto_key" "signing" {
  name     = "release-signing"
  key_ring = google_kms_key_ring.main.id
  purpose  = "ASYMMETRIC_SIGN"

  version_template {
    algorithm = "EC_SIGN_P256_SHA256"
  }
}
