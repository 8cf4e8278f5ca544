resource "aws_s3_bucket" "ledger" {
  bucket              = "acme-ledger-archive"
  object_lock_enabled = true
}

resource "aws_s3_bucket_object_lock_configuration" "ledger" {
  bucket = aws_s3_bucket.ledger.id
  rule {
    default_retention {
      mode  = "GOVERNANCE"
      years = 10
    }
  }
}
