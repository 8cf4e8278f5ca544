resource "aws_s3_bucket" "uploads" {
  bucket = "${var.prefix}-customer-uploads"
  acl    = "private"

  versioning {
    enabled = true
  }

  tags = {
    DataClass = "confidential"
  }
}

resource "aws_s3_bucket" "exports" {
  bucket        = "${var.prefix}-nightly-exports"
  force_destroy = true
}

# Encryption is configured in the bucket itself, so this one passes.
resource "aws_s3_bucket" "audit" {
  bucket = "${var.prefix}-audit"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
