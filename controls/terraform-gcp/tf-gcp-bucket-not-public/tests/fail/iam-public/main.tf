resource "google_storage_bucket_iam_member" "public_read" {
  bucket = google_storage_bucket.website.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket_iam_binding" "viewers" {
  bucket = google_storage_bucket.reports.name
  role   = "roles/storage.objectViewer"
  members = [
    "group:analysts@acme.example",
    "allAuthenticatedUsers",
  ]
}

resource "google_storage_bucket_iam_member" "team" {
  bucket = google_storage_bucket.reports.name
  role   = "roles/storage.objectAdmin"
  member = "group:data-eng@acme.example"
}
