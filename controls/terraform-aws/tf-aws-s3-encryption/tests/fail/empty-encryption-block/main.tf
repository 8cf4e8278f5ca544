resource "aws_s3_bucket" "reports" {
  bucket = "acme-finance-reports"

  # Placeholder left behind: no rule, so nothing is encrypted by this configuration.
  server_side_encryption_configuration {
  }
}
