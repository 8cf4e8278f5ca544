resource "google_storage_bucket_iam_member" "app" {
  bucket = google_storage_bucket.data.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:app@acme.iam.gserviceaccount.com"
}

resource "google_storage_bucket_iam_binding" "admins" {
  bucket  = google_storage_bucket.data.name
  role    = "roles/storage.admin"
  members = ["group:platform@acme.example", "user:ops@acme.example"]
}

resource "google_storage_bucket_acl" "data" {
  bucket         = google_storage_bucket.data.name
  predefined_acl = "projectPrivate"
}

resource "google_storage_bucket_access_control" "auditors" {
  bucket = google_storage_bucket.data.name
  role   = "READER"
  entity = "group-auditors@acme.example"
}
