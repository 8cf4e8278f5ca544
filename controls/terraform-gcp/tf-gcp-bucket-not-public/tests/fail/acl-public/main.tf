resource "google_storage_bucket_acl" "legacy" {
  bucket = google_storage_bucket.legacy.name
  role_entity = [
    "OWNER:user-ops@acme.example",
    "READER:allAuthenticatedUsers",
  ]
}

resource "google_storage_bucket_acl" "downloads" {
  bucket         = google_storage_bucket.downloads.name
  predefined_acl = "publicRead"
}

resource "google_storage_bucket_access_control" "assets" {
  bucket = google_storage_bucket.assets.name
  role   = "READER"
  entity = "allUsers"
}
