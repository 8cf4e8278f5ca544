resource "google_storage_bucket" "uploads" {
  name                        = "acme-user-uploads"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"

  versioning {
    enabled = true
  }
}

# Bindings are not buckets: not judged by this control.
resource "google_storage_bucket_iam_member" "reader" {
  bucket = google_storage_bucket.uploads.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:app@acme.iam.gserviceaccount.com"
}
