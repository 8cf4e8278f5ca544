resource "aws_s3_bucket" "ledger" {
  bucket              = "acme-ledger-archive"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  rule {
    default_retention {
      mode  = "COMPLIANCE"
      years = 6
    }
  }
}

# 3600 days are less than ten years of 365 days.
resource "aws_s3_bucket" "vouchers" {
  bucket = "acme-vouchers"
  object_lock_configuration {
    object_lock_enabled = "Enabled"
    rule {
      default_retention {
        mode = "COMPLIANCE"
        days = 3600
      }
    }
  }
}
