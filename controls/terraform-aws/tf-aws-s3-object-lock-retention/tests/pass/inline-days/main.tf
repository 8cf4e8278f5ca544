resource "aws_s3_bucket" "vouchers" {
  bucket = "acme-vouchers"
  object_lock_configuration {
    object_lock_enabled = "Enabled"
    rule {
      default_retention {
        mode = "COMPLIANCE"
        days = 3650
      }
    }
  }
}
