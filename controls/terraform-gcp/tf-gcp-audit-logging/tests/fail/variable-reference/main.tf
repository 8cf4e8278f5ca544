# The third log type is only known at plan time: DATA_WRITE cannot be shown to be enabled.
variable "write_log_type" {
  type = string
}

resource "google_folder_iam_audit_config" "engineering" {
  folder  = "folders/123456789"
  service = "allServices"

  audit_log_config {
    log_type = "ADMIN_READ"
  }

  audit_log_config {
    log_type = "DATA_READ"
  }

  audit_log_config {
    log_type = var.write_log_type
  }
}
