resource "aws_s3_bucket" "invoices" {
  bucket = "acme-invoices"
}

# A rule that only enables bucket keys sets no default encryption.
resource "aws_s3_bucket_server_side_encryption_configuration" "invoices" {
  bucket = aws_s3_bucket.invoices.id

  rule {
    bucket_key_enabled = true
  }
}
