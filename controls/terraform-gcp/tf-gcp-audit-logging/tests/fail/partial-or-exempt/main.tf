resource "google_project_iam_audit_config" "all" {
  project = "acme-prod"
  service = "allServices"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

resource "google_organization_iam_audit_config" "org" {
  org_id  = "123456789012"
  service = "allServices"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type         = "DATA_READ"
    exempted_members = ["serviceAccount:etl@acme-prod.iam.gserviceaccount.com"]
  }

  audit_log_config {
    log_type = "DATA_WRITE"
  }
}

# A single service: not judged.
resource "google_project_iam_audit_config" "storage" {
  project = "acme-prod"
  service = "storage.googleapis.com"

  audit_log_config {
    log_type = "DATA_READ"
  }
}
