resource "google_storage_bucket" "uploads" {
  name                        = "acme-user-uploads"
  location                    = "EU"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket" "exports" {
  name     = "acme-exports"
  location = "EU"

  versioning {
    enabled = true
  }
}
