resource "aws_kms_key" "data" {
  description         = "Key for the data lake buckets"
  enable_key_rotation = true
}

resource "aws_s3_bucket" "lake_raw" {
  bucket = "acme-lake-raw"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = "aws:kms"
        kms_master_key_id = aws_kms_key.data.arn
      }
      bucket_key_enabled = true
    }
  }
}

resource "aws_s3_bucket" "static_site" {
  bucket = "acme-static-site"

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}
